# Placeholder for: saved import column mappings (UI). Fill `operations` with this feature's model changes only.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("casework", "0022_import_runs")]

    operations = []
