"""Block-range indexes for incident time filters on PostgreSQL; plain indexes on SQLite."""

from django.db import migrations

PG_FORWARD = [
    "CREATE INDEX incident_received_brin ON workload_incident USING brin (received_at)",
    "CREATE INDEX incident_updated_brin ON workload_incident USING brin (updated_at)",
]
OTHER_FORWARD = [
    "CREATE INDEX incident_received_brin ON workload_incident (received_at)",
    "CREATE INDEX incident_updated_brin ON workload_incident (updated_at)",
]
BACKWARD = ["DROP INDEX incident_received_brin", "DROP INDEX incident_updated_brin"]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    for statement in PG_FORWARD if schema_editor.connection.vendor == "postgresql" else OTHER_FORWARD:
        schema_editor.execute(statement)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    for statement in BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("workload", "0002_unlogged_scratch_and_derived_tables")]

    operations = [migrations.RunPython(forward, backward)]
