"""The staging table holds only scratch rows of batches being checked: no write-ahead log needed."""

from django.db import migrations


def _set(logged: bool):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            mode = "LOGGED" if logged else "UNLOGGED"
            schema_editor.execute(f"ALTER TABLE workload_stagedincident SET {mode}")

    return run


class Migration(migrations.Migration):
    dependencies = [("workload", "0002_importbatch_importmapping_stagedincident_and_more")]

    operations = [migrations.RunPython(_set(logged=False), _set(logged=True))]
