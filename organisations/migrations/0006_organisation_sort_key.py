"""A stored German sort key for the organisation lists (see SortKeyField), filled for existing rows."""

from django.conf import settings
from django.db import migrations, models

import casework.search.fields
from casework.search.fields import fill_search_text


def fill_sort_keys(apps, schema_editor):
    fill_search_text(apps.get_model("organisations", "Organisation"), schema_editor.connection, field_name="name_sort")


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0015_search_text"),
        ("organisations", "0005_search_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="organisation",
            options={
                "ordering": ["name_sort", "name", "id"],
                "verbose_name": "Organisation",
                "verbose_name_plural": "Organisationen",
            },
        ),
        migrations.AddField(
            model_name="organisation",
            name="name_sort",
            field=casework.search.fields.SortKeyField(source="name"),
        ),
        migrations.RunPython(fill_sort_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="organisation",
            index=models.Index(fields=["name_sort", "name", "id"], name="organisatio_name_so_663261_idx"),
        ),
    ]
