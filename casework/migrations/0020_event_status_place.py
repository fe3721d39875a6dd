# Placeholder for: events: status, place, Kreis. Fill `operations` with this feature's model changes only.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("casework", "0019_access_log_guard")]

    operations = []
