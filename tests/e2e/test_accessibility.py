"""axe-core on the main pages: no violation of impact "serious" or "critical"."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.test_small_screens import PHONE, WIDE, pages_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BLOCKING_IMPACTS = {"serious", "critical"}


def blocking_violations(axe, page):
    results = axe.run(page)
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]


def describe(label, path, violations):
    lines = [f"{label} ({path}):"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    - {', '.join(map(str, node['target']))}")
            lines.append(f"      {node['html'][:300]}")
            if node.get("failureSummary"):
                lines.extend("      " + line for line in node["failureSummary"].splitlines())
    return "\n".join(lines)


def test_main_pages_have_no_serious_violations(e2e, people, records):
    axe = Axe()
    found = []

    page = e2e.new_page()
    page.goto("/anmelden/")
    if violations := blocking_violations(axe, page):
        found.append(describe("Anmeldung", "/anmelden/", violations))

    e2e.login(page, "koordination-mo")
    pages = [
        ("Startseite", "/"),
        ("Beratungen", "/beratungen/"),
        ("Beratung erfassen", "/beratungen/neu/"),
        ("Beratung", f"/beratungen/{records['shared'].pk}/"),
        ("Organisationen", "/organisationen/"),
        ("Organisation", f"/organisationen/{records['org_own'].pk}/"),
        ("Organisation anlegen", "/organisationen/neu/"),
        ("Organisation bearbeiten", f"/organisationen/{records['org_own'].pk}/bearbeiten/"),
        ("Berichte", "/berichte/"),
        ("Berichtsvorschau", "/berichte/vorschau/?scope=mo&period_kind=year&year=2026"),
        ("Bericht im Archiv", f"/berichte/{records['report_own'].pk}/"),
        ("Ziele", "/berichte/ziele/"),
    ]
    for label, path in pages:
        response = page.goto(path)
        assert response.status == 200, f"{label} ({path}): HTTP {response.status}"
        if violations := blocking_violations(axe, page):
            found.append(describe(label, path, violations))

    # The organisation picker with its result list open, then the form with validation errors.
    page.goto("/beratungen/neu/")
    expect(page.locator("select#id_organisation.tomselected")).to_be_attached()  # picker.js has run
    with page.expect_response(lambda r: "/organisationen/auswahl/?q=" in r.url):
        page.get_by_role("combobox", name="Organisation").press_sequentially("Kultur")
    expect(page.locator(".ts-dropdown .option").first).to_be_visible()
    if violations := blocking_violations(axe, page):
        found.append(describe("Organisationsauswahl (geöffnet)", "/beratungen/neu/", violations))
    page.locator(".ts-dropdown .option").first.click()
    page.get_by_label("Datum").fill((timezone.localdate() + datetime.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Eine Beratung kann nicht in der Zukunft liegen.")).to_be_visible()
    if violations := blocking_violations(axe, page):
        found.append(describe("Beratung erfassen (mit Fehlern)", "/beratungen/neu/", violations))

    assert not found, "axe: schwerwiegende Barrierefreiheitsprobleme\n\n" + "\n\n".join(found)
    e2e.assert_clean_console()


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280px", "390px"])
def test_every_page_has_no_serious_violations(e2e, people, matrix_records, viewport):
    """Every page of tests/e2e/test_small_screens.py's list (from the URL patterns), as the administrator,
    who may open all of them, on a laptop and on a phone."""
    axe = Axe()
    found = []
    page = e2e.new_page()
    page.set_viewport_size(viewport)
    page.goto("/anmelden/")
    if violations := blocking_violations(axe, page):
        found.append(describe("Anmeldung", "/anmelden/", violations))
    e2e.login(page, people["admin"].username)

    for label, path in pages_for("admin", matrix_records):
        response = page.goto(path)
        assert response.status == 200, f"{label} ({path}): HTTP {response.status}"
        if violations := blocking_violations(axe, page):
            found.append(describe(label, path, violations))

    assert not found, f"axe bei {viewport['width']} px: schwerwiegende Barrierefreiheitsprobleme\n\n" + "\n\n".join(
        found
    )
    e2e.assert_clean_console()
