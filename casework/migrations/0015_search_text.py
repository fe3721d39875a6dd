"""Stored search columns (normalised text) on consultations, cases and events, filled for existing rows.

On PostgreSQL, GIN trigram indexes make the search's LIKE '%…%' on them fast.
"""

from django.db import migrations

import casework.search.fields
from casework.search.fields import create_trigram_indexes, drop_trigram_indexes, fill_search_text

MODELS = ("Consultation", "Case", "Event")
TABLES = ("casework_consultation", "casework_case", "casework_event")


def forwards(apps, schema_editor):
    for name in MODELS:
        fill_search_text(apps.get_model("casework", name), schema_editor.connection)
    create_trigram_indexes(schema_editor, TABLES)


def backwards(apps, schema_editor):
    drop_trigram_indexes(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0014_versions_and_submissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="search_text",
            field=casework.search.fields.SearchTextField(sources=("title", "description")),
        ),
        migrations.AddField(
            model_name="consultation",
            name="search_text",
            field=casework.search.fields.SearchTextField(sources=("summary", "agreements")),
        ),
        migrations.AddField(
            model_name="event",
            name="search_text",
            field=casework.search.fields.SearchTextField(sources=("title",)),
        ),
        migrations.RunPython(forwards, backwards),
    ]
