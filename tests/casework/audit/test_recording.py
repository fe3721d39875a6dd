"""What the access log records by itself: sign-ins, denied access to records, downloads, account and role changes.

Each entry names the person, the address and the target, and nothing of a record's content.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.audit.models import AccessEvent
from casework.follow_ups.services import calendar_token_create
from casework.roles import ADVISOR, COORDINATOR, role_group

pytestmark = pytest.mark.django_db
User = get_user_model()
ADDRESS = "198.51.100.23"
Kind = AccessEvent.Kind


def entries(kind):
    return list(AccessEvent.objects.filter(kind=kind).order_by("id"))


def only(kind):
    found = entries(kind)
    assert len(found) == 1, found
    return found[0]


def no_content_of(records, entry):
    """No name or free text of the records fixture in any column of the entry."""
    stored = str(AccessEvent.objects.filter(pk=entry.pk).values().get())
    for text in ("Kulturverein", "Anatolien", "Integrationslots", "Eritreische", "Selin", "Kaya", "Jonas", "Weber"):
        assert text not in stored
    assert records["own"].summary not in stored


def inserts(queries):
    return [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "casework_accessevent"')]


# --- Sign-in and sign-out ---------------------------------------------------------------------------------


def test_sign_in_names_person_and_address(client, people):
    response = client.post(
        reverse("login"), {"username": "beratung-mo", "password": "pw-beratung-mo"}, REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 302
    entry = only(Kind.SIGN_IN)
    assert (entry.user, entry.user_label, entry.address, entry.path) == (
        people["advisor_mo"],
        "Aylin Demir",
        ADDRESS,
        reverse("login"),
    )


def test_failed_sign_in_names_the_account_tried_but_nobody_as_person(client, people):
    client.post(reverse("login"), {"username": "beratung-mo", "password": "falsch"}, REMOTE_ADDR=ADDRESS)
    entry = only(Kind.SIGN_IN_FAILED)
    assert (entry.user, entry.user_label, entry.address) == (None, "", ADDRESS)
    assert (entry.target_kind, entry.target_id, entry.detail) == ("user", str(people["advisor_mo"].pk), "")
    assert not entries(Kind.SIGN_IN)


def test_an_unknown_name_is_not_stored(client, people):
    # People type their password into the name field: what was typed is kept nowhere.
    client.post(reverse("login"), {"username": "Geheim-Passwort-1", "password": "x"}, REMOTE_ADDR=ADDRESS)
    entry = only(Kind.SIGN_IN_FAILED)
    assert (entry.target_kind, entry.target_id, entry.detail) == ("user", "", "unknown_username")
    assert "Geheim" not in str(AccessEvent.objects.values().filter(pk=entry.pk).get())


def test_a_locked_out_attempt_is_recorded_as_such(client, people, settings):
    login = reverse("login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(login, {"username": "beratung-mo", "password": "falsch"}, REMOTE_ADDR=ADDRESS)
    assert {e.detail for e in entries(Kind.SIGN_IN_FAILED)} == {""}
    # The attempt that locks, then one with the right password that axes refuses.
    client.post(login, {"username": "beratung-mo", "password": "falsch"}, REMOTE_ADDR=ADDRESS)
    response = client.post(login, {"username": "beratung-mo", "password": "pw-beratung-mo"}, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 429
    failed = entries(Kind.SIGN_IN_FAILED)
    assert len(failed) == settings.AXES_FAILURE_LIMIT + 1
    assert [e.detail for e in failed[-2:]] == ["locked_out", "locked_out"]
    assert {e.target_id for e in failed} == {str(people["advisor_mo"].pk)}
    assert not entries(Kind.SIGN_IN)


def test_sign_out_names_person_and_address(client, people):
    client.force_login(people["coordinator_mo"])
    client.post(reverse("logout"), REMOTE_ADDR=ADDRESS)
    entry = only(Kind.SIGN_OUT)
    assert (entry.user, entry.user_label, entry.address) == (people["coordinator_mo"], "koordination-mo", ADDRESS)


def test_signing_out_without_being_signed_in_records_nothing(client, db):
    client.post(reverse("logout"))
    assert not entries(Kind.SIGN_OUT)


# --- Denied access to records -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "name", "target", "status"),
    [
        ("advisor_mo", "casework:consultation_detail", "foreign", 404),
        ("advisor_mo", "casework:consultation_delete", "own", 403),
        ("advisor_lots", "organisations:organisation_detail", "org_own", 404),
        ("coordinator_lots", "reports:report_detail", "report_own", 404),
    ],
)
def test_denied_access_to_a_record_is_recorded(client, people, records, role, name, target, status):
    client.force_login(people[role])
    pk = records[target].pk
    assert client.get(reverse(name, kwargs={"pk": pk}), REMOTE_ADDR=ADDRESS).status_code == status
    entry = only(Kind.DENIED)
    assert (entry.user, entry.address) == (people[role], ADDRESS)
    assert (entry.target_kind, entry.target_id, entry.detail) == (name, str(pk), str(status))
    no_content_of(records, entry)


def test_a_record_that_does_not_exist_is_recorded_too(client, people):
    # Probing for ids finds nothing, but is what the log is for.
    client.force_login(people["advisor_mo"])
    assert client.get(reverse("casework:case_detail", kwargs={"pk": 999999})).status_code == 404
    assert only(Kind.DENIED).target_id == "999999"


@pytest.mark.parametrize(
    "url",
    [
        "/gibt-es-nicht/",
        "/beratungen/keine-zahl/",
        "/static/fehlt.css",
        # A URL with another argument than a pk: an unknown calendar token.
        "/kalender/" + "A" * 43 + ".ics",
    ],
)
def test_404s_of_other_urls_are_not_recorded(client, people, url):
    client.force_login(people["advisor_mo"])
    assert client.get(url).status_code == 404
    assert not AccessEvent.objects.filter(kind=Kind.DENIED).exists()


def test_allowed_record_pages_are_not_recorded_and_cost_no_query(client, people, records, settings):
    client.force_login(people["advisor_mo"])
    url = reverse("casework:consultation_detail", kwargs={"pk": records["own"].pk})
    client.get(url)  # warm up (session, caches)
    with CaptureQueriesContext(connection) as with_middleware:
        assert client.get(url).status_code == 200
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "casework.audit.middleware.AuditMiddleware"]
    with CaptureQueriesContext(connection) as without_middleware:
        assert client.get(url).status_code == 200
    assert len(with_middleware) == len(without_middleware)
    assert not AccessEvent.objects.filter(kind=Kind.DENIED).exists()


def test_a_denial_costs_one_insert(client, people, records):
    client.force_login(people["advisor_mo"])
    url = reverse("casework:consultation_detail", kwargs={"pk": records["foreign"].pk})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 404
    assert len(inserts(queries)) == 1


# --- Downloads ------------------------------------------------------------------------------------------------


def test_a_report_download_is_recorded(client, people, records):
    client.force_login(people["coordinator_mo"])
    report = records["report_own"]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:report_download", args=[report.pk, "pdf"]), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    assert len(inserts(queries)) == 1
    entry = only(Kind.DOWNLOAD)
    assert (entry.user, entry.address) == (people["coordinator_mo"], ADDRESS)
    assert (entry.target_kind, entry.target_id, entry.detail) == ("report", str(report.pk), "pdf")
    no_content_of(records, entry)


def test_a_refused_report_download_is_a_denial_not_a_download(client, people, records):
    client.force_login(people["advisor_mo"])
    client.get(reverse("reports:report_download", args=[records["report_own"].pk, "pdf"]))
    assert not entries(Kind.DOWNLOAD)
    assert only(Kind.DENIED).target_kind == "reports:report_download"


def test_the_calendar_feed_names_its_owner(client, people, records):
    token = calendar_token_create(user=people["advisor_mo"])
    assert (
        client.get(reverse("casework:calendar_feed", kwargs={"token": token}), REMOTE_ADDR=ADDRESS).status_code == 200
    )
    entry = only(Kind.DOWNLOAD)
    assert (entry.user, entry.user_label, entry.address) == (people["advisor_mo"], "Aylin Demir", ADDRESS)
    assert entry.target_kind == "calendar_feed"
    assert token not in str(AccessEvent.objects.values().filter(pk=entry.pk).get())
    no_content_of(records, entry)


# --- Accounts and roles ------------------------------------------------------------------------------------------


def account_entries(person):
    return [
        e.detail
        for e in AccessEvent.objects.filter(kind=Kind.ACCOUNT, target_kind="user", target_id=str(person.pk)).order_by(
            "id"
        )
    ]


def test_account_created_flags_and_password_changed_outside_a_request(db):
    person = User.objects.create_user("neu", password="pw-neu-123456", is_staff=True)
    person.is_active = False
    person.save()
    person.is_superuser = True
    person.save(update_fields=["is_superuser"])
    person.set_password("ein-neues-passwort")
    person.save()
    assert account_entries(person) == ["created is_staff:1", "is_active:0", "is_superuser:1", "password"]
    # Without a request (shell, management command): no person, no address.
    assert {(e.user_id, e.address) for e in entries(Kind.ACCOUNT)} == {(None, None)}


def test_saves_that_change_no_right_are_not_recorded(client, people):
    person = people["advisor_mo"]
    before = len(account_entries(person))
    person.first_name = "Aylin Derya"
    person.save()
    person.is_active = False
    person.save(update_fields=["first_name"])  # the flag is not written: nothing changed in the database
    client.post(reverse("login"), {"username": "beratung-mo", "password": "pw-beratung-mo"})  # last_login
    assert len(account_entries(person)) == before


def test_group_changes_from_either_side(people, unit_mo):
    person = people["advisor_mo"]
    coordination = role_group(unit_mo, COORDINATOR)
    person.groups.add(coordination)
    person.groups.remove(role_group(unit_mo, ADVISOR))
    coordination.user_set.remove(person)
    person.groups.clear()
    assert account_entries(person)[-4:] == [
        f"groups+:{coordination.pk}",
        f"groups-:{role_group(unit_mo, ADVISOR).pk}",
        f"groups-:{coordination.pk}",
        "groups-:*",
    ]


def test_role_change_in_the_django_admin_names_the_administrator(client, people, unit_mo):
    admin, person = people["admin"], people["advisor_mo"]
    client.force_login(admin)
    coordination = role_group(unit_mo, COORDINATOR)
    data = {
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "groups": [str(coordination.pk)],
        "user_permissions": [],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
    }
    response = client.post(reverse("admin:auth_user_change", args=[person.pk]), data, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    recorded = AccessEvent.objects.filter(kind=Kind.ACCOUNT, target_id=str(person.pk), user=admin).order_by("id")
    assert [e.detail for e in recorded] == [
        "is_staff:1",
        f"groups-:{role_group(unit_mo, ADVISOR).pk}",
        f"groups+:{coordination.pk}",
    ]
    # The admin's object id is a text argument: masked in the path like any non-numeric one (the target names it).
    assert {(e.address, e.user_label, e.path) for e in recorded} == {(ADDRESS, "admin", "/admin/auth/user/…/change/")}


def test_account_deleted_in_the_admin(client, people):
    admin, person = people["admin"], people["advisor_lots"]
    client.force_login(admin)
    response = client.post(reverse("admin:auth_user_delete", args=[person.pk]), {"post": "yes"}, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302
    entry = AccessEvent.objects.get(kind=Kind.ACCOUNT, detail="deleted")
    assert (entry.user, entry.address, entry.target_id) == (admin, ADDRESS, str(person.pk))


def test_deleting_ones_own_account_still_commits(people, rf):
    from casework.audit.log import current_request

    person = people["admin"]
    request = rf.post("/admin/", REMOTE_ADDR=ADDRESS)
    request.user = person
    token = current_request.set(request)
    try:
        pk = person.pk
        person.delete()
    finally:
        current_request.reset(token)
    connection.check_constraints()  # what the commit would check
    entry = AccessEvent.objects.get(kind=Kind.ACCOUNT, detail="deleted")
    # No reference to the account being deleted (its commit would fail), but the address stays.
    assert (entry.user, entry.address, entry.target_id) == (None, ADDRESS, str(pk))


def test_a_password_rehash_on_sign_in_is_no_password_change(client, people, settings):
    # The stored hash uses the test hasher (MD5); with a stronger one first, sign-in upgrades the hash.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    person = people["advisor_mo"]
    old_hash = person.password
    client.post(reverse("login"), {"username": "beratung-mo", "password": "pw-beratung-mo"})
    person.refresh_from_db()
    assert person.password != old_hash and person.password.startswith("pbkdf2_")
    assert "password" not in account_entries(person)
