# The change version of the dashboard's frozen figures: one row, bumped by triggers on casework_consultation.
# The triggers themselves are (re)made after every migrate (casework/dashboard/stamp.py), not here.
from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("casework", "FiguresStamp").objects.using(schema_editor.connection.alias).get_or_create(pk=1)


def drop_triggers(apps, schema_editor):
    """Backwards: the triggers would update the table about to go (names as in casework/dashboard/stamp.py)."""
    connection = schema_editor.connection
    on = " ON casework_consultation" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        for suffix in ("ai", "ad", "au", "at"):
            cursor.execute(f"DROP TRIGGER IF EXISTS casework_figures_stamp_{suffix}{on}")


class Migration(migrations.Migration):
    dependencies = [("casework", "0023_import_mappings")]

    operations = [
        migrations.CreateModel(
            name="FiguresStamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [models.CheckConstraint(condition=models.Q(("id", 1)), name="figures_stamp_single_row")],
            },
        ),
        migrations.RunPython(create_row, drop_triggers),
    ]
