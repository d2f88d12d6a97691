import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("personnel", "0002_assignment_no_overlap"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="updated_at",
            # Existing rows get the migration's time: an incremental pull afterwards sees them once.
            field=models.DateTimeField(auto_now=True, db_index=True, default=django.utils.timezone.now, verbose_name="updated at"),
            preserve_default=False,
        ),
    ]
