"""Follow-ups that bend: edit (text, date, assignee), one week later, postpone to a date, undo "erledigt"."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from casework.follow_ups import services as service
from casework.follow_ups.services import FollowUpVersion
from casework.models import FollowUp
from tests.casework.follow_ups.test_follow_ups import create_feed, parse_events

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine("2026-03-10 09:00 +0100", tick=False)]

TODAY = datetime.date(2026, 3, 10)
DUE = datetime.date(2026, 3, 16)  # the `records` fixture's follow-ups
User = get_user_model()
FIELDS = ("due_on", "what", "assigned_to_id", "done_at")


def url(name, follow_up):
    return reverse(f"casework:follow_up_{name}", kwargs={"pk": follow_up.pk})


def version(follow_up) -> str:
    return FollowUpVersion(follow_up).current()


def state(follow_up):
    return FollowUp.objects.values(*FIELDS).get(pk=follow_up.pk)


def edit_data(follow_up, assignee, **overrides):
    data = {"due_on": "2026-04-02", "what": "Satzungsentwurf besprechen", "assigned_to": assignee.pk}
    data["loaded_version"] = version(follow_up)
    data.update(overrides)
    return data


# --- Edit -------------------------------------------------------------------------------------------


def test_edit_changes_text_date_and_assignee_and_goes_back(client, people, records):
    follow_up = records["follow_up_own"]
    client.force_login(people["advisor_mo"])
    next_url = reverse("casework:follow_up_unit_list")

    form_page = client.get(url("edit", follow_up), {"next": next_url})
    assert form_page.status_code == 200
    assert 'name="loaded_version"' in form_page.content.decode()

    data = edit_data(follow_up, people["coordinator_mo"], next=next_url)
    response = client.post(url("edit", follow_up), data, follow=True)

    assert response.redirect_chain == [(next_url, 302)]
    follow_up.refresh_from_db()
    assert (follow_up.due_on, follow_up.what, follow_up.assigned_to) == (
        datetime.date(2026, 4, 2),
        "Satzungsentwurf besprechen",
        people["coordinator_mo"],
    )
    assert follow_up.history.first().history_user == people["advisor_mo"]
    assert "wurde gespeichert" in response.content.decode()


def test_assignees_are_the_people_who_see_the_record(client, people, records):
    client.force_login(people["coordinator_mo"])
    own = client.get(url("edit", records["follow_up_own"])).context["form"].fields["assigned_to"]
    assert {people["advisor_mo"], people["coordinator_mo"]} == set(own.queryset)
    # A consultation shared with the Lots*innen: both units' people see it, so both may do the follow-up.
    shared = client.get(url("edit", records["follow_up_shared"])).context["form"].fields["assigned_to"]
    assert {people["advisor_mo"], people["advisor_lots"], people["coordinator_lots"]} <= set(shared.queryset)
    assert people["admin"] not in set(shared.queryset)


def test_partner_unit_reassigns_shared_follow_up_to_its_own_person(client, people, records):
    follow_up = records["follow_up_shared"]
    client.force_login(people["advisor_lots"])
    response = client.post(url("edit", follow_up), edit_data(follow_up, people["advisor_lots"]))
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.assigned_to == people["advisor_lots"]


def test_a_person_who_cannot_see_the_record_is_refused_in_german(client, people, records):
    follow_up = records["follow_up_own"]
    before = state(follow_up)
    client.force_login(people["advisor_mo"])
    response = client.post(url("edit", follow_up), edit_data(follow_up, people["advisor_lots"]))
    assert response.status_code == 200
    assert "kann die Wiedervorlage nicht sehen" in " ".join(response.context["form"].errors["assigned_to"])
    assert state(follow_up) == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"due_on": "2026-02-30"}, "due_on", "gültiges Datum"),
        ({"due_on": ""}, "due_on", "erforderlich"),
        ({"due_on": "2099-01-01"}, "due_on", "höchstens 5 Jahre"),
        ({"what": "   "}, "what", "erforderlich"),
        ({"what": "x" * 201}, "what", "höchstens 200 Zeichen"),
        ({"assigned_to": "abc"}, "assigned_to", "nicht sehen"),
        ({"assigned_to": "9" * 30}, "assigned_to", "nicht sehen"),
    ],
)
def test_bad_edit_input_changes_nothing(client, people, records, overrides, field, message):
    follow_up = records["follow_up_own"]
    before = state(follow_up)
    client.force_login(people["advisor_mo"])
    response = client.post(url("edit", follow_up), edit_data(follow_up, people["advisor_mo"], **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert state(follow_up) == before


def test_stale_edit_is_refused_naming_who_changed_what_and_a_second_save_goes_through(client, people, records):
    follow_up = records["follow_up_own"]
    client.force_login(people["advisor_mo"])
    data = edit_data(follow_up, people["advisor_mo"])
    # Meanwhile the coordinator postpones it.
    service.follow_up_postpone(follow_up=FollowUp.objects.get(pk=follow_up.pk), by=people["coordinator_mo"])
    postponed = state(follow_up)

    response = client.post(url("edit", follow_up), data)

    assert response.status_code == 200
    refusal = " ".join(response.context["form"].non_field_errors())
    assert "Inzwischen hat koordination-mo diesen Datensatz geändert (fällig am)" in refusal
    assert state(follow_up) == postponed
    # The form now carries the current version: saving deliberately again goes through.
    data["loaded_version"] = response.context["form"].data["loaded_version"]
    assert client.post(url("edit", follow_up), data).status_code == 302
    assert FollowUp.objects.get(pk=follow_up.pk).what == "Satzungsentwurf besprechen"


@pytest.mark.parametrize("loaded", [None, "", "abc", "-1", "999999999"])
def test_edit_without_a_valid_version_is_refused(client, people, records, loaded):
    follow_up = records["follow_up_own"]
    before = state(follow_up)
    client.force_login(people["advisor_mo"])
    data = edit_data(follow_up, people["advisor_mo"])
    if loaded is None:
        del data["loaded_version"]
    else:
        data["loaded_version"] = loaded
    response = client.post(url("edit", follow_up), data)
    assert response.status_code == 200
    assert "Inzwischen" in " ".join(response.context["form"].non_field_errors())
    assert state(follow_up) == before


# --- Postpone ---------------------------------------------------------------------------------------


def test_one_week_later_is_one_post_from_the_list(client, people, records):
    follow_up = records["follow_up_own"]
    client.force_login(people["advisor_mo"])
    list_url = reverse("casework:follow_up_list")
    html = client.get(list_url).content.decode()
    button = re.search(rf'<form method="post" action="{url("postpone", follow_up)}">.*?</form>', html, re.S).group(0)
    loaded = re.search(r'name="loaded_version" value="(\d+)"', button).group(1)
    assert loaded == version(follow_up)

    response = client.post(url("postpone", follow_up), {"week": "1", "loaded_version": loaded, "next": list_url})

    assert response.status_code == 302 and response["Location"] == list_url
    assert FollowUp.objects.get(pk=follow_up.pk).due_on == DUE + datetime.timedelta(days=7)
    message = client.get(list_url).content.decode()
    assert "ist jetzt am 23.03.2026 fällig" in message


def test_pressing_one_week_later_twice_with_the_same_page_moves_it_once(client, people, records):
    follow_up = records["follow_up_own"]
    client.force_login(people["advisor_mo"])
    data = {"week": "1", "loaded_version": version(follow_up)}
    assert client.post(url("postpone", follow_up), data).status_code == 302
    second = client.post(url("postpone", follow_up), data)
    assert second.status_code == 200
    assert "Inzwischen hat" in " ".join(second.context["form"].non_field_errors())
    assert FollowUp.objects.get(pk=follow_up.pk).due_on == DUE + datetime.timedelta(days=7)


def test_postpone_to_a_date(client, people, records):
    follow_up = records["follow_up_shared"]
    client.force_login(people["advisor_lots"])  # the partner unit may, as it may mark it done
    assert client.get(url("postpone", follow_up)).status_code == 200
    response = client.post(url("postpone", follow_up), {"due_on": "2026-05-04", "loaded_version": version(follow_up)})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.due_on == datetime.date(2026, 5, 4)
    assert follow_up.history.first().history_user == people["advisor_lots"]


@pytest.mark.parametrize(
    ("due_on", "message"),
    [("", "Bitte ein Datum angeben"), ("31.02.2026", "gültiges Datum"), ("2099-01-01", "höchstens 5 Jahre")],
)
def test_bad_postpone_date_changes_nothing(client, people, records, due_on, message):
    follow_up = records["follow_up_own"]
    before = state(follow_up)
    client.force_login(people["advisor_mo"])
    response = client.post(url("postpone", follow_up), {"due_on": due_on, "loaded_version": version(follow_up)})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["due_on"])
    assert state(follow_up) == before


def test_calendar_feed_shows_the_new_date(client, people, records):
    follow_up = records["follow_up_own"]
    feed_url = create_feed(client, people["advisor_mo"])
    uid = f"wiedervorlage-{follow_up.pk}@testserver"

    def day_in_feed():
        events = parse_events(client.get(feed_url).content.decode())
        return next(e["DTSTART;VALUE=DATE"] for e in events if e["UID"] == uid)

    assert day_in_feed() == "20260316"
    client.force_login(people["advisor_mo"])
    client.post(url("postpone", follow_up), {"week": "1", "loaded_version": version(follow_up)})
    client.logout()
    assert day_in_feed() == "20260323"
    client.force_login(people["advisor_mo"])
    client.post(url("edit", follow_up), edit_data(follow_up, people["advisor_mo"], due_on="2026-04-20"))
    client.logout()
    assert day_in_feed() == "20260420"


# --- Who may ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["edit", "postpone"])
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
def test_denied_edits_change_nothing(client, people, records, reader, action, who, target, expected):
    follow_up = records[f"follow_up_{target}"]
    before = state(follow_up)
    if who != "anonymous":
        client.force_login(reader if who == "reader" else people[who])
    data = edit_data(follow_up, people["advisor_mo"], week="1")
    response = client.post(url(action, follow_up), data)
    assert response.status_code == expected
    assert state(follow_up) == before


def test_reader_sees_no_edit_buttons(client, people, records, reader):
    client.force_login(reader)
    html = client.get(reverse("casework:follow_up_unit_list")).content.decode()
    assert "Nachfassen" in html
    assert url("edit", records["follow_up_own"]) not in html and url("postpone", records["follow_up_own"]) not in html


# --- Undo "erledigt" --------------------------------------------------------------------------------


def test_done_items_can_be_reopened_from_the_list_with_a_message(client, people, records):
    follow_up = records["follow_up_own"]
    service.follow_up_done(follow_up=follow_up, by=people["advisor_mo"])
    client.force_login(people["advisor_mo"])
    done_list = reverse("casework:follow_up_list") + "?status=done"

    html = client.get(done_list).content.decode()
    assert f'action="{url("reopen", follow_up)}"' in html
    assert f'name="next" value="{done_list}"' in html

    response = client.post(url("reopen", follow_up), {"next": done_list}, follow=True)

    assert response.redirect_chain == [(done_list, 302)]
    assert "Wiedervorlage „Nachfassen“ ist wieder offen." in response.content.decode()
    assert FollowUp.objects.get(pk=follow_up.pk).done_at is None


def test_list_actions_are_in_the_table_and_in_the_cards_for_small_screens(client, people, records):
    client.force_login(people["advisor_mo"])
    html = client.get(reverse("casework:follow_up_list")).content.decode()
    table, cards = html.split('class="list-unstyled d-md-none follow-up-cards"')
    for part in (table, cards):
        assert url("done", records["follow_up_own"]) in part
        assert url("postpone", records["follow_up_own"]) in part
        assert url("edit", records["follow_up_own"]) in part


HOSTILE = ["\x00", "9" * 5000, "' OR 1=1 --", "<script>x</script>", "-1", "1e10", "NaN", "2026-13-45", "٣", ""]


@pytest.mark.parametrize("action", ["edit", "postpone"])
@pytest.mark.parametrize("field", ["due_on", "what", "assigned_to", "loaded_version", "week", "next"])
def test_hostile_values_never_fail_and_change_nothing_unless_valid(client, people, records, action, field):
    follow_up = records["follow_up_own"]
    client.force_login(people["advisor_mo"])
    for value in HOSTILE:
        before = state(follow_up)
        data = edit_data(follow_up, people["advisor_mo"])
        data[field] = value
        response = client.post(url(action, follow_up), data)
        assert response.status_code in (200, 302), (field, value)
        if response.status_code == 302:
            assert response["Location"].startswith("/")
        else:
            assert state(follow_up) == before
        FollowUp.objects.filter(pk=follow_up.pk).update(**before)
