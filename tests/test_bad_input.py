"""Bad input gets a German message or a 404, never a 500, and changes nothing."""

import pytest
from django.urls import reverse

from casework.models import Consultation
from organisations.models import ContactPerson, Organisation

pytestmark = pytest.mark.django_db

DATE_RANGE = "Bitte ein Datum zwischen 01.01.2017 und 31.12.2100 angeben."


@pytest.fixture
def advisor(client, people):
    client.force_login(people["advisor_mo"])
    return people["advisor_mo"]


@pytest.mark.parametrize(
    "path",
    [
        "/beratungen/abc/",
        "/beratungen/99999999/",
        "/beratungen/-1/bearbeiten/",
        "/beratungen/99999999999999999999999/",
        "/organisationen/0/",
        "/organisationen/ansprechpersonen/99999999/bearbeiten/",
        "/gibt-es-nicht/",
    ],
)
def test_malformed_or_unknown_ids_are_404(client, advisor, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "nicht gefunden" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-02-30"},
        {"date_to": "gestern"},
        {"unit": "x"},
        {"unit": "999"},
        {"advisor": "1; DROP TABLE"},
        {"topic": "-5"},
        {"region": "99999999999999999999"},
        {"organisation": "abc"},
        {"organisation": "99999999999999999999"},
        {"format": "telepathisch"},
        {"q": "x" * 5000},
        {"page": "999999"},
        {"page": "-1"},
        {"page": "eins"},
    ],
)
def test_bad_filter_values_never_fail(client, advisor, records, params):
    response = client.get(reverse("casework:consultation_list"), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Beratungen" in html


def test_invalid_filter_shows_german_message(client, advisor, records):
    response = client.get(reverse("casework:consultation_list"), {"date_from": "2026-02-30", "unit": "999"})
    html = response.content.decode()
    assert "Bitte ein gültiges Datum eingeben." in html
    assert "Bitte eine gültige Auswahl treffen." in html


@pytest.mark.parametrize("params", [{"region": "x"}, {"kind": "raumschiff"}, {"unit": "-1"}, {"page": "zz"}])
def test_bad_organisation_filters(client, advisor, records, params):
    assert client.get(reverse("organisations:organisation_list"), params).status_code == 200


@pytest.mark.parametrize("query", ["", "a", "%", "_" * 300, "' OR 1=1 --", "\x00"])
def test_picker_with_odd_queries(client, advisor, records, query):
    response = client.get(reverse("organisations:picker"), {"q": query})
    assert response.status_code == 200
    assert "results" in response.json()


def consultation_post(records, unit_mo, advisor, **overrides):
    data = {
        "topics": [unit_mo.topics.first().pk],
        "unit": unit_mo.pk,
        "organisation": records["org_own"].pk,
        "date": "2026-03-10",
        "duration_minutes": "60",
        "format": "office",
        "initiated_by": "organisation",
        "participants": "1",
        "advisors": [advisor.pk],
        "summary": "",
        "agreements": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date": "2026-13-01"}, "date", "Bitte ein gültiges Datum eingeben."),
        ({"date": "2999-01-01"}, "date", "Eine Beratung kann nicht in der Zukunft liegen."),
        ({"date": "2010-01-01"}, "date", "Das Kompetenzzentrum berät erst seit 2017."),
        ({"duration_minutes": "0"}, "duration_minutes", "Bitte eine gültige Auswahl treffen."),
        ({"duration_minutes": "9999"}, "duration_minutes", "Bitte eine gültige Auswahl treffen."),
        ({"duration_minutes": "eine Stunde"}, "duration_minutes", "Bitte eine gültige Auswahl treffen."),
        ({"participants": "-3"}, "participants", "größer oder gleich 0"),
        ({"participants": "viele"}, "participants", "ganze Zahl"),
        ({"participants": "100000"}, "participants", "kleiner oder gleich"),
        ({"summary": "x" * 5001}, "summary", "höchstens 5000 Zeichen"),
        ({"organisation": "abc"}, "organisation", "Bitte eine gültige Auswahl treffen."),
        ({"organisation": ""}, "organisation", "Dieses Feld ist zwingend erforderlich."),
        ({"format": "brieftaube"}, "format", "Bitte eine gültige Auswahl treffen."),
        ({"unit": "2"}, "unit", "Bitte eine gültige Auswahl treffen."),
        ({"follow_up_date": "2026-03-01"}, "follow_up_date", "nicht vor dem Beratungsdatum"),
        ({"follow_up_date": "2026-04-01", "follow_up_what": " "}, "follow_up_what", "Bitte angeben, was"),
        ({"follow_up_what": "x" * 201}, "follow_up_what", "höchstens 200 Zeichen"),
        ({"shared_with": "1"}, "shared_with", "Bitte eine gültige Auswahl treffen."),
        ({"advisors": ["99999"]}, "advisors", "ist keine gültige Auswahl"),
        ({"topics": []}, "topics", "Dieses Feld ist zwingend erforderlich."),
        ({"topics": ["abc"]}, "topics", "ist kein gültiger Wert"),
        # Ids the database cannot take: a form error, not a ValueError (int) or an OverflowError (SQLite).
        ({"topics": [str(2**63)]}, "topics", "ist kein gültiger Wert"),
        ({"advisors": [str(2**64)]}, "advisors", "ist kein gültiger Wert"),
        ({"advisors": ["9" * 5000]}, "advisors", "ist kein gültiger Wert"),
        ({"organisation": "9" * 5000}, "organisation", "Bitte eine gültige Auswahl treffen."),
        ({"case": str(2**63)}, "case", "Bitte eine gültige Auswahl treffen."),
        ({"date": "9999-12-31"}, "date", "Eine Beratung kann nicht in der Zukunft liegen."),
        ({"date": "0001-01-01"}, "date", "Das Kompetenzzentrum berät erst seit 2017."),
        ({"follow_up_date": "9999-12-31"}, "follow_up_date", DATE_RANGE),
        ({"follow_up_date": "2101-01-01"}, "follow_up_date", DATE_RANGE),
    ],
)
def test_consultation_form_rejects_bad_input(client, advisor, records, unit_mo, overrides, field, message):
    before = Consultation.objects.count()
    response = client.post(
        reverse("casework:consultation_create"), consultation_post(records, unit_mo, advisor, **overrides)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert Consultation.objects.count() == before


def test_mass_assignment_is_ignored(client, advisor, records, unit_mo, people):
    """Fields not in the form (creator, timestamps) cannot be set from outside."""
    data = consultation_post(records, unit_mo, advisor, created_by=people["admin"].pk, region="1")
    response = client.post(reverse("casework:consultation_create"), data)
    assert response.status_code == 302
    consultation = Consultation.objects.latest("id")
    assert consultation.created_by == advisor
    assert consultation.region == records["org_own"].region


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"founding_year": "1700"}, "founding_year"),
        ({"founding_year": "2999"}, "founding_year"),
        ({"email": "kein-at-zeichen"}, "email"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"member_count": "-1"}, "member_count"),
        ({"region": "abc"}, "region"),
        ({"units": ["2"]}, "units"),
        ({"units": [str(2**63)]}, "units"),
        ({"region": "9" * 5000}, "region"),
        ({"member_count": str(2**64)}, "member_count"),
        ({"host_type": "welfare"}, "host_type"),
    ],
)
def test_organisation_form_rejects_bad_input(client, advisor, unit_mo, overrides, field):
    from organisations.models import Region

    data = {
        "name": "Neuer Verein e.V.",
        "kind": "migrant_org",
        "legal_form": "ev",
        "charitable_status": "unknown",
        "region": Region.objects.get(name="Wiesbaden").pk,
        "units": [unit_mo.pk],
    }
    data.update(overrides)
    before = Organisation.objects.count()
    response = client.post(reverse("organisations:organisation_create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Organisation.objects.count() == before


def test_contact_consent_in_future_is_rejected(client, advisor, records):
    before = ContactPerson.objects.count()
    response = client.post(
        reverse("organisations:contact_create", kwargs={"pk": records["org_own"].pk}),
        {"name": "Ali Yılmaz", "consent_date": "2999-01-01"},
    )
    assert "Das Datum der Einwilligung darf nicht in der Zukunft liegen." in response.content.decode()
    assert ContactPerson.objects.count() == before


def test_wrong_http_method(client, advisor, records):
    assert client.put(reverse("casework:consultation_create")).status_code == 405
    assert client.post(reverse("organisations:picker")).status_code == 405


def test_sharing_with_the_lead_unit_is_rejected(client, people, records, unit_mo):
    """Someone in both units may pick either; sharing with the lead unit itself makes no sense."""
    admin = people["admin"]
    client.force_login(admin)
    before = Consultation.objects.count()
    data = consultation_post(records, unit_mo, admin, shared_with=unit_mo.pk)
    response = client.post(reverse("casework:consultation_create"), data)
    assert "Eine Beratung kann nur mit der anderen Fachstelle geteilt werden." in response.content.decode()
    assert Consultation.objects.count() == before


# --- Ids, dates and return addresses that once made a 500 ------------------------------------------


def test_parse_pk_rejects_by_length_before_converting():
    from casework.access import MAX_PK, parse_pk

    assert parse_pk("9" * 5000) is None  # int() would raise ValueError beyond 4,300 digits
    assert parse_pk("0" * 5000 + "7") == 7
    assert parse_pk(str(MAX_PK)) == MAX_PK
    assert parse_pk(str(MAX_PK + 1)) is None
    assert parse_pk(10**5000) is None  # an int too large to print
    assert parse_pk(True) is None
    assert parse_pk("٣") is None  # a digit, but not ASCII


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("casework:dashboard", {"unit": "9" * 5000}),
        ("reports:targets", {"year": "9" * 5000}),
        ("reports:targets", {"unit": "9" * 5000}),
        ("casework:consultation_create", {"case": "9" * 5000, "organisation": "9" * 5000}),
        ("casework:case_create", {"organisation": "9" * 5000}),
        ("casework:event_list", {"organisation": "9" * 5000}),
        ("casework:consultation_list", {"organisation": str(2**64)}),
        ("organisations:organisation_list", {"region": str(2**63), "unit": "9" * 5000}),
    ],
)
def test_ids_of_any_length_in_query_parameters(client, people, records, name, params):
    client.force_login(people["coordinator_mo"])
    assert client.get(reverse(name), params).status_code in (200, 404)


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("casework:consultation_list", "date_from"),
        ("casework:consultation_list", "date_to"),
        ("casework:event_list", "date_from"),
        ("casework:event_list", "date_to"),
        ("casework:follow_up_unit_list", "due_to"),
    ],
)
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_extreme_dates_in_list_filters(client, people, records, name, field, day):
    client.force_login(people["coordinator_mo"])
    response = client.get(reverse(name), {field: day})
    assert response.status_code == 200
    assert DATE_RANGE in response.content.decode()


def test_date_inputs_offer_the_range(client, advisor, records):
    html = client.get(reverse("casework:consultation_create")).content.decode()
    assert html.count('min="2017-01-01"') >= 2  # date and follow-up date
    assert html.count('max="2100-12-31"') >= 2


@pytest.mark.parametrize("next_value", ["true", "00:00", "2025-13-01", "//evil.example/", "https://evil.example/", ""])
@pytest.mark.parametrize("action", ["casework:follow_up_done", "casework:follow_up_reopen"])
def test_follow_up_next_that_is_no_local_path_goes_to_the_list(client, advisor, records, action, next_value):
    """redirect() read "true" or "00:00" as the name of a view: NoReverseMatch, a 500."""
    url = reverse(action, kwargs={"pk": records["follow_up_own"].pk})
    response = client.post(url, {"next": next_value})
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:follow_up_list")


def test_follow_up_next_local_path_is_kept(client, advisor, records):
    url = reverse("casework:follow_up_done", kwargs={"pk": records["follow_up_own"].pk})
    target = reverse("casework:consultation_detail", kwargs={"pk": records["own"].pk}) + "?tab=1"
    response = client.post(url, {"next": target})
    assert response.status_code == 302
    assert response["Location"] == target


def test_far_follow_up_date_is_rejected_and_the_feed_stays_up(client, advisor, records, unit_mo):
    """The issue's path: a follow-up on 31.12.9999 was accepted, then the person's .ics feed was a 500."""
    from casework.follow_ups import services
    from casework.models import FollowUp

    data = consultation_post(records, unit_mo, advisor, follow_up_date="9999-12-31", follow_up_what="Nachfassen")
    response = client.post(reverse("casework:consultation_create"), data)
    assert response.status_code == 200
    assert DATE_RANGE in response.content.decode()
    assert not FollowUp.objects.filter(due_on__year=9999).exists()

    # Dates stored before the range existed (or through the admin) still render.
    FollowUp.objects.filter(pk=records["follow_up_own"].pk).update(due_on="9999-12-31")
    FollowUp.objects.filter(pk=records["follow_up_shared"].pk).update(due_on="0001-01-01")
    token = services.calendar_token_create(user=advisor)
    feed = client.get(reverse("casework:calendar_feed", kwargs={"token": token}))
    assert feed.status_code == 200
    body = feed.content.decode()
    assert "DTSTART;VALUE=DATE:99991231\r\nSUMMARY:" in body  # no DTEND after the last day there is
    assert "DTSTART;VALUE=DATE:00010101\r\nDTEND;VALUE=DATE:00010102\r\n" in body
