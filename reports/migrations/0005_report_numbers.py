"""Report numbers: the variant of a report (for the funder, exact; for publication, protected)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_report_narrative")]

    operations = [
        migrations.AddField(
            model_name="report",
            name="variant",
            field=models.CharField(
                choices=[
                    ("funder", "für den Fördergeber (genaue Zahlen)"),
                    ("publication", "zur Veröffentlichung (kleine Werte geschützt)"),
                ],
                default="funder",
                max_length=12,
                verbose_name="Fassung",
            ),
        ),
    ]
