"""A stored German sort key for contact persons (see SortKeyField), filled for existing rows: the global
search lists them in German order and, on SQLite, stops after the first few matches in that order."""

from django.db import migrations, models

import casework.search.fields
from casework.search.fields import fill_search_text


def fill_sort_keys(apps, schema_editor):
    fill_search_text(apps.get_model("organisations", "ContactPerson"), schema_editor.connection, field_name="name_sort")


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0006_organisation_sort_key"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="contactperson",
            options={
                "ordering": ["name_sort", "name", "id"],
                "verbose_name": "Ansprechperson",
                "verbose_name_plural": "Ansprechpersonen",
            },
        ),
        migrations.AddField(
            model_name="contactperson",
            name="name_sort",
            field=casework.search.fields.SortKeyField(source="name"),
        ),
        migrations.RunPython(fill_sort_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="contactperson",
            index=models.Index(fields=["name_sort", "name", "id"], name="organisatio_name_so_04dace_idx"),
        ),
    ]
