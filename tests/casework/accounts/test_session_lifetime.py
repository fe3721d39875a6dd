"""A session ends SESSION_ABSOLUTE_AGE after its sign-in, however active the person is (besides the idle timeout)."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 28, 8, 0, tzinfo=datetime.UTC)
HOME = "casework:home"


def sign_in(client, username):
    response = client.post(reverse("login"), {"username": username, "password": f"pw-{username}"})
    assert response.status_code == 302


def test_absolute_lifetime_ends_an_active_session(client, people, settings):
    settings.SESSION_COOKIE_AGE = 60 * 60
    settings.SESSION_ABSOLUTE_AGE = 3 * 60 * 60
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, "beratung-mo")
        # A request every 20 minutes: the idle timeout never strikes.
        for _ in range(8):  # 2 h 40 min
            clock.shift(20 * 60)
            assert client.get(reverse(HOME)).status_code == 200
        clock.shift(20 * 60)  # 3 h after the sign-in
        response = client.get(reverse("casework:consultation_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "sitzung=hoechstdauer" in response["Location"]
    assert not Session.objects.exists()  # the row is gone, not just unused
    page = client.get(response["Location"]).content.decode()
    assert "Höchstdauer erreicht" in page


def test_session_lives_until_the_limit(client, people, settings):
    settings.SESSION_COOKIE_AGE = 4 * 60 * 60
    settings.SESSION_ABSOLUTE_AGE = 3 * 60 * 60
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, "beratung-mo")
        clock.shift(3 * 60 * 60 - 30)
        assert client.get(reverse(HOME)).status_code == 200


def test_new_sign_in_starts_a_new_lifetime(client, people, settings):
    settings.SESSION_ABSOLUTE_AGE = 60 * 60
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, "beratung-mo")
        clock.shift(50 * 60)
        client.post(reverse("logout"))
        sign_in(client, "beratung-mo")
        clock.shift(50 * 60)  # 100 minutes after the first sign-in, 50 after the second
        assert client.get(reverse(HOME)).status_code == 200


def test_session_without_stamp_starts_counting(client, people, settings):
    """Sessions signed in before the stamp existed get one at their next request, not an instant end."""
    settings.SESSION_COOKIE_AGE = 2 * 60 * 60
    settings.SESSION_ABSOLUTE_AGE = 60 * 60
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(people["advisor_mo"])
        session = client.session
        session.pop("signed_in_at", None)
        session.save()
        assert client.get(reverse(HOME)).status_code == 200
        clock.shift(59 * 60)
        assert client.get(reverse(HOME)).status_code == 200
        clock.shift(2 * 60)
        assert client.get(reverse(HOME)).status_code == 302


def test_other_people_are_not_affected(people, settings):
    settings.SESSION_ABSOLUTE_AGE = 60 * 60
    early, late = Client(), Client()
    with time_machine.travel(START, tick=False) as clock:
        sign_in(early, "beratung-mo")
        clock.shift(40 * 60)
        sign_in(late, "beratung-lots")
        clock.shift(30 * 60)
        assert early.get(reverse(HOME)).status_code == 302
        assert late.get(reverse(HOME)).status_code == 200


def test_default_is_twelve_hours():
    from config import settings as project_settings

    assert project_settings.SESSION_ABSOLUTE_AGE == 12 * 60 * 60
