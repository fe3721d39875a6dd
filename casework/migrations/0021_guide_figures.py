# Lots*innen figures: counts of active Lots*innen and trainings per project, with their history.
import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("casework", "0020_event_status_place")]

    operations = [
        migrations.CreateModel(
            name="HistoricalGuideCount",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("as_of", models.DateField(verbose_name="Stand am")),
                (
                    "active",
                    models.PositiveIntegerField(
                        validators=[django.core.validators.MaxValueValidator(10000)], verbose_name="aktive Lots*innen"
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=500, verbose_name="Anmerkung")),
                ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="angelegt am")),
                ("updated_at", models.DateTimeField(blank=True, editable=False, verbose_name="geändert am")),
                ("version", models.PositiveIntegerField(default=1, editable=False, verbose_name="Version")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="organisations.organisation",
                        verbose_name="Projekt",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="casework.unit",
                        verbose_name="Fachstelle",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical Zahl aktiver Lots*innen",
                "verbose_name_plural": "historical Zahlen aktiver Lots*innen",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalGuideTraining",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("basic", "Basisqualifizierung"), ("further", "Aufbau-/Fortbildung")],
                        max_length=10,
                        verbose_name="Art",
                    ),
                ),
                (
                    "date",
                    models.DateField(help_text="Bei mehrtägigen Schulungen der letzte Tag.", verbose_name="Datum"),
                ),
                ("title", models.CharField(max_length=200, verbose_name="Titel")),
                (
                    "teaching_units",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(200),
                        ],
                        verbose_name="Unterrichtseinheiten (UE)",
                    ),
                ),
                (
                    "participants",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(500),
                        ],
                        verbose_name="Teilnehmende",
                    ),
                ),
                ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="angelegt am")),
                ("updated_at", models.DateTimeField(blank=True, editable=False, verbose_name="geändert am")),
                ("version", models.PositiveIntegerField(default=1, editable=False, verbose_name="Version")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="organisations.organisation",
                        verbose_name="Projekt",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="casework.unit",
                        verbose_name="Fachstelle",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical Schulung von Lots*innen",
                "verbose_name_plural": "historical Schulungen von Lots*innen",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="GuideCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("as_of", models.DateField(verbose_name="Stand am")),
                (
                    "active",
                    models.PositiveIntegerField(
                        validators=[django.core.validators.MaxValueValidator(10000)], verbose_name="aktive Lots*innen"
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=500, verbose_name="Anmerkung")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="angelegt am")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="geändert am")),
                ("version", models.PositiveIntegerField(default=1, editable=False, verbose_name="Version")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="guide_counts",
                        to="organisations.organisation",
                        verbose_name="Projekt",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="casework.unit",
                        verbose_name="Fachstelle",
                    ),
                ),
            ],
            options={
                "verbose_name": "Zahl aktiver Lots*innen",
                "verbose_name_plural": "Zahlen aktiver Lots*innen",
                "ordering": ["-as_of", "-id"],
                "indexes": [
                    models.Index(fields=["unit", "organisation", "as_of", "active"], name="guide_count_latest_idx")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("active__gte", 0), ("active__lte", 10000)), name="guide_count_active_range"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="GuideTraining",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("basic", "Basisqualifizierung"), ("further", "Aufbau-/Fortbildung")],
                        max_length=10,
                        verbose_name="Art",
                    ),
                ),
                (
                    "date",
                    models.DateField(help_text="Bei mehrtägigen Schulungen der letzte Tag.", verbose_name="Datum"),
                ),
                ("title", models.CharField(max_length=200, verbose_name="Titel")),
                (
                    "teaching_units",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(200),
                        ],
                        verbose_name="Unterrichtseinheiten (UE)",
                    ),
                ),
                (
                    "participants",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(500),
                        ],
                        verbose_name="Teilnehmende",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="angelegt am")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="geändert am")),
                ("version", models.PositiveIntegerField(default=1, editable=False, verbose_name="Version")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="guide_trainings",
                        to="organisations.organisation",
                        verbose_name="Projekt",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="casework.unit",
                        verbose_name="Fachstelle",
                    ),
                ),
            ],
            options={
                "verbose_name": "Schulung von Lots*innen",
                "verbose_name_plural": "Schulungen von Lots*innen",
                "ordering": ["-date", "-id"],
                "indexes": [
                    models.Index(
                        fields=["unit", "date", "organisation", "kind", "teaching_units", "participants"],
                        name="guide_training_period_idx",
                    ),
                    models.Index(fields=["organisation", "-date"], name="guide_training_org_date_idx"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("teaching_units__gte", 1), ("teaching_units__lte", 200)),
                        name="guide_training_units_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("participants__gte", 1), ("participants__lte", 500)),
                        name="guide_training_participants_range",
                    ),
                ],
            },
        ),
    ]
