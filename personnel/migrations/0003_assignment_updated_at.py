from importlib import import_module

import django.utils.timezone
from django.db import migrations, models

# SQLite adds this column by rebuilding the table, which drops the table's triggers: the overlap
# triggers of 0002 are made again right after (PostgreSQL keeps its exclusion constraint as it is).
_overlap = import_module("personnel.migrations.0002_assignment_no_overlap")


def _sqlite_overlap_triggers_again(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        for statement in [*_overlap.SQLITE_BACKWARD, *_overlap.SQLITE_FORWARD]:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("personnel", "0002_assignment_no_overlap"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="updated_at",
            # Existing rows get the migration's time: an incremental pull afterwards sees them once.
            field=models.DateTimeField(
                auto_now=True, db_index=True, default=django.utils.timezone.now, verbose_name="updated at"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(_sqlite_overlap_triggers_again, _sqlite_overlap_triggers_again),
    ]
