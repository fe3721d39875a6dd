"""Merging a duplicate organisation into the one kept: what moves, the histories, locking, access, figures."""

import datetime

import pytest
from django.urls import reverse

from casework import access
from casework.models import Case, CaseGoal, Consultation, Event
from organisations.models import ContactPerson, Organisation
from organisations.services import merge_summary, organisation_merge
from reports import periods
from reports.figures import report_figures
from tests.factories import ConsultationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

FIXED_NOW = datetime.datetime(2026, 11, 1, 12, 0, tzinfo=datetime.UTC)


def merge_url(organisation):
    return reverse("organisations:organisation_merge", args=[organisation.pk])


@pytest.fixture
def duplicate(records, unit_mo, unit_lots, people):
    """A second "Kulturverein Anatolien" with records of its own, shared with the Lots*innen unit."""
    organisation = OrganisationFactory(units=[unit_mo], name="Kulturverein Anatolien")
    day = datetime.date(2026, 3, 9)
    ConsultationFactory(unit=unit_mo, organisation=organisation, date=day, advisors=[people["advisor_mo"]])
    ConsultationFactory(
        unit=unit_mo, shared_with=unit_lots, organisation=organisation, date=day, advisors=[people["advisor_mo"]]
    )
    organisation.contacts.create(name="Deniz Aydın", consent_date=day)
    Case.objects.create(
        unit=unit_mo,
        organisation=organisation,
        title="Satzung",
        goal=CaseGoal.objects.filter(unit=unit_mo).first(),
        opened_on=day,
    )
    records["event_own"].organisations.add(organisation, records["org_own"])
    records["event_shared"].organisations.add(organisation)
    return organisation


def test_merge_moves_every_record_and_deletes_the_duplicate(records, duplicate, people, unit_mo, unit_lots):
    keep = records["org_own"]
    moved_consultations = set(duplicate.consultations.values_list("pk", flat=True))
    kept_before = keep.consultations.count()

    organisation_merge(keep=keep, remove=duplicate, by=people["coordinator_mo"])

    assert not Organisation.objects.filter(pk=duplicate.pk).exists()
    assert set(Consultation.objects.filter(pk__in=moved_consultations).values_list("organisation", flat=True)) == {
        keep.pk
    }
    assert keep.consultations.count() == kept_before + 2
    assert ContactPerson.objects.filter(organisation=keep).count() == 2
    assert Case.objects.filter(organisation=keep).count() == 2
    # An event that had both lists the kept one once.
    assert list(records["event_own"].organisations.all()) == [keep]
    assert list(records["event_shared"].organisations.all()) == [keep]


def test_merge_unites_units_and_keeps_shared_visibility(records, people, unit_mo, unit_lots):
    keep = records["org_own"]
    remove = OrganisationFactory(units=[unit_lots], name="Kulturverein Anatolien")
    ConsultationFactory(unit=unit_lots, shared_with=unit_mo, organisation=remove)
    organisation_merge(keep=keep, remove=remove, by=people["admin"])
    assert set(keep.units.all()) == {unit_mo, unit_lots}
    assert access.organisations_visible_to(people["advisor_lots"]).filter(pk=keep.pk).exists()


def test_merge_is_written_into_the_histories(records, duplicate, people):
    keep = records["org_own"]
    consultation = duplicate.consultations.first()
    version = consultation.version
    organisation_merge(keep=keep, remove=duplicate, by=people["coordinator_mo"])

    reason = f"Zusammengeführt mit „Kulturverein Anatolien“ (#{duplicate.pk})"
    latest = keep.history.latest("history_date", "history_id")
    assert (latest.history_change_reason, latest.history_user) == (reason, people["coordinator_mo"])
    moved = consultation.history.latest("history_date", "history_id")
    assert (moved.history_change_reason, moved.organisation_id) == (reason, keep.pk)
    # Its topics are still recorded: the entry is a full snapshot, not only the organisation.
    assert list(moved.topics.values_list("topic_id", flat=True)) == list(
        consultation.topics.values_list("pk", flat=True)
    )
    consultation.refresh_from_db()
    assert consultation.version == version + 1
    deleted = Organisation.history.filter(id=duplicate.pk, history_type="-").get()
    assert deleted.history_change_reason.startswith("Zusammengeführt in „Kulturverein Anatolien e.V.“")


def test_summary_counts_what_moves(duplicate):
    counts = {item.label: item.count for item in merge_summary(duplicate)}
    assert counts["Beratungen"] == 2
    assert counts["Beratungsprozesse"] == 1
    assert counts["Ansprechpersonen"] == 1
    assert counts["teilnehmende Organisationen"] == 2
    assert counts["Standortbestimmungen"] == 0


def figures(units):
    return {
        str(period): report_figures(units, period, generated_by="Test", now=FIXED_NOW)
        for period in (periods.year(2025), periods.year(2026), periods.quarter(2026, 1), periods.half(2026, 1))
    }


def test_figures_stay_the_same(records, people, unit_mo, unit_lots):
    """The usual case: the duplicate carries the records, the kept one was registered again without any."""
    remove = records["org_own"]  # consultations in 2026, a case, a contact person, an event
    ConsultationFactory(unit=unit_mo, shared_with=unit_lots, organisation=remove, date=datetime.date(2025, 7, 1))
    keep = OrganisationFactory(units=[unit_mo], name="Kulturverein Anatolien")
    scopes = [[unit_mo], [unit_lots], [unit_mo, unit_lots]]
    before = [figures(units) for units in scopes]
    organisation_merge(keep=keep, remove=remove, by=people["coordinator_mo"])
    after = [figures(units) for units in scopes]
    for scope_before, scope_after in zip(before, after, strict=True):
        for period, figures_before in scope_before.items():
            for key, value in figures_before.items():
                assert scope_after[period][key] == value, (period, key)


def totals(figures_of_report):
    return {total["key"]: total["value"] for total in figures_of_report["totals"]}


def test_when_both_were_reached_they_count_as_one_organisation(records, duplicate, people, unit_mo):
    """Consultation figures stay; the two entries of one organisation now count once (that is the fix)."""
    period = periods.year(2026)
    before = totals(report_figures([unit_mo], period, generated_by="Test", now=FIXED_NOW))
    organisation_merge(keep=records["org_own"], remove=duplicate, by=people["coordinator_mo"])
    after = totals(report_figures([unit_mo], period, generated_by="Test", now=FIXED_NOW))
    assert {key: after[key] for key in ("consultations", "hours", "participants", "events", "cases_opened")} == {
        key: before[key] for key in ("consultations", "hours", "participants", "events", "cases_opened")
    }
    assert after["organisations"] == before["organisations"] - 1


# --- Through the pages -------------------------------------------------------------------------------


def test_coordinator_chooses_sees_counts_and_confirms(client, records, duplicate, people):
    keep = records["org_own"]
    client.force_login(people["coordinator_mo"])
    detail = client.get(reverse("organisations:organisation_detail", args=[keep.pk])).content.decode()
    assert merge_url(keep) in detail

    choose = client.get(merge_url(keep))
    # The similar organisation is offered first.
    assert (duplicate.pk, "Kulturverein Anatolien (Frankfurt am Main)") in choose.context["form"].fields[
        "mit"
    ].widget.choices

    confirm = client.get(merge_url(keep), {"mit": duplicate.pk})
    assert confirm.status_code == 200
    assert "Beratungen: <strong>2</strong>" in confirm.content.decode()
    assert Organisation.objects.filter(pk=duplicate.pk).exists()

    response = client.post(
        merge_url(keep), {"mit": duplicate.pk, "keep_version": keep.version, "remove_version": duplicate.version}
    )
    assert response["Location"] == reverse("organisations:organisation_detail", args=[keep.pk])
    assert not Organisation.objects.filter(pk=duplicate.pk).exists()


def test_advisors_do_not_merge(client, records, duplicate, people):
    client.force_login(people["advisor_mo"])
    response = client.post(merge_url(records["org_own"]), {"mit": duplicate.pk, "keep_version": 1, "remove_version": 1})
    assert response.status_code == 403
    assert Organisation.objects.filter(pk=duplicate.pk).exists()


@pytest.mark.parametrize("other", ["org_foreign", "org_own", "unknown", "junk"])
def test_only_own_units_organisations_can_be_dissolved(client, records, people, other):
    """Another unit's organisation, the kept one itself, unknown ids: a German message, nothing changes."""
    keep = records["org_own"]
    values = {"org_foreign": records["org_foreign"].pk, "org_own": keep.pk, "unknown": 999999, "junk": "1e9"}
    client.force_login(people["coordinator_mo"])
    count = Organisation.objects.count()
    response = client.post(merge_url(keep), {"mit": values[other], "keep_version": 1, "remove_version": 1})
    assert response.status_code == 200
    assert "kann hier nicht zusammengeführt werden" in response.content.decode()
    assert "Integrationslots" not in response.content.decode()
    assert Organisation.objects.count() == count


def test_changed_in_between_is_refused(client, records, duplicate, people):
    keep = records["org_own"]
    client.force_login(people["coordinator_mo"])
    loaded = {"mit": duplicate.pk, "keep_version": keep.version, "remove_version": duplicate.version}
    Organisation.objects.filter(pk=duplicate.pk).update(version=duplicate.version + 1)  # someone saved it
    response = client.post(merge_url(keep), loaded)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Inzwischen wurde eine der beiden Organisationen geändert" in page
    assert f'name="remove_version" value="{duplicate.version + 1}"' in page
    assert Organisation.objects.filter(pk=duplicate.pk).exists()
    assert duplicate.consultations.count() == 2


@pytest.mark.parametrize("version", ["", "abc", "-1", "99999999999999999999999"])
def test_bad_versions_are_refused(client, records, duplicate, people, version):
    client.force_login(people["coordinator_mo"])
    response = client.post(
        merge_url(records["org_own"]), {"mit": duplicate.pk, "keep_version": version, "remove_version": version}
    )
    assert response.status_code == 200
    assert Organisation.objects.filter(pk=duplicate.pk).exists()


def test_events_keep_their_history_entry_per_merge(records, duplicate, people):
    event = records["event_own"]
    entries = event.history.count()
    organisation_merge(keep=records["org_own"], remove=duplicate, by=people["coordinator_mo"])
    assert event.history.count() == entries + 1
    assert isinstance(Event.objects.get(pk=event.pk), Event)


def test_history_on_the_page_says_it_was_merged(client, records, duplicate, people):
    keep = records["org_own"]
    organisation_merge(keep=keep, remove=duplicate, by=people["coordinator_mo"])
    client.force_login(people["coordinator_mo"])
    page = client.get(reverse("organisations:organisation_detail", args=[keep.pk])).content.decode()
    assert f"Zusammengeführt mit „Kulturverein Anatolien“ (#{duplicate.pk})" in page
