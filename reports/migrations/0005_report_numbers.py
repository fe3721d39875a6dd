# Placeholder for: whole-number targets etc.. Fill `operations` with this feature's model changes only.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_report_narrative")]

    operations = []
