"""The database itself refuses to change or remove audit records.

PostgreSQL: UPDATE is always refused; DELETE only inside a transaction that set
`jingli.audit_purge = 'on'` (audit.services.audit_purge, the retention task). SQLite, the embedded
demo database, refuses UPDATE; its deletes are guarded by the model layer.
"""

from django.db import migrations

PG_CREATE = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('jingli.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_auditevent is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_append_only();
"""
SQLITE_CREATE = """
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only (UPDATE refused)'); END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS audit_event_no_update;"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    sql = PG_CREATE if schema_editor.connection.vendor == "postgresql" else SQLITE_CREATE
    schema_editor.execute(sql, params=None)  # None: the SQL holds a literal %


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    sql = PG_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP
    schema_editor.execute(sql, params=None)  # None: the SQL holds a literal %


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
