"""Search in the browser: the list filter ignores accents, and the navigation's search finds every kind."""

import pytest
from playwright.sync_api import expect

from casework.models import Case, CaseGoal
from casework.roles import ADVISOR, role_group
from tests.factories import ConsultationFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def found(people, unit_mo, unit_lots):
    advisor = UserFactory(first_name="Çiğdem", last_name="Şahin")
    advisor.groups.add(role_group(unit_mo, ADVISOR))  # the list filter searches the advisors it offers
    organisation = OrganisationFactory(units=[unit_mo], name="Äthiopischer Kulturverein", municipality="Gießen")
    organisation.contacts.create(name="Selin Öztürk", function="Vorsitz", consent_date="2026-01-05")
    consultation = ConsultationFactory(
        unit=unit_mo, organisation=organisation, summary="Kassenprüfung geübt.", advisors=[advisor]
    )
    Case.objects.create(
        unit=unit_mo,
        organisation=organisation,
        title="Gründung des Dachverbands",
        goal=CaseGoal.objects.filter(unit=unit_mo).first(),
        opened_on="2026-01-05",
    )
    foreign = OrganisationFactory(units=[unit_lots], name="Äthiopische Lots*innen Gießen")
    ConsultationFactory(unit=unit_lots, organisation=foreign, summary="Kassenprüfung der Lots*innen.")
    ConsultationFactory(unit=unit_mo, summary="Satzung besprochen.")
    return consultation


def test_the_list_filter_ignores_accents_and_case(e2e, found):
    page = e2e.login(e2e.new_page(), "beratung-mo")
    page.goto("/beratungen/")
    page.get_by_label("Volltext").fill("SAHIN")
    page.get_by_role("button", name="Filtern").click()
    expect(page.get_by_text("1 Beratung", exact=True)).to_be_visible()
    expect(page.locator("tbody")).to_contain_text("Äthiopischer Kulturverein")
    e2e.assert_clean_console()


def test_the_navigation_search_finds_every_kind_the_person_may_see(e2e, found):
    page = e2e.login(e2e.new_page(), "beratung-mo")
    navigation = page.get_by_role("navigation", name="Hauptnavigation")
    search_box = navigation.get_by_role("searchbox", name="Suchen")
    search_box.fill("athiopischer giessen")
    search_box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Suche")
    organisations = page.get_by_role("region", name="Organisationen")
    expect(organisations.get_by_role("link", name="Äthiopischer Kulturverein")).to_be_visible()
    expect(page.get_by_role("region", name="Beratungen").get_by_role("listitem")).to_have_count(1)
    expect(page.get_by_role("region", name="Beratungsprozesse")).to_contain_text("Gründung des Dachverbands")
    expect(page.get_by_text("Äthiopische Lots*innen Gießen")).to_have_count(0)  # the other unit's

    page.get_by_role("searchbox", name="Suchbegriff").fill("ozturk")
    page.get_by_role("main").get_by_role("button", name="Suchen").click()
    expect(page.get_by_role("region", name="Ansprechpersonen")).to_contain_text("Selin Öztürk")
    e2e.assert_clean_console()
