"""'Meine Einstellungen': every signed-in person switches their own e-mails off and on, nobody else's."""

import re

import pytest
from django.urls import reverse

from casework.models import NotificationSettings
from tests.matrix import ROLES

pytestmark = pytest.mark.django_db

URL = reverse("casework:account_settings")


def test_anonymous_is_sent_to_login_and_post_changes_nothing(client, people):
    response = client.post(URL, {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not NotificationSettings.objects.exists()


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_page_shows_both_boxes_on_by_default_and_is_linked_from_the_menu(client, people, role):
    client.force_login(people[role])
    page = client.get(URL).content.decode()
    assert "Meine Einstellungen" in page
    assert 'name="daily_digest"' in page and 'name="report_ready"' in page
    for name in ("daily_digest", "report_ready"):
        assert re.search(rf'<input[^>]*name="{name}"[^>]*checked', page), name
    assert f'href="{URL}"' in client.get(reverse("casework:home")).content.decode()
    # Showing the page stores nothing.
    assert not NotificationSettings.objects.exists()


def test_post_toggles_own_settings_only(client, people):
    person, colleague = people["advisor_mo"], people["coordinator_mo"]
    NotificationSettings.objects.create(user=colleague, daily_digest=True, report_ready=True)
    client.force_login(person)

    # Both boxes unticked: the browser sends no field at all, and that must still save.
    response = client.post(URL, {})
    assert response.status_code == 302
    stored = NotificationSettings.objects.get(user=person)
    assert (stored.daily_digest, stored.report_ready) == (False, False)
    assert "Ihre Einstellungen wurden gespeichert." in client.get(URL).content.decode()

    client.post(URL, {"daily_digest": "on"})
    stored.refresh_from_db()
    assert (stored.daily_digest, stored.report_ready) == (True, False)
    assert NotificationSettings.objects.filter(user=person).count() == 1

    # A user field in the POST is ignored: nobody changes someone else's settings.
    client.post(URL, {"user": colleague.pk})
    colleague_settings = NotificationSettings.objects.get(user=colleague)
    assert (colleague_settings.daily_digest, colleague_settings.report_ready) == (True, True)


def test_missing_email_address_is_explained(client, people):
    person = people["advisor_mo"]
    client.force_login(person)
    assert "keine E-Mail-Adresse hinterlegt" in client.get(URL).content.decode()
    person.email = "aylin.demir@example.org"
    person.save()
    page = client.get(URL).content.decode()
    assert "aylin.demir@example.org" in page
    assert "keine E-Mail-Adresse hinterlegt" not in page


def test_wrong_method_is_refused(client, people):
    client.force_login(people["advisor_mo"])
    assert client.put(URL).status_code == 405
    assert not NotificationSettings.objects.exists()
