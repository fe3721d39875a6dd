# Import screens (UI): the uploaded file kept between the steps, and column mappings saved under a name.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("casework", "0022_import_runs")]

    operations = [
        migrations.CreateModel(
            name="ImportMapping",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=20, verbose_name="Art")),
                ("name", models.CharField(max_length=100, verbose_name="Name")),
                ("columns", models.JSONField(default=dict)),
                ("value_map", models.JSONField(default=dict)),
                ("updated_at", models.DateTimeField(auto_now=True)),
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
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="casework.unit"
                    ),
                ),
            ],
            options={
                "verbose_name": "gespeicherte Spaltenzuordnung",
                "verbose_name_plural": "gespeicherte Spaltenzuordnungen",
                "ordering": ["name", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("unit", "kind", "name"), name="importmapping_unique_name")
                ],
            },
        ),
        migrations.CreateModel(
            name="ImportUpload",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=20, verbose_name="Art")),
                ("filename", models.CharField(max_length=255, verbose_name="Datei")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                ("data", models.BinaryField()),
                ("row_count", models.PositiveIntegerField(default=0)),
                ("mapping", models.JSONField(default=dict)),
                ("value_map", models.JSONField(default=dict)),
                ("plan", models.JSONField(blank=True, null=True)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "in Vorbereitung"),
                            ("planning", "wird geprüft"),
                            ("queued", "wartet"),
                            ("running", "läuft"),
                            ("done", "abgeschlossen"),
                            ("failed", "fehlgeschlagen"),
                        ],
                        default="draft",
                        max_length=10,
                    ),
                ),
                ("progress_done", models.PositiveIntegerField(default=0)),
                ("progress_total", models.PositiveIntegerField(default=0)),
                ("error", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="casework.importrun",
                    ),
                ),
                (
                    "saved_mapping",
                    models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to="casework.importmapping"
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="casework.unit"
                    ),
                ),
            ],
            options={
                "verbose_name": "hochgeladene Importdatei",
                "verbose_name_plural": "hochgeladene Importdateien",
                "indexes": [models.Index(fields=["created_at"], name="importupload_created")],
            },
        ),
    ]
