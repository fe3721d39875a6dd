# Placeholder for: import runs (engine). Fill `operations` with this feature's model changes only.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("casework", "0021_guide_figures")]

    operations = []
