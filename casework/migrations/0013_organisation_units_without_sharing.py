"""Sharing no longer adds the partner unit to an organisation: a partner sees it only while a record is shared.

Links that exist only because a consultation was shared (the unit has no record of its own with the
organisation) are removed; the derived rule in casework.access keeps them visible while shared.
"""

from django.db import migrations


def drop_sharing_only_links(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    Consultation = apps.get_model("casework", "Consultation")
    Case = apps.get_model("casework", "Case")
    Assessment = apps.get_model("casework", "Assessment")
    Event = apps.get_model("casework", "Event")
    links = Organisation.units.through.objects.all()
    for link in links.iterator():
        org, unit = link.organisation_id, link.unit_id
        shared = Consultation.objects.filter(organisation_id=org, shared_with_id=unit).exists()
        if not shared:
            continue
        own = (
            Consultation.objects.filter(organisation_id=org, unit_id=unit).exists()
            or Case.objects.filter(organisation_id=org, unit_id=unit).exists()
            or Assessment.objects.filter(organisation_id=org, unit_id=unit).exists()
            or Event.objects.filter(organisations=org, unit_id=unit).exists()
        )
        if not own:
            link.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0012_role_groups"),
        ("organisations", "0002_seed_regions"),
    ]

    operations = [migrations.RunPython(drop_sharing_only_links, migrations.RunPython.noop)]
