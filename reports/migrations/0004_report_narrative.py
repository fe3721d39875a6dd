"""Sachbericht: narrative drafts, their frozen copies, the title page settings, funding references, logos."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_worker_heartbeat")]

    operations = [
        migrations.CreateModel(
            name="ReportLogo",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, verbose_name="Bezeichnung")),
                ("content", models.BinaryField(verbose_name="Bild")),
                ("content_type", models.CharField(max_length=20, verbose_name="Bildformat")),
                ("width", models.PositiveIntegerField(verbose_name="Breite (Pixel)")),
                ("height", models.PositiveIntegerField(verbose_name="Höhe (Pixel)")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="Reihenfolge")),
                ("uploaded_at", models.DateTimeField(auto_now_add=True, verbose_name="hochgeladen am")),
            ],
            options={
                "verbose_name": "Logo",
                "verbose_name_plural": "Logos",
                "ordering": ["position", "id"],
            },
        ),
        migrations.CreateModel(
            name="TitlePageSettings",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "funding_notice",
                    models.TextField(
                        default="Gefördert durch das Hessische Ministerium für Arbeit, Integration, Jugend und Soziales im Rahmen des Landesprogramms WIR – Vielfalt und Teilhabe",
                        max_length=1000,
                        verbose_name="Förderhinweis",
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1, editable=False, verbose_name="Version")),
            ],
            options={
                "verbose_name": "Titelseite der Berichte",
                "verbose_name_plural": "Titelseite der Berichte",
            },
        ),
        migrations.CreateModel(
            name="FundingReference",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "reference",
                    models.CharField(blank=True, max_length=100, verbose_name="Aktenzeichen des Zuwendungsbescheids"),
                ),
                (
                    "unit",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="casework.unit",
                        verbose_name="Fachstelle",
                    ),
                ),
            ],
            options={
                "verbose_name": "Aktenzeichen",
                "verbose_name_plural": "Aktenzeichen",
            },
        ),
        migrations.CreateModel(
            name="ReportNarrative",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sections", models.JSONField(default=list, verbose_name="Texte")),
                ("title_page", models.JSONField(default=dict, verbose_name="Titelseite")),
                (
                    "report",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="narrative_snapshot",
                        to="reports.report",
                    ),
                ),
            ],
            options={
                "verbose_name": "Berichtstext (archiviert)",
                "verbose_name_plural": "Berichtstexte (archiviert)",
            },
        ),
        migrations.CreateModel(
            name="NarrativeDraft",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("scope", models.CharField(max_length=10, verbose_name="Bereich")),
                (
                    "period_kind",
                    models.CharField(
                        choices=[
                            ("year", "Kalenderjahr"),
                            ("half", "Halbjahr"),
                            ("quarter", "Quartal"),
                            ("custom", "eigener Zeitraum"),
                        ],
                        max_length=10,
                        verbose_name="Zeitraum",
                    ),
                ),
                ("first_day", models.DateField(verbose_name="von")),
                ("last_day", models.DateField(verbose_name="bis")),
                ("texts", models.JSONField(blank=True, default=dict, verbose_name="Texte")),
                ("version", models.PositiveIntegerField(default=1, editable=False, verbose_name="Version")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="zuletzt geändert am")),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="zuletzt geändert von",
                    ),
                ),
            ],
            options={
                "verbose_name": "Berichtstext",
                "verbose_name_plural": "Berichtstexte",
                "ordering": ["scope", "-first_day"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("scope", "period_kind", "first_day", "last_day"), name="narrative_draft_unique_period"
                    )
                ],
            },
        ),
    ]
