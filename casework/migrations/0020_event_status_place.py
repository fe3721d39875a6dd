# Events: status (geplant, durchgeführt, abgesagt), place and its Kreis.
import datetime

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

PLANNED, HELD = "planned", "held"


def initial_status(day, today):
    """The status an event recorded before there was one gets: held if it took place by today, else planned."""
    return HELD if day <= today else PLANNED


def set_initial_status(apps, schema_editor):
    """Existing events dated after today are planned; all others keep the default, held (two queries)."""
    Event = apps.get_model("casework", "Event")
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    Event.objects.filter(date__gt=today).update(status=initial_status(tomorrow, today))
    Event.objects.filter(date__lte=today).update(status=initial_status(today, today))


class Migration(migrations.Migration):
    dependencies = [("casework", "0019_access_log_guard")]

    operations = [
        migrations.AddField(
            model_name="event",
            name="place",
            field=models.CharField(
                blank=True,
                help_text="Bei Präsenz- und Hybridveranstaltungen; leer bei online.",
                max_length=200,
                verbose_name="Ort",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="region",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.region",
                verbose_name="Kreis",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="status",
            field=models.CharField(
                choices=[("planned", "geplant"), ("held", "durchgeführt"), ("cancelled", "abgesagt")],
                default="held",
                max_length=20,
                verbose_name="Status",
            ),
        ),
        migrations.AddField(
            model_name="historicalevent",
            name="place",
            field=models.CharField(
                blank=True,
                help_text="Bei Präsenz- und Hybridveranstaltungen; leer bei online.",
                max_length=200,
                verbose_name="Ort",
            ),
        ),
        migrations.AddField(
            model_name="historicalevent",
            name="region",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="organisations.region",
                verbose_name="Kreis",
            ),
        ),
        migrations.AddField(
            model_name="historicalevent",
            name="status",
            field=models.CharField(
                choices=[("planned", "geplant"), ("held", "durchgeführt"), ("cancelled", "abgesagt")],
                default="held",
                max_length=20,
                verbose_name="Status",
            ),
        ),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["planned", "held", "cancelled"])), name="event_status_valid"
            ),
        ),
        migrations.RunPython(set_initial_status, migrations.RunPython.noop, elidable=True),
    ]
