"""An incident's references (station, category, community, batch) checked per statement, set-wise.

PostgreSQL checks a foreign key with one trigger call and one index probe per inserted row: about 3 s
per million rows and per reference, four times a raw COPY of the same rows each (docs/benchmarks.md).
Here the database keeps the same guarantee per statement instead:

- after an INSERT or UPDATE of incidents, one query per reference over the statement's new rows
  (a transition table) finds any id that does not exist, and the referenced rows are locked
  FOR KEY SHARE, as a foreign key locks them, so a concurrent deletion waits for this transaction;
- before a referenced station, category, community or batch is deleted (or its id changed), a row
  trigger refuses if an incident still refers to it.

Both raise SQLSTATE 23503 (foreign_key_violation), which Django reports as IntegrityError, as before.
The check is immediate (at the end of each statement) where Django's foreign keys were deferred to
commit: referenced rows must exist before incidents naming them, as every writer already does.

The batch reference gets a block-range index: a batch's rows are inserted together.
SQLite (the embedded demo) keeps the references unchecked in the database; the ORM's on_delete
rules still apply there.
"""

import django.db.models.deletion
from django.db import migrations, models

# (column, referenced table) for every reference of an incident.
REFERENCES = [
    ("station_id", "stations_station"),
    ("category_id", "workload_incidentcategory"),
    ("community_id", "stations_community"),
    ("batch_id", "workload_importbatch"),
]


def _check_statement(column: str, table: str) -> str:
    # Lock first (a deletion in progress makes this wait, then the check below sees it gone).
    return f"""
    PERFORM 1 FROM {table} WHERE id IN (SELECT DISTINCT {column} FROM new_rows) FOR KEY SHARE;
    SELECT n.{column} INTO missing FROM (SELECT DISTINCT {column} FROM new_rows WHERE {column} IS NOT NULL) AS n
        WHERE NOT EXISTS (SELECT 1 FROM {table} AS r WHERE r.id = n.{column}) LIMIT 1;
    IF FOUND THEN
        RAISE foreign_key_violation USING MESSAGE = format(
            'insert or update on table "workload_incident": {column} %s is not present in table "{table}"', missing);
    END IF;"""


PG_FORWARD = [
    "CREATE FUNCTION workload_incident_references_check() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
    "DECLARE missing bigint;\nBEGIN"
    + "".join(_check_statement(column, table) for column, table in REFERENCES)
    + "\n    RETURN NULL;\nEND\n$fn$",
    "CREATE TRIGGER incident_references_on_insert AFTER INSERT ON workload_incident"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION workload_incident_references_check()",
    "CREATE TRIGGER incident_references_on_update AFTER UPDATE ON workload_incident"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION workload_incident_references_check()",
    # One guard for every referenced table; the column it guards is the trigger's argument.
    """CREATE FUNCTION workload_incident_referenced_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM workload_incident WHERE station_id = OLD.id AND TG_ARGV[0] = 'station_id')
        OR EXISTS (SELECT 1 FROM workload_incident WHERE category_id = OLD.id AND TG_ARGV[0] = 'category_id')
        OR EXISTS (SELECT 1 FROM workload_incident WHERE community_id = OLD.id AND TG_ARGV[0] = 'community_id')
        OR EXISTS (SELECT 1 FROM workload_incident WHERE batch_id = OLD.id AND TG_ARGV[0] = 'batch_id') THEN
        RAISE foreign_key_violation USING MESSAGE = format(
            'update or delete on table "%s" violates a reference: %s %s is still referenced from table "workload_incident"',
            TG_TABLE_NAME, TG_ARGV[0], OLD.id);
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$fn$""",
    *(
        f"CREATE TRIGGER incident_referenced_guard BEFORE DELETE OR UPDATE OF id ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION workload_incident_referenced_guard('{column}')"
        for column, table in REFERENCES
    ),
    "CREATE INDEX incident_batch_brin ON workload_incident USING brin (batch_id)",
]
PG_BACKWARD = [
    "DROP INDEX incident_batch_brin",
    *(f"DROP TRIGGER incident_referenced_guard ON {table}" for _column, table in REFERENCES),
    "DROP TRIGGER incident_references_on_insert ON workload_incident",
    "DROP TRIGGER incident_references_on_update ON workload_incident",
    "DROP FUNCTION workload_incident_referenced_guard()",
    "DROP FUNCTION workload_incident_references_check()",
]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_FORWARD:
            schema_editor.execute(statement, params=None)  # None: the SQL holds a literal %
    else:
        schema_editor.execute("CREATE INDEX incident_batch_brin ON workload_incident (batch_id)")


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_BACKWARD:
            schema_editor.execute(statement, params=None)  # None: the SQL holds a literal %
    else:
        schema_editor.execute("DROP INDEX incident_batch_brin")


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0002_stationalias"),
        ("workload", "0003_incident_brin_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="incident",
            name="batch",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="incidents",
                to="workload.importbatch",
                verbose_name="import batch",
            ),
        ),
        migrations.AlterField(
            model_name="incident",
            name="category",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="incidents",
                to="workload.incidentcategory",
                verbose_name="category",
            ),
        ),
        migrations.AlterField(
            model_name="incident",
            name="community",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="incidents",
                to="stations.community",
                verbose_name="community or village",
            ),
        ),
        migrations.AlterField(
            model_name="incident",
            name="station",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="incidents",
                to="stations.station",
                verbose_name="station",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
