"""Password reset by e-mail: German pages, the same answer for every address, one-time links, throttling, logged."""

import datetime
import re
import time

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from casework.accounts.people import password_reset
from casework.audit.models import AccessEvent

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "Herbstfest-am-Marktplatz-2026"
SAME_ANSWER = "Wenn zu dieser Adresse ein aktives Konto gehört"


@pytest.fixture
def person(people):
    person = people["advisor_mo"]
    User.objects.filter(pk=person.pk).update(email="aylin@example.org")
    person.refresh_from_db()
    return person


def request_reset(client, email):
    return client.post(reverse("password_reset"), {"email": email}, follow=True)


def reset_link():
    return re.search(r"https?://\S+/passwort/neu/\S+/", mail.outbox[-1].body).group(0)


def events(detail):
    return AccessEvent.objects.filter(kind=AccessEvent.Kind.ACCOUNT, detail=detail)


def test_login_page_links_to_reset(client):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()


def test_known_and_unknown_address_get_the_same_answer(client, person):
    known = request_reset(client, "Aylin@Example.org")
    unknown = request_reset(client, "niemand@example.org")
    assert SAME_ANSWER in known.content.decode()
    assert SAME_ANSWER in unknown.content.decode()
    assert known.redirect_chain == unknown.redirect_chain
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["aylin@example.org"]
    assert "Neues Passwort" in mail.outbox[0].subject
    assert person.username in mail.outbox[0].body
    assert events(password_reset.REQUESTED).filter(target_id=str(person.pk)).count() == 1
    assert events(password_reset.REQUESTED).filter(target_id="").count() == 1


def test_link_sets_password_once(client, person):
    request_reset(client, "aylin@example.org")
    link = reset_link()
    visitor = Client()
    form_url = visitor.get(link)["Location"]
    response = visitor.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True)
    assert "Ihr neues Passwort ist gespeichert" in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert events(password_reset.DONE).get().target_id == str(person.pk)
    again = Client().get(link, follow=True).content.decode()
    assert "Er ist abgelaufen oder wurde schon benutzt" in again


def test_weak_password_is_refused_in_german(client, person):
    request_reset(client, "aylin@example.org")
    visitor = Client()
    form_url = visitor.get(reset_link())["Location"]
    response = visitor.post(form_url, {"new_password1": "kurz", "new_password2": "kurz"})
    assert response.status_code == 200
    assert "Dieses Passwort ist zu kurz" in response.content.decode()
    person.refresh_from_db()
    assert person.check_password("pw-beratung-mo")


def test_expired_link_is_refused(client, person, settings):
    request_reset(client, "aylin@example.org")
    link = reset_link()
    later = time.time() + settings.PASSWORD_RESET_TIMEOUT + 60  # a timestamp: no time zone to get wrong
    with time_machine.travel(later):
        response = Client().get(link, follow=True)
    assert "Er ist abgelaufen oder wurde schon benutzt" in response.content.decode()


def test_deactivated_person_gets_no_mail_and_no_working_link(client, person):
    request_reset(client, "aylin@example.org")
    link = reset_link()
    User.objects.filter(pk=person.pk).update(is_active=False)
    request_reset(client, "aylin@example.org")
    assert len(mail.outbox) == 1
    assert "Er ist abgelaufen oder wurde schon benutzt" in Client().get(link, follow=True).content.decode()


def test_mails_per_person_are_throttled(person):
    for number in range(password_reset.PER_PERSON + 2):
        # A different address each time: only the per-person limit applies.
        client = Client(REMOTE_ADDR=f"192.0.2.{number + 1}")
        assert SAME_ANSWER in request_reset(client, "aylin@example.org").content.decode()
    assert len(mail.outbox) == password_reset.PER_PERSON
    assert events(password_reset.THROTTLED).count() == 2


def test_requests_per_address_are_throttled(people, person):
    client = Client(REMOTE_ADDR="192.0.2.7")
    for number in range(password_reset.PER_ADDRESS):
        request_reset(client, f"niemand{number}@example.org")
    response = request_reset(client, "aylin@example.org")
    assert SAME_ANSWER in response.content.decode()
    assert not mail.outbox
    # Another address is not affected.
    request_reset(Client(REMOTE_ADDR="192.0.2.8"), "aylin@example.org")
    assert len(mail.outbox) == 1


def test_throttle_window_passes(person):
    start = datetime.datetime(2026, 11, 28, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(password_reset.PER_PERSON + 1):
            request_reset(Client(), "aylin@example.org")
        assert len(mail.outbox) == password_reset.PER_PERSON
        clock.shift(password_reset.WINDOW + datetime.timedelta(minutes=1))
        request_reset(Client(), "aylin@example.org")
    assert len(mail.outbox) == password_reset.PER_PERSON + 1


def test_bad_address_is_refused_in_german(client):
    response = client.post(reverse("password_reset"), {"email": "keine-adresse"})
    assert response.status_code == 200
    assert "Bitte gültige E-Mail-Adresse eingeben." in response.content.decode()
    assert not mail.outbox
