# Placeholder for: narrative sections, title page, logos. Fill `operations` with this feature's model changes only.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_worker_heartbeat")]

    operations = []
