# Placeholder for: Lots*innen figures. Fill `operations` with this feature's model changes only.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("casework", "0020_event_status_place")]

    operations = []
