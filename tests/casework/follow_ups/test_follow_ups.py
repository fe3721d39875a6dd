"""Follow-ups (Wiedervorlagen): lists, done/reopen, adding, and the personal calendar feed."""

import datetime
import hashlib
import random
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from casework.follow_ups import demo as follow_up_demo
from casework.follow_ups import ics
from casework.follow_ups import services as service
from casework.models import CalendarFeedToken, FollowUp
from casework.roles import ADVISOR, role_group
from tests.factories import ConsultationFactory
from tests.test_query_counts import assert_max_queries, real_queries

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine("2026-03-10 09:00 +0100", tick=False)]

TODAY = datetime.date(2026, 3, 10)
User = get_user_model()


def add_follow_up(owner, assignee, due_on, what="Nachfassen", done=False):
    follow_up = service.follow_up_create(owner=owner, due_on=due_on, what=what, assigned_to=assignee, by=assignee)
    if done:
        service.follow_up_done(follow_up=follow_up, by=assignee)
    return follow_up


# --- Due and overdue ------------------------------------------------------------------------------


def test_my_list_shows_own_open_follow_ups_by_due_date_with_overdue_marked(client, people, records):
    advisor = people["advisor_mo"]
    overdue = add_follow_up(records["own"], advisor, TODAY - datetime.timedelta(days=3), "Satzung nachfragen")
    due_today = add_follow_up(records["own"], advisor, TODAY, "Heute anrufen")
    add_follow_up(records["own"], advisor, TODAY - datetime.timedelta(days=9), "Längst erledigt", done=True)
    add_follow_up(records["own"], people["coordinator_mo"], TODAY, "Nicht meins")
    client.force_login(advisor)

    response = client.get(reverse("casework:follow_up_list"))

    assert response.status_code == 200
    rows = list(response.context["page"])
    assert rows == [overdue, due_today, records["follow_up_own"], records["follow_up_shared"]]
    html = response.content.decode()
    overdue_row = re.search(r'<tr class="overdue">.*?</tr>', html, re.S).group(0)
    assert "Satzung nachfragen" in overdue_row and "überfällig" in overdue_row
    assert html.count('<tr class="overdue">') == 1  # due today is not overdue yet
    assert "Nicht meins" not in html and "Längst erledigt" not in html


@pytest.mark.parametrize(
    ("status", "expected"),
    [("open", {"Offen"}), ("done", {"Erledigt"}), ("all", {"Offen", "Erledigt"}), ("quatsch", {"Offen"})],
)
def test_my_list_filters_by_state(client, people, records, status, expected):
    advisor = people["advisor_mo"]
    FollowUp.objects.filter(assigned_to=advisor).delete()
    add_follow_up(records["own"], advisor, TODAY, "Offen")
    add_follow_up(records["own"], advisor, TODAY, "Erledigt", done=True)
    client.force_login(advisor)
    response = client.get(reverse("casework:follow_up_list"), {"status": status})
    assert response.status_code == 200
    assert {f.what for f in response.context["page"]} == expected


def test_my_list_drops_follow_ups_of_records_no_longer_visible(client, people, records, unit_lots):
    """Assigned, but on a record of a unit the person left: not listed."""
    advisor = people["advisor_mo"]
    add_follow_up(records["foreign"], advisor, TODAY, "Aus früherer Mitarbeit")
    client.force_login(advisor)
    response = client.get(reverse("casework:follow_up_list"))
    assert "Aus früherer Mitarbeit" not in {f.what for f in response.context["page"]}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("advisor_mo", {"own", "shared"}),
        ("advisor_lots", {"foreign", "shared"}),
        ("admin", {"own", "foreign", "shared"}),
    ],
)
def test_unit_list_is_scoped(client, people, records, role, expected):
    client.force_login(people[role])
    response = client.get(reverse("casework:follow_up_unit_list"))
    listed = set(response.context["page"])
    assert listed == {records[f"follow_up_{target}"] for target in expected}


def test_unit_list_puts_overdue_first_and_filters_by_person_and_unit(client, people, records, unit_mo, unit_lots):
    coordinator = people["coordinator_mo"]
    late = add_follow_up(records["own"], coordinator, TODAY - datetime.timedelta(days=1), "Überfällig")
    add_follow_up(records["own"], coordinator, TODAY - datetime.timedelta(days=5), "Schon erledigt", done=True)
    client.force_login(coordinator)
    url = reverse("casework:follow_up_unit_list")

    page = client.get(url).context["page"]
    assert list(page)[0] == late
    assert "Schon erledigt" not in {f.what for f in page}

    by_person = client.get(url, {"person": coordinator.pk}).context["page"]
    assert list(by_person) == [late]

    client.force_login(people["admin"])
    lots_only = client.get(url, {"unit": unit_lots.pk}).context["page"]
    # The shared consultation (led by MO, shared with Lots) belongs to both units.
    assert set(lots_only) == {records["follow_up_foreign"], records["follow_up_shared"]}


@pytest.mark.parametrize(
    "params",
    [{"person": "abc"}, {"person": "999999"}, {"unit": "-1"}, {"due_to": "2026-02-30"}, {"page": "x"}, {"page": "999"}],
)
def test_unit_list_survives_bad_filters(client, people, records, params):
    client.force_login(people["advisor_mo"])
    response = client.get(reverse("casework:follow_up_unit_list"), params)
    assert response.status_code == 200
    assert "Wiedervorlagen" in response.content.decode()


def test_foreign_person_is_not_offered_as_filter(client, people, records):
    client.force_login(people["advisor_mo"])
    form = client.get(reverse("casework:follow_up_unit_list")).context["filter"].form
    offered = {value for value, _label in form.fields["person"].choices if value != ""}
    assert people["advisor_mo"].pk in offered
    assert people["advisor_lots"].pk not in offered


# --- Done and reopen --------------------------------------------------------------------------------


def test_mark_done_and_reopen_redirects_to_safe_next(client, people, records):
    advisor = people["advisor_mo"]
    follow_up = records["follow_up_own"]
    client.force_login(advisor)
    next_url = reverse("casework:consultation_detail", kwargs={"pk": records["own"].pk})

    response = client.post(reverse("casework:follow_up_done", kwargs={"pk": follow_up.pk}), {"next": next_url})

    assert response.status_code == 302 and response["Location"] == next_url
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None and follow_up.done_by == advisor
    assert follow_up.history.first().history_user == advisor

    response = client.post(reverse("casework:follow_up_reopen", kwargs={"pk": follow_up.pk}))
    assert response["Location"] == reverse("casework:follow_up_list")
    follow_up.refresh_from_db()
    assert follow_up.done_at is None and follow_up.done_by is None


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_unsafe_next_goes_to_the_list(client, people, records, next_url):
    client.force_login(people["advisor_mo"])
    response = client.post(
        reverse("casework:follow_up_done", kwargs={"pk": records["follow_up_own"].pk}), {"next": next_url}
    )
    assert response["Location"] == reverse("casework:follow_up_list")


def test_partner_unit_may_mark_shared_follow_up_done(client, people, records):
    client.force_login(people["advisor_lots"])
    follow_up = records["follow_up_shared"]
    response = client.post(reverse("casework:follow_up_done", kwargs={"pk": follow_up.pk}))
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.done_by == people["advisor_lots"]


@pytest.mark.parametrize("action", ["follow_up_done", "follow_up_reopen"])
@pytest.mark.parametrize(
    ("who", "target", "expected"),
    [
        ("advisor_mo", "foreign", 404),
        ("advisor_lots", "own", 404),
        ("reader", "own", 403),
        ("reader", "foreign", 404),
        ("anonymous", "own", 302),
    ],
)
def test_denied_state_changes_change_nothing(client, people, records, reader, action, who, target, expected):
    follow_up = records[f"follow_up_{target}"]
    if action == "follow_up_reopen":
        service.follow_up_done(follow_up=follow_up, by=None)
    before = FollowUp.objects.values("done_at", "done_by").get(pk=follow_up.pk)
    if who != "anonymous":
        client.force_login(reader if who == "reader" else people[who])
    response = client.post(reverse(f"casework:{action}", kwargs={"pk": follow_up.pk}))
    assert response.status_code == expected
    assert FollowUp.objects.values("done_at", "done_by").get(pk=follow_up.pk) == before


def test_get_asks_for_confirmation_and_changes_nothing(client, people, records):
    client.force_login(people["advisor_mo"])
    follow_up = records["follow_up_own"]
    response = client.get(reverse("casework:follow_up_done", kwargs={"pk": follow_up.pk}))
    assert response.status_code == 200
    assert "als erledigt markieren?" in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.done_at is None


def test_unknown_follow_up_is_404(client, people):
    client.force_login(people["admin"])
    for path in ("/wiedervorlagen/99999999/erledigt/", "/wiedervorlagen/0/wieder-oeffnen/", "/wiedervorlagen/x/"):
        assert client.post(path).status_code == 404


# --- The section on a consultation's page and adding -----------------------------------------------


def test_consultation_page_shows_follow_ups_with_buttons_and_form(client, people, records):
    add_follow_up(records["own"], people["advisor_mo"], TODAY - datetime.timedelta(days=2), "Protokoll schicken")
    client.force_login(people["advisor_mo"])
    html = client.get(reverse("casework:consultation_detail", kwargs={"pk": records["own"].pk})).content.decode()
    assert "Protokoll schicken" in html and "überfällig" in html and 'class="list-group-item' in html
    assert " overdue" in html
    assert reverse("casework:follow_up_done", kwargs={"pk": records["follow_up_own"].pk}) in html
    assert reverse("casework:follow_up_add_consultation", kwargs={"pk": records["own"].pk}) in html


def test_reader_sees_follow_ups_without_buttons(client, records, reader):
    client.force_login(reader)
    html = client.get(reverse("casework:consultation_detail", kwargs={"pk": records["own"].pk})).content.decode()
    assert "Nachfassen" in html
    assert reverse("casework:follow_up_done", kwargs={"pk": records["follow_up_own"].pk}) not in html
    assert "follow_up-what" not in html


def add_data(assignee, **overrides):
    data = {"follow_up-due_on": "2026-04-01", "follow_up-what": "Förderantrag gegenlesen"}
    data["follow_up-assigned_to"] = assignee.pk
    data.update(overrides)
    return data


def test_add_follow_up_to_consultation_and_case(client, people, records):
    client.force_login(people["coordinator_mo"])
    consultation, case = records["own"], records["case_own"]
    response = client.post(
        reverse("casework:follow_up_add_consultation", kwargs={"pk": consultation.pk}), add_data(people["advisor_mo"])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:consultation_detail", kwargs={"pk": consultation.pk})
    created = consultation.follow_ups.latest("id")
    assert (created.due_on, created.what, created.assigned_to, created.created_by, created.unit_id) == (
        datetime.date(2026, 4, 1),
        "Förderantrag gegenlesen",
        people["advisor_mo"],
        people["coordinator_mo"],
        consultation.unit_id,
    )
    response = client.post(
        reverse("casework:follow_up_add_case", kwargs={"pk": case.pk}), add_data(people["coordinator_mo"])
    )
    assert response.status_code == 302
    assert case.follow_ups.get().assigned_to == people["coordinator_mo"]


def test_shared_consultation_offers_both_units_people(client, people, records):
    client.force_login(people["advisor_lots"])
    response = client.get(reverse("casework:follow_up_add_consultation", kwargs={"pk": records["shared"].pk}))
    offered = set(response.context["form"].fields["assigned_to"].queryset)
    assert {people["advisor_mo"], people["advisor_lots"]} <= offered
    assert people["admin"] not in offered


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"follow_up-due_on": "2026-02-30"}, "due_on", "gültiges Datum"),
        ({"follow_up-due_on": "morgen"}, "due_on", "gültiges Datum"),
        ({"follow_up-due_on": ""}, "due_on", "erforderlich"),
        ({"follow_up-due_on": "1999-01-01"}, "due_on", "zu weit in der Vergangenheit"),
        ({"follow_up-due_on": "2099-01-01"}, "due_on", "höchstens 5 Jahre"),
        ({"follow_up-what": "x" * 201}, "what", "höchstens 200 Zeichen"),
        ({"follow_up-what": "   "}, "what", "erforderlich"),
        ({"follow_up-assigned_to": "abc"}, "assigned_to", "gültige Auswahl"),
        ({"follow_up-assigned_to": "99999999999999999999"}, "assigned_to", "gültige Auswahl"),
        ("foreign_assignee", "assigned_to", "gültige Auswahl"),
    ],
)
def test_bad_input_is_rejected_in_german(client, people, records, overrides, field, message):
    client.force_login(people["advisor_mo"])
    if overrides == "foreign_assignee":
        overrides = {"follow_up-assigned_to": people["advisor_lots"].pk}
    before = FollowUp.objects.count()
    response = client.post(
        reverse("casework:follow_up_add_consultation", kwargs={"pk": records["own"].pk}),
        add_data(people["advisor_mo"], **overrides),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert FollowUp.objects.count() == before


def test_adding_to_foreign_or_read_only_records_is_refused(client, people, records, reader):
    client.force_login(people["advisor_mo"])
    url = reverse("casework:follow_up_add_consultation", kwargs={"pk": records["foreign"].pk})
    assert client.post(url, add_data(people["advisor_mo"])).status_code == 404
    url = reverse("casework:follow_up_add_case", kwargs={"pk": records["case_foreign"].pk})
    assert client.post(url, add_data(people["advisor_mo"])).status_code == 404
    client.force_login(reader)
    url = reverse("casework:follow_up_add_consultation", kwargs={"pk": records["own"].pk})
    assert client.post(url, add_data(people["advisor_mo"])).status_code == 403
    assert FollowUp.objects.count() == 3


# --- Calendar feed ----------------------------------------------------------------------------------


def create_feed(client, user):
    client.force_login(user)
    response = client.post(reverse("casework:calendar_feed_settings"), {"action": "create"})
    assert response.status_code == 200
    feed_url = response.context["feed_url"]
    client.logout()
    return feed_url


def unfold(body: str) -> list[str]:
    assert "\n" not in body.replace("\r\n", ""), "bare line feed"
    assert body.endswith("\r\n")
    physical = body.split("\r\n")[:-1]
    for line in physical:
        assert len(line.encode("utf-8")) <= 75, line
    logical = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


def parse_events(body: str):
    lines = unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    events, current = [], None
    for line in lines[1:-1]:
        if line == "BEGIN:VEVENT":
            assert current is None
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, _sep, value = line.partition(":")
            current[name] = value
    assert current is None
    return events


def test_feed_lists_my_open_follow_ups_as_all_day_events(client, people, records):
    advisor = people["advisor_mo"]
    add_follow_up(records["own"], advisor, TODAY, "Erledigtes", done=True)
    add_follow_up(records["own"], people["coordinator_mo"], TODAY, "Für jemand anderen")
    feed_url = create_feed(client, advisor)

    response = client.get(feed_url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = parse_events(response.content.decode("utf-8"))
    own, shared = records["follow_up_own"], records["follow_up_shared"]
    assert [e["UID"] for e in events] == [f"wiedervorlage-{own.pk}@testserver", f"wiedervorlage-{shared.pk}@testserver"]
    event = events[0]
    assert event["DTSTART;VALUE=DATE"] == "20260316"
    assert event["DTEND;VALUE=DATE"] == "20260317"
    assert event["DTSTAMP"] == "20260310T080000Z"
    assert event["SUMMARY"] == "Wiedervorlage: Nachfassen – Kulturverein Anatolien e.V."
    record_url = "http://testserver" + reverse("casework:consultation_detail", kwargs={"pk": records["own"].pk})
    assert event["DESCRIPTION"] == record_url
    # The UID stays the same on the next poll.
    assert [e["UID"] for e in parse_events(client.get(feed_url).content.decode())] == [e["UID"] for e in events]


def test_feed_holds_no_personal_data_of_contacts_and_no_summaries(client, people, records):
    feed_url = create_feed(client, people["advisor_mo"])
    body = client.get(feed_url).content.decode()
    contact = records["contact_own"]
    contact.email = "selin.kaya@example.org"
    contact.save()
    body = client.get(feed_url).content.decode()
    assert "Selin" not in body and "Kaya" not in body and "example.org" not in body
    assert records["own"].summary not in body and "Satzungsentwurf" not in body
    assert records["own"].agreements not in body


def test_feed_shows_no_foreign_unit_data_and_follows_membership(client, people, records, unit_mo):
    advisor = people["advisor_lots"]
    add_follow_up(records["foreign"], advisor, TODAY, "Basisqualifizierung planen")
    feed_url = create_feed(client, advisor)
    body = client.get(feed_url).content.decode()
    assert "Basisqualifizierung planen" in body
    assert "Kulturverein Anatolien" not in body  # MO's own record

    # Assigned on an MO record, but the person may not see it.
    add_follow_up(records["own"], advisor, TODAY, "Fremde Aufgabe")
    assert "Fremde Aufgabe" not in client.get(feed_url).content.decode()

    # Leaving the unit empties the feed at once.
    advisor.groups.clear()
    events = parse_events(client.get(feed_url).content.decode())
    assert events == []


def test_token_is_stored_only_as_hash_and_shown_once(client, people):
    advisor = people["advisor_mo"]
    feed_url = create_feed(client, advisor)
    token = feed_url.rsplit("/", 1)[1].removesuffix(".ics")
    stored = CalendarFeedToken.objects.get(user=advisor)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in str(value) for value in CalendarFeedToken.objects.values().get(pk=stored.pk).values())
    client.force_login(advisor)
    html = client.get(reverse("casework:calendar_feed_settings")).content.decode()
    assert token not in html
    assert "10.03.2026" in html  # when it was created


def test_new_token_revokes_old_and_revoke_makes_feed_404(client, people):
    advisor = people["advisor_mo"]
    first = create_feed(client, advisor)
    second = create_feed(client, advisor)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert CalendarFeedToken.objects.filter(user=advisor, revoked_at__isnull=True).count() == 1

    client.force_login(advisor)
    response = client.post(reverse("casework:calendar_feed_settings"), {"action": "revoke"})
    assert response.status_code == 302
    client.logout()
    assert client.get(second).status_code == 404


def test_feed_of_deactivated_person_is_404(client, people):
    advisor = people["advisor_mo"]
    feed_url = create_feed(client, advisor)
    advisor.is_active = False
    advisor.save()
    assert client.get(feed_url).status_code == 404


@pytest.mark.parametrize(
    "token",
    ["", "abc", "A" * 42, "A" * 44, "A" * 42 + "!", "A" * 42 + "ä", "A" * 42 + ".", "%00" * 20, "A" * 5000],
)
def test_bad_tokens_are_404(client, people, token):
    create_feed(client, people["advisor_mo"])
    response = client.get(f"/kalender/{token}.ics")
    assert response.status_code == 404


def test_feed_does_not_accept_post(client, people):
    feed_url = create_feed(client, people["advisor_mo"])
    assert client.post(feed_url).status_code == 405


# --- iCalendar details ------------------------------------------------------------------------------


def test_escaping_and_folding():
    assert ics.escape_text("a,b;c\\d\ne\r\nf\x07") == "a\\,b\\;c\\\\d\\ne\\nf"
    line = "SUMMARY:" + "Wiedervorlage: Ärger über Fördermittel – " * 4
    folded = ics.fold(line)
    pieces = folded.split("\r\n")
    assert all(len(piece.encode()) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert "".join([pieces[0], *(p[1:] for p in pieces[1:])]) == line


def test_feed_survives_awkward_text(client, people, records):
    advisor = people["advisor_mo"]
    FollowUp.objects.all().delete()
    add_follow_up(records["own"], advisor, TODAY, "Anruf; Rückfrage, \\ Satzung\nzweite Zeile " + "ü" * 150)
    events = parse_events(client.get(create_feed(client, advisor)).content.decode())
    assert events[0]["SUMMARY"].startswith("Wiedervorlage: Anruf\\; Rückfrage\\, \\\\ Satzung\\nzweite Zeile ü")


# --- Query bounds -----------------------------------------------------------------------------------


def _many_follow_ups(people, unit_mo, count):
    consultations = ConsultationFactory.create_batch(count, unit=unit_mo, advisors=[people["advisor_mo"]])
    for index, consultation in enumerate(consultations):
        add_follow_up(consultation, people["advisor_mo"], TODAY + datetime.timedelta(days=index - 5))


def _count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(real_queries(captured.captured_queries))


def test_lists_and_feed_have_bounded_queries(client, people, records, unit_mo):
    advisor = people["advisor_mo"]
    feed_url = create_feed(client, advisor)
    client.force_login(advisor)
    urls = [
        reverse("casework:follow_up_list"),
        reverse("casework:follow_up_list") + "?status=all&page=1",
        reverse("casework:follow_up_unit_list"),
        reverse("casework:follow_up_unit_list") + f"?person={advisor.pk}&unit={unit_mo.pk}",
        reverse("casework:consultation_detail", kwargs={"pk": records["own"].pk}),
        reverse("casework:calendar_feed_settings"),
        feed_url,
    ]
    before = [_count(client, url) for url in urls]
    _many_follow_ups(people, unit_mo, 30)
    for follow_up in FollowUp.objects.filter(consultation=records["own"])[:1]:
        add_follow_up(follow_up.consultation, advisor, TODAY)
    after = [_count(client, url) for url in urls]
    # At most the paginator's count comes on top: a first page that holds every row needs none.
    assert all(0 <= late - early <= 1 for early, late in zip(before, after, strict=True)), (before, after)
    for url in urls:
        with assert_max_queries(12):
            client.get(url)


# --- Demo data --------------------------------------------------------------------------------------


def test_demo_adds_follow_ups_to_running_cases(records):
    lines = []
    follow_up_demo.seed(rng=random.Random(1), today=TODAY, log=lines.append)
    on_cases = FollowUp.objects.filter(case__isnull=False)
    assert lines and "Beratungsprozessen" in lines[0]
    assert on_cases.exists()
    for follow_up in on_cases:
        assert follow_up.unit_id == follow_up.case.unit_id
        assert follow_up.assigned_to in set(role_group(follow_up.unit, ADVISOR).user_set.all()) | {
            follow_up.case.responsible
        }
