"""axe-core on the main pages: no violation of impact "serious" or "critical"."""

import pytest
from axe_playwright_python.sync_playwright import Axe

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
    ]
    for label, path in pages:
        response = page.goto(path)
        assert response.status == 200, f"{label} ({path}): HTTP {response.status}"
        if violations := blocking_violations(axe, page):
            found.append(describe(label, path, violations))

    assert not found, "axe: schwerwiegende Barrierefreiheitsprobleme\n\n" + "\n\n".join(found)
    e2e.assert_clean_console()
