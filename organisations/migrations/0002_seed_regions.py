"""Seed Hessen's Kreise and kreisfreie Städte (state 2026) plus "außerhalb Hessens"."""

import datetime

from django.db import migrations

HANAU_KREISFREI = datetime.date(2026, 1, 1)

# (key, name, kind, Regierungsbezirk, valid_from)
REGIONS = [
    ("06411", "Darmstadt", "city", "darmstadt", None),
    ("06412", "Frankfurt am Main", "city", "darmstadt", None),
    ("06413", "Offenbach am Main", "city", "darmstadt", None),
    ("06414", "Wiesbaden", "city", "darmstadt", None),
    # Hanau left the Main-Kinzig-Kreis on 1 Jan 2026; its new key was not verified.
    ("", "Hanau", "city", "darmstadt", HANAU_KREISFREI),
    ("06431", "Bergstraße", "district", "darmstadt", None),
    ("06432", "Darmstadt-Dieburg", "district", "darmstadt", None),
    ("06433", "Groß-Gerau", "district", "darmstadt", None),
    ("06434", "Hochtaunuskreis", "district", "darmstadt", None),
    ("06435", "Main-Kinzig-Kreis", "district", "darmstadt", None),
    ("06436", "Main-Taunus-Kreis", "district", "darmstadt", None),
    ("06437", "Odenwaldkreis", "district", "darmstadt", None),
    ("06438", "Offenbach", "district", "darmstadt", None),
    ("06439", "Rheingau-Taunus-Kreis", "district", "darmstadt", None),
    ("06440", "Wetteraukreis", "district", "darmstadt", None),
    ("06531", "Gießen", "district", "giessen", None),
    ("06532", "Lahn-Dill-Kreis", "district", "giessen", None),
    ("06533", "Limburg-Weilburg", "district", "giessen", None),
    ("06534", "Marburg-Biedenkopf", "district", "giessen", None),
    ("06535", "Vogelsbergkreis", "district", "giessen", None),
    ("06611", "Kassel (Stadt)", "city", "kassel", None),
    ("06631", "Fulda", "district", "kassel", None),
    ("06632", "Hersfeld-Rotenburg", "district", "kassel", None),
    ("06633", "Kassel (Landkreis)", "district", "kassel", None),
    ("06634", "Schwalm-Eder-Kreis", "district", "kassel", None),
    ("06635", "Waldeck-Frankenberg", "district", "kassel", None),
    ("06636", "Werra-Meißner-Kreis", "district", "kassel", None),
    ("", "außerhalb Hessens", "outside", "none", None),
]


def seed(apps, schema_editor):
    Region = apps.get_model("organisations", "Region")
    for key, name, kind, district, valid_from in REGIONS:
        Region.objects.update_or_create(
            name=name,
            valid_from=valid_from,
            defaults={"key": key, "kind": kind, "administrative_district": district},
        )


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
