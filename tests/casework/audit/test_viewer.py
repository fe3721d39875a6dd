"""The access log viewer ("Zugriffsprotokoll"): administrators read it with filters; nobody writes it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.audit.log import record
from casework.audit.models import AccessEvent
from casework.audit.views import COUNT_CAP
from casework.roles import ADVISOR, role_group

pytestmark = pytest.mark.django_db
URL = reverse("casework:access_log")
Kind = AccessEvent.Kind


def entry(kind, *, user=None, days_ago=0, address=None, target_kind="", target_id="", detail=""):
    return AccessEvent.objects.create(
        kind=kind,
        user=user,
        user_label=user.get_full_name() or user.username if user else "",
        at=timezone.now() - datetime.timedelta(days=days_ago),
        address=address,
        target_kind=target_kind,
        target_id=target_id,
        detail=detail,
    )


@pytest.fixture
def log(people):
    return {
        "old_sign_in": entry(Kind.SIGN_IN, user=people["advisor_mo"], days_ago=10, address="192.0.2.10"),
        "denied": entry(
            Kind.DENIED,
            user=people["advisor_lots"],
            days_ago=2,
            address="2001:db8::1",
            target_kind="casework:consultation_detail",
            target_id="42",
            detail="404",
        ),
        "download": entry(
            Kind.DOWNLOAD, user=people["coordinator_mo"], address="192.0.2.99", target_kind="report", target_id="7"
        ),
    }


def shown(response):
    return [e.pk for e in response.context["page"]]


def test_administrators_see_the_newest_first(client, people, log):
    client.force_login(people["admin"])
    response = client.get(URL)
    assert response.status_code == 200
    pks = shown(response)
    assert pks.index(log["download"].pk) < pks.index(log["denied"].pk) < pks.index(log["old_sign_in"].pk)
    page = response.content.decode()
    assert "Zugriffsprotokoll" in page and "Zugriff verweigert" in page and "192.0.2.10" in page


@pytest.mark.parametrize("role", ["advisor_mo", "coordinator_mo", "coordinator_lots"])
def test_coordinators_and_advisors_are_refused(client, people, log, role):
    client.force_login(people[role])
    assert client.get(URL).status_code == 403


def test_a_superuser_without_the_role_may_read_it(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("root", is_superuser=True, is_staff=True))
    assert client.get(URL).status_code == 200


def test_a_coordinator_of_both_units_is_no_administrator(client, people, unit_lots):
    person = people["coordinator_mo"]
    person.groups.add(role_group(unit_lots, ADVISOR))
    client.force_login(person)
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "denied"}, {"denied"}),
        ({"person": "aylin"}, {"old_sign_in"}),
        ({"address": "192.0.2."}, {"old_sign_in", "download"}),
        ({"address": "2001:db8:"}, {"denied"}),
        ({"target_kind": "report", "target_id": "7"}, {"download"}),
        ({"target_kind": "casework:consultation_detail"}, {"denied"}),
    ],
)
def test_filters(client, people, log, params, expected):
    client.force_login(people["admin"])
    response = client.get(URL, params)
    assert response.status_code == 200
    assert set(shown(response)) == {log[name].pk for name in expected}


def test_period_filter_counts_whole_days_in_berlin(client, people, log):
    client.force_login(people["admin"])
    today = timezone.localdate()
    three_days_ago = (today - datetime.timedelta(days=3)).isoformat()
    response = client.get(URL, {"since": three_days_ago, "kind": ""})
    assert log["old_sign_in"].pk not in shown(response)
    assert {log["denied"].pk, log["download"].pk} <= set(shown(response))
    one_day_ago = (today - datetime.timedelta(days=1)).isoformat()
    response = client.get(URL, {"since": three_days_ago, "until": one_day_ago})
    assert set(shown(response)) == {log["denied"].pk}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"address": "'; DROP TABLE"}, "IP-Adresse"),
        ({"since": "31.02.2026"}, "gültiges Datum"),
        ({"kind": "gibt-es-nicht"}, "gültige Auswahl"),
    ],
)
def test_bad_filter_input_gets_a_german_message(client, people, log, params, message):
    client.force_login(people["admin"])
    response = client.get(URL, params)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_account_changes_read_in_german_with_names(client, people, unit_mo):
    person = people["advisor_mo"]
    group = role_group(unit_mo, ADVISOR)
    record(Kind.ACCOUNT, user=people["admin"], target=person, detail=f"is_active:0 groups+:{group.pk}")
    client.force_login(people["admin"])
    page = client.get(URL, {"kind": "account", "target_id": str(person.pk)}).content.decode()
    assert "aktiv: nein; Gruppen hinzugefügt: Fachstelle MO – Beratung" in page
    assert "(Aylin Demir)" in page


def test_pages_are_capped_and_bounded_in_queries(client, people, django_assert_max_num_queries, settings):
    settings.PAGE_SIZE = 5
    AccessEvent.objects.bulk_create(AccessEvent(kind=Kind.SIGN_IN, user_label="x") for _ in range(12))
    client.force_login(people["admin"])
    client.get(URL)
    with django_assert_max_num_queries(10):
        response = client.get(URL, {"page": "2"})
    assert len(response.context["page"]) == 5
    assert response.context["page"].paginator.count_cap == COUNT_CAP + 5


def test_the_admin_menu_links_to_it(client, people):
    client.force_login(people["admin"])
    assert URL in client.get(reverse("casework:home")).content.decode()
    client.force_login(people["coordinator_mo"])
    assert URL not in client.get(reverse("casework:home")).content.decode()


# --- The Django admin: read-only, superusers only ---------------------------------------------------------------


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_user("root", is_superuser=True, is_staff=True)


def test_superusers_read_it_in_the_django_admin_but_cannot_write(client, superuser, log):
    client.force_login(superuser)
    target = log["denied"]
    assert client.get(reverse("admin:casework_accessevent_changelist")).status_code == 200
    assert client.get(reverse("admin:casework_accessevent_change", args=[target.pk])).status_code == 200
    assert client.get(reverse("admin:casework_accessevent_add")).status_code == 403
    change = client.post(reverse("admin:casework_accessevent_change", args=[target.pk]), {"detail": "geändert"})
    assert change.status_code == 403
    delete = client.post(reverse("admin:casework_accessevent_delete", args=[target.pk]), {"post": "yes"})
    assert delete.status_code == 403
    bulk = client.post(
        reverse("admin:casework_accessevent_changelist"),
        {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    target.refresh_from_db()
    assert target.detail == "404"


def test_administrators_do_not_see_it_in_the_django_admin(client, people, log):
    client.force_login(people["admin"])
    assert client.get(reverse("admin:casework_accessevent_changelist")).status_code == 403
    assert "accessevent" not in client.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize(
    ("detail", "reading"),
    [
        ("created is_staff:1", "angelegt; Mitarbeiter-Status: ja"),
        ("unknown_username locked_out", "unbekannter Benutzername; gesperrt nach zu vielen Fehlversuchen"),
        ("groups-:*", "Gruppen entfernt: alle"),
        ("permissions+:7,9", "Einzelrechte hinzugefügt: 7, 9"),
        ("deactivated", "deaktiviert"),
        ("reassigned_follow_ups:3 reassigned_cases:0", "Wiedervorlagen übertragen: 3; Beratungsprozesse übertragen: 0"),
        # Anything else (another feature's own wording, a status code) is shown as it is.
        ("404", "404"),
        ("Art. 17: Ende des Zwecks", "Art. 17: Ende des Zwecks"),
        ("is_active:vielleicht", "is_active:vielleicht"),
        ("", ""),
    ],
)
def test_details_read_in_german(detail, reading):
    from casework.audit.details import read_detail

    assert read_detail(detail) == reading
