"""The search columns of consultations, cases and events become search documents: their own text
and the names around them (casework/search/documents.py). Filled here for existing rows; kept by
signals since."""

from django.db import migrations


def fill_documents(apps, schema_editor):
    from casework.search.documents import refresh_all

    refresh_all(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("casework", "0025_consultation_case_date_index")]

    operations = [migrations.RunPython(fill_documents, migrations.RunPython.noop, elidable=True)]
