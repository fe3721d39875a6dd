# Import runs (engine): which file was imported into which unit, and what undo needs.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("casework", "0021_guide_figures")]

    operations = [
        migrations.CreateModel(
            name="ImportRun",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("organisations", "Organisationen"),
                            ("consultations", "Beratungen"),
                            ("events", "Veranstaltungen"),
                        ],
                        max_length=20,
                        verbose_name="Art",
                    ),
                ),
                ("filename", models.CharField(max_length=255, verbose_name="Datei")),
                ("sha256", models.CharField(max_length=64, verbose_name="Prüfsumme (SHA-256)")),
                ("created_by_name", models.CharField(blank=True, max_length=150, verbose_name="importiert von")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="importiert am")),
                (
                    "status",
                    models.CharField(
                        choices=[("done", "importiert"), ("undone", "rückgängig gemacht")],
                        default="done",
                        max_length=10,
                        verbose_name="Status",
                    ),
                ),
                ("counts", models.JSONField(default=dict, verbose_name="Anzahl")),
                ("undone_at", models.DateTimeField(blank=True, null=True, verbose_name="rückgängig gemacht am")),
                (
                    "undone_by_name",
                    models.CharField(blank=True, max_length=150, verbose_name="rückgängig gemacht von"),
                ),
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
                    "undone_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="import_runs",
                        to="casework.unit",
                        verbose_name="Fachstelle",
                    ),
                ),
            ],
            options={
                "verbose_name": "Import",
                "verbose_name_plural": "Importe",
                "ordering": ["-created_at", "-id"],
                "indexes": [models.Index(fields=["unit", "-created_at"], name="import_run_unit_idx")],
            },
        ),
        migrations.CreateModel(
            name="ImportedRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("model", models.CharField(max_length=100)),
                ("object_id", models.PositiveBigIntegerField()),
                (
                    "action",
                    models.CharField(choices=[("created", "angelegt"), ("updated", "geändert")], max_length=10),
                ),
                ("row_number", models.PositiveIntegerField(blank=True, null=True)),
                ("version", models.PositiveIntegerField()),
                ("previous", models.JSONField(blank=True, null=True)),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="records",
                        to="casework.importrun",
                    ),
                ),
            ],
            options={
                "verbose_name": "importierter Datensatz",
                "verbose_name_plural": "importierte Datensätze",
                "ordering": ["run", "id"],
            },
        ),
    ]
