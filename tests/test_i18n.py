"""English UI: German stays the default, English comes from the committed catalogue in locale/en."""

import ast
import gettext
import re

import pytest
from django.conf import settings
from django.urls import reverse

LC_MESSAGES = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES"

# A handful of key strings from navigation, models, forms and templates.
KEY_TRANSLATIONS = {
    "Beratungen": "Consultations",
    "Beratung erfassen": "Log consultation",
    "Organisationen": "Organisations",
    "Fachstelle": "Unit",
    "Berater*innen": "Advisors",
    "Wiedervorlage": "Follow-up",
    "Ansprechperson": "Contact person",
    "Abmelden": "Log out",
    "Speichern": "Save",
    "Willkommen, %(name)s": "Welcome, %(name)s",
}


# The view builds its form from ``request.POST or None``: a POST without any key renders an unbound
# form, so one blank field is sent to get a bound form whose fields are all empty.
EMPTY_POST = {"date": ""}


def h1(response):
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    assert match, "page has no <h1>"
    return match.group(1)


def po_entries():
    """Tiny .po reader: yields (flags, msgid, [msgstr, ...]) per entry, header excluded; no gettext needed."""
    text = (LC_MESSAGES / "django.po").read_text(encoding="utf-8")
    for block in text.strip().split("\n\n"):
        flags, fields, key = "", {}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += line
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[key] += ast.literal_eval(line)
            else:
                key, _, value = line.partition(" ")
                fields[key] = ast.literal_eval(value)
        if fields.get("msgid"):
            yield flags, fields["msgid"], [v for k, v in fields.items() if k.startswith("msgstr")]


@pytest.mark.django_db
def test_consultation_list_in_english(client, people):
    client.force_login(people["advisor_mo"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # chosen with the language switch
    response = client.get(reverse("casework:consultation_list"))
    assert response.status_code == 200
    assert "Consultations" in h1(response)
    assert "Beratungen" not in h1(response)
    assert '<html lang="en">' in response.content.decode()


@pytest.mark.django_db
def test_consultation_list_in_german_by_default(client, people):
    """German even for a browser that prefers English, until the person switches."""
    client.force_login(people["advisor_mo"])
    response = client.get(reverse("casework:consultation_list"), headers={"accept-language": "en"})
    assert response.status_code == 200
    assert "Beratungen" in h1(response)
    assert "Consultations" not in h1(response)


@pytest.mark.django_db
def test_form_errors_in_german_by_default(client, people):
    client.force_login(people["advisor_mo"])
    response = client.post(reverse("casework:consultation_create"), EMPTY_POST)
    assert response.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()
    assert "This field is required." not in response.content.decode()


@pytest.mark.django_db
def test_form_errors_in_english(client, people):
    client.force_login(people["advisor_mo"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("casework:consultation_create"), EMPTY_POST)
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_compiled_catalogue_translates_key_strings():
    with open(LC_MESSAGES / "django.mo", "rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    for german, english in KEY_TRANSLATIONS.items():
        assert catalogue.gettext(german) == english
    assert catalogue.ngettext("%(counter)s Beratung", "%(counter)s Beratungen", 1) == "%(counter)s consultation"
    assert catalogue.ngettext("%(counter)s Beratung", "%(counter)s Beratungen", 2) == "%(counter)s consultations"


def test_catalogue_has_no_untranslated_or_fuzzy_entries():
    entries = list(po_entries())
    assert len(entries) > 100
    untranslated = [msgid for _, msgid, msgstrs in entries if not all(msgstrs)]
    fuzzy = [msgid for flags, msgid, _ in entries if "fuzzy" in flags]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


def test_compiled_catalogue_is_up_to_date_with_po():
    """Every singular entry of the .po is in the .mo with the same text: compilemessages was not forgotten."""
    with open(LC_MESSAGES / "django.mo", "rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    stale = [
        msgid for _, msgid, msgstrs in po_entries() if len(msgstrs) == 1 and catalogue.gettext(msgid) != msgstrs[0]
    ]
    assert not stale, stale
