"""The consultation form by keyboard (issue 10): the cursor starts in the first field to fill, topic and
advisor checkboxes are one tab stop per group (arrow keys move within), and "Speichern" is reached in
few tab stops. The Standortbestimmung table fits a phone screen."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from casework.models import Assessment, Consultation, QualityCriterion, Topic
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Measured with the skip link, autofocus and one tab stop per checkbox group: see the report of issue 10
# (before: 52 tab stops from page load).
MAX_TAB_STOPS = 20
SAFETY_LIMIT = 120


def focused(page):
    return page.evaluate(
        "() => { const e = document.activeElement; return [e.tagName, e.id || '', e.name || '',"
        " (e.innerText || e.value || '').trim().slice(0, 40)]; }"
    )


def tab_stops_until_save(page):
    """How often Tab must be pressed from the page's initial focus until "Speichern" has the focus."""
    stops = []
    for _press in range(SAFETY_LIMIT):
        page.keyboard.press("Tab")
        element = focused(page)
        stops.append(element)
        if element[0] in ("BUTTON", "INPUT") and element[3] == "Speichern":
            return stops
    raise AssertionError(f"Speichern nicht erreicht: {stops}")


def test_consultation_form_reaches_save_in_few_tab_stops(e2e, people, unit_mo):
    OrganisationFactory(units=[unit_mo], name="Kulturverein Anatolien e.V.")
    page = e2e.login(e2e.new_page(), "beratung-mo")
    page.goto("/beratungen/neu/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Beratung erfassen")
    # The cursor starts in the first field to fill: the organisation.
    expect(page.get_by_role("combobox", name="Organisation")).to_be_focused()
    stops = tab_stops_until_save(page)
    print(f"\nTab stops to Speichern: {len(stops)}: {stops}")
    assert len(stops) <= MAX_TAB_STOPS, stops
    e2e.assert_clean_console()


def test_checkbox_groups_move_with_arrow_keys_and_save_by_keyboard(e2e, people, unit_mo):
    OrganisationFactory(units=[unit_mo], name="Kulturverein Anatolien e.V.", municipality="Offenbach")
    topics = list(Topic.objects.filter(unit=unit_mo).order_by("position", "name")[:2])
    page = e2e.login(e2e.new_page(), "beratung-mo")
    page.goto("/beratungen/neu/")
    picker = page.get_by_role("combobox", name="Organisation")
    expect(picker).to_be_focused()
    with page.expect_response(lambda r: "/organisationen/auswahl/?q=" in r.url and r.ok):
        page.keyboard.type("Anatol")
    page.locator(".ts-dropdown .option", has_text="Kulturverein Anatolien e.V.").click()
    page.get_by_label("Format").select_option(label="telefonisch")
    page.get_by_label("Anstoß durch").select_option(label="die Organisation")

    # The whole topic group is one tab stop; the arrow keys move, Space checks.
    first = page.get_by_role("checkbox", name=topics[0].name)
    first.focus()
    page.keyboard.press("ArrowDown")
    second = page.get_by_role("checkbox", name=topics[1].name)
    expect(second).to_be_focused()
    page.keyboard.press("Space")
    expect(second).to_be_checked()
    page.keyboard.press("Tab")
    # On to the advisors: at the one already checked (the person logging).
    expect(page.get_by_role("checkbox", name="Aylin Demir")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Zusammenfassung")).to_be_focused()
    page.keyboard.type("Per Tastatur erfasst.")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("summary")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Speichern")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Die Beratung wurde gespeichert.")).to_be_visible()
    consultation = Consultation.objects.get(summary="Per Tastatur erfasst.")
    assert list(consultation.topics.all()) == [topics[1]]
    e2e.assert_clean_console()


def test_standortbestimmung_fits_a_phone_and_is_prefilled(e2e, people, unit_lots):
    project = OrganisationFactory(units=[unit_lots], name="Lotsenprojekt Fulda", kind="guide_project")
    criteria = list(
        QualityCriterion.objects.filter(area__unit=unit_lots, retired_at__isnull=True, area__retired_at__isnull=True)
    )
    earlier = Assessment.objects.create(unit=unit_lots, organisation=project, date=datetime.date(2025, 6, 1))
    for criterion in criteria:
        earlier.ratings.create(criterion=criterion, rating="partly")
    page = e2e.login(e2e.new_page(), "beratung-lots")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/qualitaet/projekte/{project.pk}/standortbestimmung/neu/")
    expect(page.get_by_text("Vorbelegt aus der Standortbestimmung vom 01.06.2025")).to_be_visible()
    # No sideways scrolling at 390 px: the table stacks, each radio names its rating.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    partly = page.locator(f"input[name='rating_{criteria[0].pk}'][value='partly']")
    expect(partly).to_be_checked()
    expect(page.locator(f"#criterion-{criteria[0].pk}")).to_be_visible()
    # Arrow keys move within the row's radio group: from "teilweise" on to "nicht erfüllt".
    partly.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"input[name='rating_{criteria[0].pk}'][value='not_met']")).to_be_checked()
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Standortbestimmung")
    new = Assessment.objects.exclude(pk=earlier.pk).get()
    assert new.ratings.get(criterion=criteria[0]).rating == "not_met"
    assert new.ratings.filter(rating="partly").count() == len(criteria) - 1
    e2e.assert_clean_console()


def test_changed_pages_have_no_serious_axe_violations(e2e, people, records, unit_lots):
    from tests.e2e.test_accessibility import blocking_violations, describe

    axe = Axe()
    criteria = list(QualityCriterion.objects.filter(area__unit=unit_lots)[:3])
    records["foreign"].criteria.set(criteria)
    page = e2e.login(e2e.new_page(), "beratung-lots")
    pages = [
        ("Beratung erfassen", "/beratungen/neu/"),
        ("Beratung mit Qualitätskriterien", f"/beratungen/{records['foreign'].pk}/"),
        ("Gemeinsame Beratung (Ich berate mit)", f"/beratungen/{records['shared'].pk}/"),
        ("Standortbestimmung erfassen", f"/qualitaet/projekte/{records['org_foreign'].pk}/standortbestimmung/neu/"),
    ]
    found = []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 844})
        for label, path in pages:
            assert page.goto(path).status == 200
            if violations := blocking_violations(axe, page):
                found.append(describe(f"{label} @{width}px", path, violations))
    assert not found, "\n\n".join(found)
    expect(page.get_by_role("button", name="Ich berate mit")).to_have_count(0)  # last page: the assessment
    page.goto(f"/beratungen/{records['shared'].pk}/")
    page.get_by_role("button", name="Ich berate mit").click()
    expect(page.get_by_role("status").filter(has_text="Sie sind jetzt als Berater*in")).to_be_visible()
    assert people["advisor_lots"] in records["shared"].advisors.all()
    e2e.assert_clean_console()
