"""Every signed-in person changes their own password on German pages and stays signed in."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.matrix import ROLES

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "Sommerfest-im-Stadtteil-2026"


def change(client, old, new1=NEW_PASSWORD, new2=NEW_PASSWORD):
    data = {"old_password": old, "new_password1": new1, "new_password2": new2}
    return client.post(reverse("password_change"), data)


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_post_changes_nothing(client, people):
    person = people["advisor_mo"]
    response = change(client, old="pw-beratung-mo")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("pw-beratung-mo")


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_every_role_changes_own_password_and_stays_signed_in(client, people, role):
    person = people[role]
    client.force_login(person)
    page = client.get(reverse("password_change"))
    assert "Passwort ändern" in page.content.decode()
    assert "Altes Passwort" in page.content.decode()

    response = change(client, old=f"pw-{person.username}")

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    # The session survives the change: the next page is served, not the login page.
    done = client.get(reverse("password_change_done"))
    assert done.status_code == 200
    assert "Passwort geändert" in done.content.decode()
    assert client.get(reverse("casework:home")).status_code == 200


def test_only_own_password_changes(client, people):
    client.force_login(people["advisor_mo"])
    change(client, old="pw-beratung-mo")
    colleague = User.objects.get(pk=people["coordinator_mo"].pk)
    assert colleague.check_password("pw-koordination-mo")


def test_wrong_old_password_changes_nothing(client, people):
    person = people["advisor_mo"]
    client.force_login(person)
    response = change(client, old="falsch")
    assert response.status_code == 200
    assert "Das alte Passwort war falsch. Bitte neu eingeben." in response.content.decode()
    person.refresh_from_db()
    assert person.check_password("pw-beratung-mo")


@pytest.mark.parametrize(
    ("new1", "new2", "message"),
    [
        ("kurz-1", "kurz-1", "Dieses Passwort ist zu kurz. Es muss mindestens 12 Zeichen enthalten."),
        ("password1234", "password1234", "Dieses Passwort ist zu üblich."),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "Die beiden Passwörter sind nicht identisch."),
    ],
)
def test_password_rules_apply_with_german_messages(client, people, new1, new2, message):
    person = people["advisor_mo"]
    client.force_login(person)
    response = change(client, old="pw-beratung-mo", new1=new1, new2=new2)
    assert response.status_code == 200
    assert message in response.content.decode()
    person.refresh_from_db()
    assert person.check_password("pw-beratung-mo")


def test_wrong_old_passwords_do_not_lock_anyone_out(client, people):
    """The form checks the old password itself, so django-axes counts no failed logins."""
    person = people["advisor_mo"]
    client.force_login(person)
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        change(client, old="falsch")
    assert change(client, old="pw-beratung-mo").status_code == 302
    client.logout()
    response = client.post(reverse("login"), {"username": "beratung-mo", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("casework:home")).status_code == 200
