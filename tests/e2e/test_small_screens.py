"""Small screens (issue 10): no page is wider than a 390 px phone, and list filters fold away.

The pages come from the URL patterns and the permission matrix (tests/test_permissions.py): every URL
a person may open (expected status 200), with one record each, so new pages are checked without
touching this file. Only the few URLs in NOT_PAGES are left out, each with its reason.
tests/e2e/test_accessibility.py runs axe on the same pages.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.test_permissions import EXCLUDED_NAMESPACES, MATRIX, URL_KWARGS, all_url_names, target_pk

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}

# The people who sign in, by their role in the `people` fixture.
ROLES = ["advisor_mo", "coordinator_mo", "coordinator_lots", "admin"]

# URL names that are not HTML pages a person looks at.
NOT_PAGES = {
    "organisations:picker": "JSON for the organisation picker",
    "organisations:similar": "JSON for the duplicate hint of the organisation form",
    "reports:report_download": "a file download (PDF, Excel, CSV)",
    "casework:calendar_feed": "an iCalendar feed for calendar apps",
    "healthz": "JSON for monitoring",
    "otp_webauthn:js-i18n-catalog": "the passkey script's texts (JavaScript)",
    "casework:import_template": "an XLSX template download",
    "casework:import_progress": "JSON for the import status page",
    "casework:consultation_export": "a file download (CSV, Excel)",
    "casework:organisation_export": "a file download (CSV, Excel)",
    "casework:case_export": "a file download (CSV, Excel)",
    "casework:follow_up_export": "a file download (CSV, Excel)",
    "casework:follow_up_unit_export": "a file download (CSV, Excel)",
    "casework:event_export": "a file download (CSV, Excel)",
    "casework:organisation_dossier_pdf": "a PDF download",
    "casework:consultation_dossier_pdf": "a PDF download",
}

# Pages that need a query string to show their content instead of a form error (HTTP 400).
REPORT_PREVIEW_QUERY = "?scope={scope}&period_kind=year&year=2026"
REPORT_SCOPE = {"coordinator_mo": "mo", "coordinator_lots": "lots", "admin": "all"}
# Pages with a query string: lists with an active filter (on a phone the filter card is then open) and
# search results.
WITH_QUERY = [
    ("casework:consultation_list", "?q=Verein&format=in_person"),
    ("organisations:organisation_list", "?q=Verein"),
    ("casework:search", "?q=Verein"),
]


# One record per URL and person keeps the run short. The people look at different records, so that
# together they see the own, the foreign (Lots: quality profiles) and the shared ones (both units' badges).
TARGET_PREFERENCE = {
    "advisor_mo": ["-", "own", "shared"],
    "coordinator_mo": ["-", "shared", "own"],
    "coordinator_lots": ["-", "foreign", "shared"],
    "admin": ["-", "shared", "foreign", "own"],
}


def pages_for(role, records):
    """(label, path) of every HTML page `role` may open, with the records of `matrix_records`."""
    names = {name for name in all_url_names() if name.split(":")[0] not in EXCLUDED_NAMESPACES}
    pages = []
    # A URL without a matrix row fails tests/test_permissions.py; here it is left out.
    for name in sorted((names & MATRIX.keys()) - NOT_PAGES.keys()):
        kind, targets = MATRIX[name]
        if name == "reports:report_preview":
            if role in REPORT_SCOPE:
                pages.append((name, reverse(name) + REPORT_PREVIEW_QUERY.format(scope=REPORT_SCOPE[role])))
            continue
        visible = [target for target in TARGET_PREFERENCE[role] if targets.get(target, {}).get(role) == 200]
        if not visible:
            continue
        pk = target_pk(records, kind, visible[0])
        kwargs = URL_KWARGS.get(name)
        kwargs = kwargs(pk) if callable(kwargs) else kwargs
        pages.append((f"{name} ({visible[0]})", reverse(name, kwargs=kwargs or ({"pk": pk} if pk else None))))
    pages += [(f"{name} ({query})", reverse(name) + query) for name, query in WITH_QUERY if name in names]
    return pages


def horizontal_overflow(page):
    """How many pixels the page is wider than the window (0 when nothing overflows)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def widest_elements(page):
    """The elements that reach past the window's right edge: the failure message names them."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("body *"))
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
            .slice(-5)
            .map(el => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)} px)`)"""
    )


def open_page(page, path):
    response = page.goto(path)
    assert response is not None, path
    return response.status


@pytest.mark.parametrize("role", ROLES)
def test_no_page_is_wider_than_a_phone(e2e, people, matrix_records, role):
    page = e2e.new_page()
    page.set_viewport_size(PHONE)
    problems = []
    if role == ROLES[0]:
        open_page(page, "/anmelden/")
        if overflow := horizontal_overflow(page):
            problems.append(f"Anmeldung (/anmelden/): {overflow} px zu breit: {widest_elements(page)}")
    e2e.login(page, people[role].username)

    pages = pages_for(role, matrix_records)
    assert len(pages) > 20, "the page list comes from the URL patterns: it cannot be this short"
    for label, path in pages:
        status = open_page(page, path)
        if status != 200:
            problems.append(f"{label} ({path}): HTTP {status}")
        elif overflow := horizontal_overflow(page):
            problems.append(f"{label} ({path}): {overflow} px zu breit: {widest_elements(page)}")

    assert not problems, f"{role} bei 390 px:\n" + "\n".join(problems)
    e2e.assert_clean_console()


def test_filter_card_folds_on_a_phone_and_stays_open_on_wide_screens(e2e, people, records):
    page = e2e.new_page()
    e2e.login(page, people["coordinator_mo"].username)
    page.set_viewport_size(PHONE)
    page.goto("/beratungen/")
    toggle = page.get_by_role("button", name="Filter", exact=True)
    search_field = page.get_by_role("search", name="Beratungen filtern")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(search_field).to_be_hidden()
    # Keyboard: the toggle is a real button.
    toggle.focus()
    page.keyboard.press("Enter")
    expect(search_field).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")

    # Wide screens: the card is always open and the button is gone.
    page.set_viewport_size(WIDE)
    page.reload()
    expect(page.get_by_role("search", name="Beratungen filtern")).to_be_visible()
    expect(page.get_by_role("button", name="Filter", exact=True)).to_be_hidden()

    # An active filter opens the card on a phone too, and the button says how many.
    page.set_viewport_size(PHONE)
    page.goto("/beratungen/?q=Verein&format=in_person")
    expect(page.get_by_role("button", name="Filter (2 aktiv)")).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("search", name="Beratungen filtern")).to_be_visible()
    e2e.assert_clean_console()


def test_list_rows_become_labelled_cards_on_a_phone(e2e, people, records):
    page = e2e.new_page()
    e2e.login(page, people["coordinator_mo"].username)
    page.set_viewport_size(PHONE)
    page.goto("/beratungen/")
    first_row = page.locator(".list-results tbody tr").first
    organisation_cell = first_row.locator("td").nth(1)
    expect(organisation_cell).to_have_attribute("data-label", "Organisation")
    # Stacked: the cells sit one below the other, each as wide as the row.
    row_box, cell_box = first_row.bounding_box(), organisation_cell.bounding_box()
    assert cell_box["width"] > row_box["width"] * 0.8
    assert horizontal_overflow(page) == 0

    page.set_viewport_size(WIDE)
    date_box = first_row.locator("td").first.bounding_box()
    organisation_box = organisation_cell.bounding_box()
    assert organisation_box["x"] > date_box["x"] + date_box["width"] - 1, "a table row again on wide screens"
    e2e.assert_clean_console()
