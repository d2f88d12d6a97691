"""Tables that hold nothing which must survive a crash skip PostgreSQL's write-ahead log.

workload_stagedincident holds scratch rows of batches being checked; workload_workloadcell holds
cells derived from incidents, rebuilt by workload.recompute. Both are filled in bulk, which is where
skipping the log pays.
"""

from django.db import migrations

TABLES = ("workload_stagedincident", "workload_workloadcell")


def _set(logged: bool):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for table in TABLES:
                schema_editor.execute(f"ALTER TABLE {table} SET {'LOGGED' if logged else 'UNLOGGED'}")

    return run


class Migration(migrations.Migration):
    dependencies = [("workload", "0001_initial")]

    operations = [migrations.RunPython(_set(logged=False), _set(logged=True))]
