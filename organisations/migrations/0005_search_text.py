"""Search columns on organisations and contact persons (filled for existing rows; trigram indexes on
PostgreSQL) and German order of names (collation "de-x-icu", see casework/search/ordering.py).
"""

import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations

import casework.search.fields
from casework.search.fields import create_trigram_indexes, drop_trigram_indexes, fill_search_text

TABLES = ("organisations_organisation", "organisations_contactperson")


def forwards(apps, schema_editor):
    for name in ("Organisation", "ContactPerson"):
        fill_search_text(apps.get_model("organisations", name), schema_editor.connection)
    create_trigram_indexes(schema_editor, TABLES)


def backwards(apps, schema_editor):
    drop_trigram_indexes(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0015_search_text"),
        ("organisations", "0004_organisation_contact_versions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="contactperson",
            options={
                "ordering": [django.db.models.functions.comparison.Collate("name", "de-x-icu"), "id"],
                "verbose_name": "Ansprechperson",
                "verbose_name_plural": "Ansprechpersonen",
            },
        ),
        migrations.AlterModelOptions(
            name="organisation",
            options={
                "ordering": [django.db.models.functions.comparison.Collate("name", "de-x-icu"), "id"],
                "verbose_name": "Organisation",
                "verbose_name_plural": "Organisationen",
            },
        ),
        migrations.AlterModelOptions(
            name="region",
            options={
                "ordering": [django.db.models.functions.comparison.Collate("name", "de-x-icu")],
                "verbose_name": "Region",
                "verbose_name_plural": "Regionen",
            },
        ),
        migrations.AddField(
            model_name="contactperson",
            name="search_text",
            field=casework.search.fields.SearchTextField(sources=("name", "function")),
        ),
        migrations.AddField(
            model_name="organisation",
            name="search_text",
            field=casework.search.fields.SearchTextField(sources=("name", "municipality")),
        ),
        migrations.RunPython(forwards, backwards),
    ]
