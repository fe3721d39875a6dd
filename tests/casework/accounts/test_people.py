"""Administrators manage people on German pages: list, invite, roles, deactivate with hand-over, reactivate."""

import datetime
import re
import time
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from casework.accounts.people import services
from casework.audit.models import AccessEvent
from casework.models import Case, FollowUp
from casework.roles import ADVISOR, COORDINATOR, admin_group, role_group
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "Sommerfest-im-Stadtteil-2026"


def account_events(person, detail):
    return AccessEvent.objects.filter(
        kind=AccessEvent.Kind.ACCOUNT, target_kind="user", target_id=str(person.pk), detail__startswith=detail
    )


def sessions_of(person):
    return [s for s in Session.objects.all() if str(s.get_decoded().get(SESSION_KEY)) == str(person.pk)]


# --- List ----------------------------------------------------------------------------------------


def test_list_shows_units_roles_and_last_sign_in(client, people, unit_mo):
    person = people["coordinator_mo"]
    User.objects.filter(pk=person.pk).update(last_login=datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC))
    client.force_login(people["admin"])
    html = client.get(reverse("casework:people_list")).content.decode()
    row = re.search(rf'<tr data-person="{person.pk}">(.*?)</tr>', html, re.S).group(1)
    assert f"Koordinator*in {unit_mo.short_name}" in row
    assert "02.03.2026 10:30" in row  # Berlin time
    assert f'data-person="{people["advisor_lots"].pk}"' in html


def test_list_filters_by_status(client, people):
    User.objects.filter(pk=people["advisor_lots"].pk).update(is_active=False)
    client.force_login(people["admin"])
    active = client.get(reverse("casework:people_list")).content.decode()
    inactive = client.get(reverse("casework:people_list"), {"status": "deaktiviert"}).content.decode()
    assert f'data-person="{people["advisor_lots"].pk}"' not in active
    assert f'data-person="{people["advisor_lots"].pk}"' in inactive
    assert f'data-person="{people["advisor_mo"].pk}"' not in inactive


def test_superuser_counts_as_administrator(client, people):
    boss = make_person("chefin", is_superuser=True)
    client.force_login(boss)
    assert client.get(reverse("casework:people_list")).status_code == 200


# --- Invitation ----------------------------------------------------------------------------------

INVITE = {
    "first_name": "Mina",
    "last_name": "Yilmaz",
    "email": "mina@example.org",
    "username": "mina",
}


def invite(client, unit_mo, **extra):
    data = {**INVITE, f"unit_{unit_mo.pk}": ADVISOR, **extra}
    return client.post(reverse("casework:person_invite"), data)


def invitation_link():
    return re.search(r"https?://\S+/konto/einladung/\S+/", mail.outbox[-1].body).group(0)


def test_invite_creates_account_with_roles_and_sends_link(client, people, unit_mo, unit_lots):
    client.force_login(people["admin"])
    response = invite(client, unit_mo, **{f"unit_{unit_lots.pk}": COORDINATOR})
    assert response.status_code == 302
    person = User.objects.get(username="mina")
    assert not person.has_usable_password()
    assert set(person.groups.all()) == {role_group(unit_mo, ADVISOR), role_group(unit_lots, COORDINATOR)}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mina@example.org"]
    assert "Einladung" in mail.outbox[0].subject
    assert account_events(person, "invited").get().user == people["admin"]


def test_invitation_link_works_once(client, people, unit_mo):
    client.force_login(people["admin"])
    invite(client, unit_mo)
    link = invitation_link()
    visitor = Client()
    response = visitor.get(link)
    assert response.status_code == 302  # Django moves the token out of the address
    form_url = response["Location"]
    response = visitor.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("login")
    person = User.objects.get(username="mina")
    assert person.check_password(PASSWORD)
    assert account_events(person, "invitation_accepted").exists()
    # Signing in works, through the login page (axes counts there).
    signed_in = Client()
    assert signed_in.post(reverse("login"), {"username": "mina", "password": PASSWORD}).status_code == 302
    assert signed_in.get(reverse("casework:home")).status_code == 200
    # The same link again: refused, in German.
    response = Client().get(link, follow=True)
    assert "abgelaufen oder wurde schon benutzt" in response.content.decode()
    assert "new_password1" not in response.content.decode()


def test_expired_invitation_is_refused(client, people, unit_mo, settings):
    client.force_login(people["admin"])
    invite(client, unit_mo)
    link = invitation_link()
    later = time.time() + settings.INVITATION_TIMEOUT + 60  # a timestamp: no time zone to get wrong
    with time_machine.travel(later):
        response = Client().get(link, follow=True)
    assert "abgelaufen oder wurde schon benutzt" in response.content.decode()
    assert not User.objects.get(username="mina").has_usable_password()


def test_password_reset_link_is_no_invitation(client, people, unit_mo):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    client.force_login(people["admin"])
    invite(client, unit_mo)
    person = User.objects.get(username="mina")
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    url = reverse(
        "casework:invitation_accept", kwargs={"uidb64": uid, "token": default_token_generator.make_token(person)}
    )
    assert "abgelaufen oder wurde schon benutzt" in Client().get(url, follow=True).content.decode()


def test_deactivated_person_cannot_use_invitation(client, people, unit_mo):
    client.force_login(people["admin"])
    invite(client, unit_mo)
    link = invitation_link()
    User.objects.filter(username="mina").update(is_active=False)
    assert "abgelaufen oder wurde schon benutzt" in Client().get(link, follow=True).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "BERATUNG-MO", "Dieser Benutzername ist schon vergeben."),
        ("email", "", "Dieses Feld ist zwingend erforderlich."),
        ("email", "keine-adresse", "Bitte gültige E-Mail-Adresse eingeben."),
        ("username", "mit leerzeichen", "Benutzername"),
    ],
)
def test_bad_invitation_changes_nothing(client, people, unit_mo, field, value, message):
    client.force_login(people["admin"])
    before = User.objects.count()
    response = invite(client, unit_mo, **{field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == before
    assert not mail.outbox


def test_invitation_refuses_an_address_already_in_use(client, people, unit_mo):
    User.objects.filter(pk=people["advisor_mo"].pk).update(email="Mina@Example.org")
    client.force_login(people["admin"])
    response = invite(client, unit_mo)
    assert "Zu dieser E-Mail-Adresse gibt es schon ein Konto." in response.content.decode()
    assert not User.objects.filter(username="mina").exists()


def test_reinvite_sends_a_new_link(client, people, unit_mo):
    client.force_login(people["admin"])
    invite(client, unit_mo)
    person = User.objects.get(username="mina")
    response = client.post(reverse("casework:person_reinvite", kwargs={"pk": person.pk}))
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert account_events(person, "invitation_resent").exists()


# --- Roles ---------------------------------------------------------------------------------------


def test_role_change_takes_effect_on_the_next_request(client, people, records, unit_mo):
    advisor = people["advisor_mo"]
    own = records["own"]
    delete_url = reverse("casework:consultation_delete", kwargs={"pk": own.pk})
    advisor_client = Client()
    advisor_client.force_login(advisor)
    assert advisor_client.get(delete_url).status_code == 403
    client.force_login(people["admin"])
    response = client.post(
        reverse("casework:person_roles", kwargs={"pk": advisor.pk}), {f"unit_{unit_mo.pk}": COORDINATOR}
    )
    assert response.status_code == 302
    assert set(advisor.groups.all()) == {role_group(unit_mo, COORDINATOR)}
    assert advisor_client.get(delete_url).status_code == 200
    assert account_events(advisor, "roles_changed").count() == 1
    # Taking every role away: the person sees no record any more.
    client.post(reverse("casework:person_roles", kwargs={"pk": advisor.pk}), {})
    assert not advisor.groups.exists()
    assert advisor_client.get(reverse("casework:consultation_detail", kwargs={"pk": own.pk})).status_code == 404


def test_role_change_keeps_other_groups(client, people, unit_mo):
    from django.contrib.auth.models import Group

    advisor = people["advisor_mo"]
    other = Group.objects.create(name="Newsletter")
    advisor.groups.add(other)
    client.force_login(people["admin"])
    client.post(reverse("casework:person_roles", kwargs={"pk": advisor.pk}), {"admin": "on"})
    assert set(advisor.groups.all()) == {other, admin_group()}
    advisor.refresh_from_db()
    assert advisor.is_staff


def test_administrator_keeps_own_administration_role(client, people):
    admin = people["admin"]
    client.force_login(admin)
    response = client.post(reverse("casework:person_roles", kwargs={"pk": admin.pk}), {})
    assert response.status_code == 200
    assert "Die eigene Administrationsrolle" in response.content.decode()
    assert admin_group() in admin.groups.all()


def test_bad_role_value_changes_nothing(client, people, unit_mo):
    advisor = people["advisor_mo"]
    client.force_login(people["admin"])
    response = client.post(reverse("casework:person_roles", kwargs={"pk": advisor.pk}), {f"unit_{unit_mo.pk}": "boss"})
    assert response.status_code == 200
    assert "Bitte eine gültige Auswahl treffen." in response.content.decode()
    assert set(advisor.groups.all()) == {role_group(unit_mo, ADVISOR)}


def test_administrator_cannot_change_a_superuser(client, people):
    boss = make_person("chefin", is_superuser=True)
    client.force_login(people["admin"])
    assert client.post(reverse("casework:person_roles", kwargs={"pk": boss.pk}), {}).status_code == 403
    assert client.post(reverse("casework:person_deactivate", kwargs={"pk": boss.pk})).status_code == 403
    boss.refresh_from_db()
    assert boss.is_active


def test_unknown_person_is_404(client, people):
    client.force_login(people["admin"])
    assert client.get(reverse("casework:person_roles", kwargs={"pk": 2**63})).status_code == 404
    assert client.get(reverse("casework:person_deactivate", kwargs={"pk": 999999})).status_code == 404


# --- Deactivation --------------------------------------------------------------------------------


def test_deactivation_ends_sessions_and_hands_over_work(client, people, records, unit_mo):
    advisor, colleague = people["advisor_mo"], people["coordinator_mo"]
    # Two open sessions of the advisor (two devices), one of a colleague.
    device_a, device_b, colleague_client = Client(), Client(), Client()
    device_a.force_login(advisor)
    device_b.force_login(advisor)
    colleague_client.force_login(colleague)
    assert device_a.get(reverse("casework:home")).status_code == 200
    assert len(sessions_of(advisor)) == 2
    open_follow_ups = set(services.open_follow_ups_of(advisor).values_list("pk", flat=True))
    assert open_follow_ups == {records["follow_up_own"].pk, records["follow_up_shared"].pk}
    case = records["case_own"]

    client.force_login(people["admin"])
    page = client.get(reverse("casework:person_deactivate", kwargs={"pk": advisor.pk})).content.decode()
    assert case.title in page
    assert f"successor_{unit_mo.pk}" in page
    response = client.post(
        reverse("casework:person_deactivate", kwargs={"pk": advisor.pk}), {f"successor_{unit_mo.pk}": colleague.pk}
    )
    assert response.status_code == 302

    advisor.refresh_from_db()
    assert not advisor.is_active
    assert sessions_of(advisor) == []
    assert len(sessions_of(colleague)) == 1
    # The open session is refused on its next request.
    response = device_a.get(reverse("casework:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert device_b.get(reverse("casework:consultation_list")).status_code == 302
    assert colleague_client.get(reverse("casework:home")).status_code == 200
    # The work moved, with history entries naming who moved it.
    assert set(FollowUp.objects.filter(pk__in=open_follow_ups).values_list("assigned_to", flat=True)) == {colleague.pk}
    case.refresh_from_db()
    assert case.responsible == colleague
    latest = case.history.first()
    assert latest.responsible_id == colleague.pk
    assert latest.history_user == people["admin"]
    assert FollowUp.history.filter(id=records["follow_up_own"].pk).first().history_user == people["admin"]
    assert account_events(advisor, "deactivated").count() == 1
    assert account_events(advisor, "reassigned").get().detail == "reassigned_follow_ups:2 reassigned_cases:1"


def test_done_follow_ups_and_closed_cases_stay(client, people, records, unit_mo):
    advisor, colleague = people["advisor_mo"], people["coordinator_mo"]
    done = records["follow_up_own"]
    FollowUp.objects.filter(pk=done.pk).update(done_at=datetime.datetime(2026, 3, 3, tzinfo=datetime.UTC))
    client.force_login(people["admin"])
    client.post(
        reverse("casework:person_deactivate", kwargs={"pk": advisor.pk}), {f"successor_{unit_mo.pk}": colleague.pk}
    )
    done.refresh_from_db()
    assert done.assigned_to == advisor


@pytest.mark.parametrize("successor", ["coordinator_lots", "admin", "advisor_mo", None, "x" * 30])
def test_reassignment_only_to_an_active_colleague_of_the_unit(client, people, records, unit_mo, successor):
    advisor = people["advisor_mo"]
    value = people[successor].pk if successor in people else (successor or "")
    client.force_login(people["admin"])
    response = client.post(
        reverse("casework:person_deactivate", kwargs={"pk": advisor.pk}), {f"successor_{unit_mo.pk}": value}
    )
    assert response.status_code == 200
    assert "Kolleg*in dieser Fachstelle" in response.content.decode()
    advisor.refresh_from_db()
    assert advisor.is_active
    assert FollowUp.objects.get(pk=records["follow_up_own"].pk).assigned_to == advisor
    assert Case.objects.get(pk=records["case_own"].pk).responsible == advisor
    assert not account_events(advisor, "deactivated").exists()


def test_inactive_colleague_is_no_successor(client, people, records, unit_mo):
    advisor, colleague = people["advisor_mo"], people["coordinator_mo"]
    User.objects.filter(pk=colleague.pk).update(is_active=False)
    client.force_login(people["admin"])
    response = client.post(
        reverse("casework:person_deactivate", kwargs={"pk": advisor.pk}), {f"successor_{unit_mo.pk}": colleague.pk}
    )
    assert response.status_code == 200
    advisor.refresh_from_db()
    assert advisor.is_active


def test_person_without_open_work_is_deactivated_directly(client, people):
    person = people["advisor_lots"]
    other = Client()
    other.force_login(person)
    client.force_login(people["admin"])
    response = client.post(reverse("casework:person_deactivate", kwargs={"pk": person.pk}))
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    assert sessions_of(person) == []
    assert other.get(reverse("casework:home")).status_code == 302


def test_administrator_cannot_deactivate_themselves(client, people):
    client.force_login(people["admin"])
    assert client.post(reverse("casework:person_deactivate", kwargs={"pk": people["admin"].pk})).status_code == 403
    people["admin"].refresh_from_db()
    assert people["admin"].is_active


def test_end_sessions_leaves_other_people_and_anonymous_sessions(people):
    from django.contrib.sessions.backends.db import SessionStore

    anonymous = SessionStore()
    anonymous["cart"] = 1
    anonymous.create()
    mine, theirs = Client(), Client()
    mine.force_login(people["advisor_mo"])
    theirs.force_login(people["advisor_lots"])
    assert services.end_sessions_of(people["advisor_mo"]) == 1
    assert Session.objects.filter(session_key=anonymous.session_key).exists()
    assert len(sessions_of(people["advisor_lots"])) == 1


# --- Reactivation --------------------------------------------------------------------------------


def test_reactivation(client, people):
    person = people["advisor_lots"]
    User.objects.filter(pk=person.pk).update(is_active=False)
    client.force_login(people["admin"])
    page = client.get(reverse("casework:person_reactivate", kwargs={"pk": person.pk}))
    assert "reaktivieren" in page.content.decode()
    person.refresh_from_db()
    assert not person.is_active  # GET only asks
    assert client.post(reverse("casework:person_reactivate", kwargs={"pk": person.pk})).status_code == 302
    person.refresh_from_db()
    assert person.is_active
    assert account_events(person, "reactivated").count() == 1
    signed_in = Client()
    assert (
        signed_in.post(reverse("login"), {"username": person.username, "password": "pw-beratung-lots"}).status_code
        == 302
    )
    assert signed_in.get(reverse("casework:home")).status_code == 200


def test_work_stays_where_the_unit_has_no_other_member(client, people, records, unit_lots):
    advisor = people["advisor_lots"]
    User.objects.filter(pk=people["coordinator_lots"].pk).update(is_active=False)
    client.force_login(people["admin"])
    page = client.get(reverse("casework:person_deactivate", kwargs={"pk": advisor.pk})).content.decode()
    assert "Keine aktive Kolleg*in in dieser Fachstelle" in page
    response = client.post(reverse("casework:person_deactivate", kwargs={"pk": advisor.pk}))
    assert response.status_code == 302
    advisor.refresh_from_db()
    assert not advisor.is_active
    assert FollowUp.objects.get(pk=records["follow_up_foreign"].pk).assigned_to == advisor


def test_list_queries_do_not_grow_with_people(client, people, unit_mo, django_assert_max_num_queries):
    client.force_login(people["admin"])
    client.get(reverse("casework:people_list"))  # warm caches (content types, sessions)
    for number in range(20):
        groups = [role_group(unit_mo, ADVISOR), *([admin_group()] if number % 5 == 0 else [])]
        make_person(f"person-{number}", *groups)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("casework:people_list"))
    assert response.context["page"].paginator.count == 25
