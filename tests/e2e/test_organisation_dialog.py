"""Registering an organisation from the consultation form (a dialog) and the duplicate warning."""

import pytest
from playwright.sync_api import expect

from casework.models import Consultation
from organisations.models import Organisation
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SUMMARY = "Vereinsgründung besprochen, Satzung folgt."


def open_consultation_form(e2e):
    page = e2e.login(e2e.new_page(), "beratung-mo")
    page.goto("/beratungen/neu/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Beratung erfassen")
    return page


def fill_organisation(dialog, name):
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("Rechtsform").select_option(label="eingetragener Verein (e. V.)")
    dialog.get_by_label("Kreis").select_option(label="Offenbach am Main")
    dialog.get_by_label("Gemeinde / Stadt").fill("Offenbach")


def test_new_organisation_dialog_keeps_the_consultation_fields(e2e, people, unit_mo):
    page = open_consultation_form(e2e)
    page.get_by_label("Zusammenfassung").fill(SUMMARY)
    page.get_by_role("checkbox", name="Fördermittelakquise").check()
    page.get_by_label("Format").select_option(label="telefonisch")

    page.get_by_role("button", name="Neue Organisation anlegen").click()
    dialog = page.get_by_role("dialog", name="Organisation anlegen")
    expect(dialog).to_be_visible()
    # The kind is preset from the person's unit.
    expect(dialog.locator("select[name='organisation-kind']")).to_have_value("migrant_org")
    fill_organisation(dialog, "Ghanaischer Kulturverein Offenbach")
    dialog.get_by_role("button", name="Speichern").click()

    expect(dialog).to_be_hidden()
    organisation = Organisation.objects.get(name="Ghanaischer Kulturverein Offenbach")
    expect(page.locator("select#id_organisation")).to_have_value(str(organisation.pk))
    expect(page.locator(".ts-control")).to_contain_text("Ghanaischer Kulturverein Offenbach (Offenbach)")
    # Nothing else in the consultation form changed.
    expect(page.get_by_label("Zusammenfassung")).to_have_value(SUMMARY)
    expect(page.get_by_role("checkbox", name="Fördermittelakquise")).to_be_checked()
    expect(page.get_by_label("Format")).to_have_value("phone")
    expect(page.get_by_role("heading", level=1)).to_have_text("Beratung erfassen")

    page.get_by_label("Datum").fill("2026-03-02")
    page.get_by_label("Dauer").select_option(label="1:30 h")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status").filter(has_text="Die Beratung wurde gespeichert.")).to_be_visible()
    assert Consultation.objects.get(summary=SUMMARY).organisation == organisation
    e2e.assert_clean_console()


def test_duplicate_warning_in_the_dialog(e2e, people, unit_mo, unit_lots):
    existing = OrganisationFactory(units=[unit_mo], name="Kulturverein Anatolien e.V.", municipality="Offenbach")
    # The other unit's namesake is never named to this person.
    OrganisationFactory(units=[unit_lots], name="Kulturverein Anatolien", municipality="Offenbach")
    page = open_consultation_form(e2e)
    page.get_by_label("Zusammenfassung").fill(SUMMARY)
    page.get_by_role("button", name="Neue Organisation anlegen").click()
    dialog = page.get_by_role("dialog", name="Organisation anlegen")

    # The live hint while typing (debounced request to the similar endpoint).
    with page.expect_response(lambda r: "/organisationen/aehnliche/?" in r.url and r.ok):
        dialog.get_by_label("Name").press_sequentially("kulturverein anatolien")
    hint = dialog.locator("[data-similar-hint]")
    expect(hint.get_by_role("link")).to_have_count(1)
    expect(hint.get_by_role("link")).to_have_text("Kulturverein Anatolien e.V. (Offenbach)")

    fill_organisation(dialog, "Kulturverein Anatolien")
    dialog.get_by_role("button", name="Speichern").click()
    # The server refuses the first save and lists the similar one, inside the dialog.
    expect(dialog.get_by_text("Es gibt bereits ähnliche Organisationen")).to_be_visible()
    warning = dialog.locator("[data-similar-warning]")
    expect(warning.get_by_role("link")).to_have_text("Kulturverein Anatolien e.V.")
    assert Organisation.objects.count() == 2

    dialog.get_by_label("Trotzdem neu anlegen").check()
    dialog.get_by_role("button", name="Speichern").click()
    expect(dialog).to_be_hidden()
    created = Organisation.objects.exclude(pk=existing.pk).get(name="Kulturverein Anatolien", units=unit_mo)
    expect(page.locator("select#id_organisation")).to_have_value(str(created.pk))
    expect(page.get_by_label("Zusammenfassung")).to_have_value(SUMMARY)
    e2e.assert_clean_console()


def test_duplicate_warning_on_the_create_page(e2e, people, unit_mo):
    OrganisationFactory(units=[unit_mo], name="Elternverein Sonnenblume", municipality="Kassel")
    page = e2e.login(e2e.new_page(), "beratung-mo")
    page.goto("/organisationen/neu/")
    with page.expect_response(lambda r: "/organisationen/aehnliche/?" in r.url and r.ok):
        page.get_by_label("Name").press_sequentially("Elternverein Sonnenblume e.V.")
    expect(page.locator("[data-similar-hint]").get_by_role("link")).to_have_text("Elternverein Sonnenblume (Kassel)")
    e2e.assert_clean_console()
