"""Search documents stored before normalise() dropped control characters (casework/search/text.py) are made
afresh: SQLite's vocabulary of whole words, through which every consultation search now goes, could not read
the words of such a document (casework/search/index.py). Only the documents that change are stored."""

from django.db import migrations


def renormalise_documents(apps, schema_editor):
    from casework.search.documents import refresh_all

    refresh_all(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("casework", "0027_catalogue_stamp")]

    operations = [migrations.RunPython(renormalise_documents, migrations.RunPython.noop, elidable=True)]
