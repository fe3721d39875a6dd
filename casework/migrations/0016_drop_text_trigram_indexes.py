"""Drop the trigram indexes of 0009 on summary and agreements (PostgreSQL only).

The text search now reads the normalised `search_text` column (0015, with its own trigram index);
the old indexes would only slow every write of a consultation.
"""

import importlib

from django.db import migrations

previous = importlib.import_module("casework.migrations.0009_consultation_text_trigram_indexes")


def forwards(apps, schema_editor):
    previous.backwards(apps, schema_editor)


def backwards(apps, schema_editor):
    previous.forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("casework", "0015_search_text")]
    operations = [migrations.RunPython(forwards, backwards)]
