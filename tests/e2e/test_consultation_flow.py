"""Log a consultation in the browser, find it again through the list filter, and check unit scoping."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casework.models import Consultation
from tests.factories import ConsultationFactory, OrganisationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SUMMARY = "Förderantrag für das Sommerfest im Stadtteil besprochen."
SEARCH_WORD = "Sommerfest"


@pytest.fixture
def organisations(unit_mo, unit_lots):
    return {
        "target": OrganisationFactory(units=[unit_mo], name="Kulturverein Anatolien e.V.", municipality="Offenbach"),
        "other_mo": OrganisationFactory(units=[unit_mo], name="Elternverein Sonnenblume e.V."),
        "lots": OrganisationFactory(units=[unit_lots], name="Anatolische Lots*innen Kassel"),
    }


def test_log_consultation_and_find_it_in_the_list(e2e, people, organisations, unit_mo):
    other = ConsultationFactory(
        unit=unit_mo,
        organisation=organisations["other_mo"],
        summary="Kassenprüfung vorbereitet.",
        advisors=[people["advisor_mo"]],
    )
    day = timezone.localdate() - datetime.timedelta(days=3)

    page = e2e.login(e2e.new_page(), "beratung-mo")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Willkommen, Aylin")

    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Beratung erfassen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beratung erfassen")

    # Tom Select: typing two or more characters fetches /organisationen/auswahl/?q=…
    picker = page.get_by_role("combobox", name="Organisation")
    # Typed before picker.js has turned the select into Tom Select, the letters would go nowhere.
    expect(page.locator("select#id_organisation.tomselected")).to_be_attached()
    with page.expect_response(lambda r: "/organisationen/auswahl/?q=" in r.url and r.ok):
        picker.press_sequentially("Anatol")
    option = page.locator(".ts-dropdown .option", has_text="Kulturverein Anatolien e.V. (Offenbach)")
    # Only organisations of the person's unit are offered.
    expect(page.locator(".ts-dropdown .option")).to_have_count(1)
    option.click()
    expect(page.locator("select#id_organisation")).to_have_value(str(organisations["target"].pk))

    page.get_by_label("Datum").fill(day.isoformat())
    page.get_by_label("Dauer").select_option(label="1:30 h")
    page.get_by_label("Format").select_option(label="telefonisch")
    page.get_by_role("checkbox", name="Fördermittelakquise").check()
    page.get_by_label("Zusammenfassung").fill(SUMMARY)
    page.get_by_role("button", name="Speichern").click()

    expect(page.get_by_role("status").filter(has_text="Die Beratung wurde gespeichert.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beratung: Kulturverein Anatolien e.V.")

    saved = Consultation.objects.get(summary=SUMMARY)
    assert saved.unit == unit_mo
    assert saved.organisation == organisations["target"]
    assert saved.date == day
    assert saved.duration_minutes == 90
    assert saved.format == Consultation.Format.PHONE
    assert [t.name for t in saved.topics.all()] == ["Fördermittelakquise"]
    assert list(saved.advisors.all()) == [people["advisor_mo"]]

    # The full-text filter finds the new consultation and leaves out the other one.
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Beratungen").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_label("Volltext").fill(SEARCH_WORD)
    page.get_by_role("button", name="Filtern").click()
    expect(page).to_have_url(re.compile(rf"/beratungen/\?.*\bq={SEARCH_WORD}\b"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Kulturverein Anatolien e.V.")
    expect(rows.first).to_contain_text("Fördermittelakquise")
    expect(page.get_by_role("link", name=day.strftime("%d.%m.%Y"))).to_have_attribute(
        "href", f"/beratungen/{saved.pk}/"
    )
    expect(page.locator("table")).not_to_contain_text(other.organisation.name)
    e2e.assert_clean_console()


def test_advisor_of_other_unit_does_not_see_it(e2e, people, organisations, unit_mo, unit_lots):
    own = ConsultationFactory(
        unit=unit_mo, organisation=organisations["target"], summary=SUMMARY, advisors=[people["advisor_mo"]]
    )
    ConsultationFactory(
        unit=unit_lots,
        organisation=organisations["lots"],
        summary="Auch hier ging es um das Sommerfest.",
        advisors=[people["advisor_lots"]],
    )

    page = e2e.login(e2e.new_page(), "beratung-lots")
    page.goto("/beratungen/")
    page.get_by_label("Volltext").fill(SEARCH_WORD)
    page.get_by_role("button", name="Filtern").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Anatolische Lots*innen Kassel")
    expect(page.locator("table")).not_to_contain_text("Kulturverein Anatolien")

    # Nor through the picker or a direct link.
    response = page.goto(f"/beratungen/{own.pk}/")
    assert response.status == 404
    picker = page.request.get("/organisationen/auswahl/?q=Anatol").json()
    assert [r["text"] for r in picker["results"]] == ["Anatolische Lots*innen Kassel (Frankfurt am Main)"]
    e2e.assert_clean_console()
