"""Sessions end after SESSION_COOKIE_AGE without a request, never while the person works.

Also: the keep-alive behind "Angemeldet bleiben", the login page after an ended session,
and what base.html hands to static/js/session.js.
"""

import datetime
import re

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse

from config.middleware import session_refresh_seconds

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 28, 9, 0, tzinfo=datetime.UTC)
HOME = "casework:home"


@pytest.mark.parametrize(("age", "refresh"), [(40, 4), (600, 60), (3600, 60), (5, 1)])
def test_refresh_interval_scales_with_the_timeout(settings, age, refresh):
    settings.SESSION_COOKIE_AGE = age
    assert session_refresh_seconds() == refresh


def test_a_person_who_works_stays_signed_in(client, people, settings):
    # The reported case: a 40-second timeout and a request every 8 seconds.
    settings.SESSION_COOKIE_AGE = 40
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(people["advisor_mo"])
        for _ in range(12):  # 96 seconds, more than twice the timeout
            clock.shift(8)
            assert client.get(reverse(HOME)).status_code == 200


def test_the_timeout_counts_from_the_last_request(client, people, settings):
    settings.SESSION_COOKIE_AGE = 40
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(people["advisor_mo"])
        clock.shift(30)
        assert client.get(reverse(HOME)).status_code == 200
        clock.shift(36)  # 66 s after signing in, 36 s after the last request
        assert client.get(reverse(HOME)).status_code == 200
        clock.shift(41)  # longer than the timeout without a request
        response = client.get(reverse(HOME))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_page_tells_the_script_how_long_the_session_has_left(client, people, settings):
    settings.SESSION_COOKIE_AGE = 600
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(people["advisor_mo"])
        client.get(reverse(HOME))  # renews: 600 s left
        clock.shift(30)  # within the refresh interval (60 s): not renewed, so 570 s are left
        html = client.get(reverse(HOME)).content.decode()
    assert 'data-session-age="600"' in html
    assert 'data-session-seconds-left="570"' in html
    assert f'data-session-keepalive-url="{reverse("casework:session_keepalive")}"' in html
    assert 'id="session-notice"' in html
    assert "Angemeldet bleiben" in html
    assert re.search(r'<meta name="csrf-token" content="\w+">', html)
    assert 'src="/static/js/session.js"' in html
    assert 'src="/static/js/drafts.js"' in html


def test_anonymous_pages_carry_no_session_data(client):
    html = client.get(reverse("login")).content.decode()
    assert "data-session-age" not in html
    assert "data-user" not in html
    assert "session-notice" not in html


# --- Keep-alive ---------------------------------------------------------------------------


def test_keepalive_renews_the_session(client, people, settings):
    settings.SESSION_COOKIE_AGE = 600
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(people["advisor_mo"])
        client.get(reverse(HOME))
        clock.shift(30)  # a page request would not renew yet; the button always does
        response = client.post(reverse("casework:session_keepalive"))
        assert response.status_code == 204
        assert response.content == b""
        assert client.session.get_expiry_date() == START + datetime.timedelta(seconds=630)
        clock.shift(590)  # 620 s after the last page (would have ended), 590 s after the keep-alive
        assert client.get(reverse(HOME)).status_code == 200


def test_keepalive_only_answers_post(client, people):
    client.force_login(people["advisor_mo"])
    assert client.get(reverse("casework:session_keepalive")).status_code == 405


def test_keepalive_without_session_revives_nothing(client):
    response = client.post(reverse("casework:session_keepalive"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Session.objects.exists()


def test_keepalive_needs_the_csrf_token(people):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people["advisor_mo"])
    assert client.post(reverse("casework:session_keepalive")).status_code == 403


# --- After the session has ended ------------------------------------------------------------


def end_session(client):
    Session.objects.filter(session_key=client.session.session_key).delete()


def test_save_after_the_session_ended_leads_to_a_login_that_returns_to_the_form(client, people, records):
    consultation = records["own"]
    edit_url = reverse("casework:consultation_edit", kwargs={"pk": consultation.pk})
    summary = consultation.summary
    client.force_login(people["advisor_mo"])
    end_session(client)

    response = client.post(edit_url, {"summary": "Neu"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={edit_url}&sitzung=abgelaufen"
    consultation.refresh_from_db()
    assert consultation.summary == summary  # nothing saved

    login_page = client.get(response["Location"]).content.decode()
    assert "Ihre Sitzung ist wegen Inaktivität abgelaufen." in login_page
    assert "als Entwurf angeboten" in login_page
    assert f'name="next" value="{edit_url}"' in login_page

    signed_in = client.post(
        response["Location"], {"username": "beratung-mo", "password": "pw-beratung-mo", "next": edit_url}
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"] == edit_url


def test_login_page_without_an_ended_session_says_nothing_about_it(client, people):
    response = client.get(reverse(HOME))  # never signed in: no session cookie
    assert response.status_code == 302
    assert "sitzung=" not in response["Location"]
    assert "Ihre Sitzung" not in client.get(response["Location"]).content.decode()


def test_signing_out_is_not_reported_as_an_ended_session(client, people):
    client.force_login(people["advisor_mo"])
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "sitzung=" not in response["Location"]
    # The session cookie is gone, so later pages do not claim an ended session either.
    assert "sitzung=" not in client.get(reverse(HOME))["Location"]


def test_marker_alone_does_not_claim_an_ended_session(client):
    # The message needs a page to return to; the marker on its own shows nothing.
    assert "Ihre Sitzung" not in client.get(reverse("login") + "?sitzung=abgelaufen").content.decode()


# --- base.html --------------------------------------------------------------------------------


def test_language_switch_names_each_language_in_itself(client, people):
    client.force_login(people["advisor_mo"])
    german = client.get(reverse(HOME)).content.decode()
    assert re.search(r'value="en"[^>]*lang="en">English</button>', german)
    assert "Englisch" not in german
    client.cookies["django_language"] = "en"
    english = client.get(reverse(HOME)).content.decode()
    assert re.search(r'value="de"[^>]*lang="de">Deutsch</button>', english)


def test_password_change_in_the_user_menu_when_the_page_exists(client, people):
    from django.urls import NoReverseMatch

    client.force_login(people["advisor_mo"])
    html = client.get(reverse(HOME)).content.decode()
    try:
        url = reverse("password_change")
    except NoReverseMatch:
        assert "Passwort ändern" not in html  # the page never breaks without it
    else:
        assert f'<a class="dropdown-item" href="{url}">Passwort ändern</a>' in html


def test_logout_form_is_marked_for_deleting_drafts(client, people):
    client.force_login(people["advisor_mo"])
    html = client.get(reverse(HOME)).content.decode()
    assert f'action="{reverse("logout")}" data-logout' in html


def test_too_long_text_is_refused_with_a_german_message(client, people, records):
    consultation = records["own"]
    client.force_login(people["advisor_mo"])
    url = reverse("casework:consultation_edit", kwargs={"pk": consultation.pk})
    form = client.get(url).context["form"]
    data = {field.name: field.value() for field in form if field.value() is not None}
    data["summary"] = "x" * 5001
    response = client.post(url, data)
    assert response.status_code == 200
    assert "höchstens 5000 Zeichen besteht. (Er besteht aus 5001 Zeichen.)" in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.summary != "x" * 5001
