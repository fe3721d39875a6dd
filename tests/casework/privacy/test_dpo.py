"""The "Datenschutz" page: the processing record of the tool, with the deletion periods in force."""

import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = "/datenschutz/"


def test_url():
    assert reverse("casework:dpo") == URL


@pytest.mark.parametrize("role", ["coordinator_mo", "coordinator_lots", "admin"])
def test_coordinators_and_admins_read_the_processing_record(client, people, role):
    client.force_login(people[role])
    html = client.get(URL).content.decode()
    for text in (
        "Verzeichnis der Verarbeitungstätigkeiten (Art. 30 DSGVO)",
        "Ansprechpersonen",
        "Zugriffsprotokoll",
        "Wer sieht sie",
        "3 Jahre nach dem letzten Kontakt",
        "365 Tage nach dem Eintrag",
    ):
        assert text in html, text


@override_settings(
    RETENTION={"contact_person_years": 7, "free_text_years": 9, "history_years": 11, "access_log_days": 30}
)
def test_periods_are_read_from_the_settings_in_force(client, people):
    client.force_login(people["coordinator_mo"])
    html = client.get(URL).content.decode()
    assert "7 Jahre nach dem letzten Kontakt" in html
    assert "9 Jahre nach Ende des Förderjahres" in html
    assert "11 Jahre nach der Änderung" in html
    assert "30 Tage nach dem Eintrag" in html
    assert "3 Jahre nach dem letzten Kontakt" not in html


@pytest.mark.parametrize("role", ["advisor_mo", "advisor_lots"])
def test_advisors_are_refused(client, people, role):
    client.force_login(people[role])
    assert client.get(URL).status_code == 403


def test_post_is_not_allowed(client, people):
    client.force_login(people["admin"])
    assert client.post(URL).status_code == 405


@pytest.mark.parametrize(("role", "shown"), [("coordinator_mo", True), ("admin", True), ("advisor_mo", False)])
def test_navigation_links_the_page(client, people, role, shown):
    client.force_login(people[role])
    html = client.get(reverse("casework:home")).content.decode()
    assert (f'href="{URL}"' in html) is shown
