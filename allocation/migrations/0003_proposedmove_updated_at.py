import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("allocation", "0002_run_groups_comments_heartbeat"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposedmove",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, db_index=True, default=django.utils.timezone.now, verbose_name="updated at"),
            preserve_default=False,
        ),
    ]
