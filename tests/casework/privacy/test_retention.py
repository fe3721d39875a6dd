"""Deletion periods: `apply_retention --dry-run` changes nothing, the real run erases what is due, once."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import AccessEvent
from casework.models import Consultation, FollowUp
from casework.privacy import retention
from organisations.models import ContactPerson
from tests.casework.privacy.test_erasure import database_fingerprint, tables_containing
from tests.factories import ConsultationFactory, OrganisationFactory

OLD = datetime.date(2019, 6, 1)


def run(*args) -> str:
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def aged(records, people, unit_mo):
    """Besides the fresh `records`: an organisation last advised in 2019, its contact, old history and log."""
    today = timezone.localdate()
    organisation = OrganisationFactory(units=[unit_mo], name="Altverein")
    old = ConsultationFactory(unit=unit_mo, organisation=organisation, date=OLD, summary="Wzq alt", agreements="Wzq")
    follow_up = FollowUp.objects.create(
        unit=unit_mo, consultation=old, due_on=OLD, what="Wzq anrufen", assigned_to=people["advisor_mo"]
    )
    gone = organisation.contacts.create(name="Wzqperson Alt", consent_date=datetime.date(2018, 1, 1))
    # Last contact three years ago less 30 days: due within the coordinators' 90 days, not yet today.
    soon_org = OrganisationFactory(units=[unit_mo], name="Bald fällig")
    soon_day = retention.add_years(today, -3) + datetime.timedelta(days=30)
    ConsultationFactory(unit=unit_mo, organisation=soon_org, date=soon_day)
    soon = soon_org.contacts.create(name="Bald Person", consent_date=soon_day)
    # A fresh consultation keeps the contact person of records["org_own"].
    stale_at = timezone.make_aware(datetime.datetime(2019, 7, 1))
    Consultation.history.filter(id=records["own"].pk).update(history_date=stale_at)
    AccessEvent.objects.create(kind=AccessEvent.Kind.SIGN_IN, at=stale_at, user_label="alt")
    return {"old": old, "follow_up": follow_up, "gone": gone, "soon": soon, "organisation": organisation}


def test_dry_run_lists_and_changes_nothing(aged):
    before = database_fingerprint()
    output = run("--dry-run")
    assert database_fingerprint() == before
    assert (
        f"Ansprechperson #{aged['gone'].pk}: Ansprechperson 3 Jahre nach dem letzten Kontakt, fällig am 01.06.2022"
        in (output)
    )
    assert f"Beratung #{aged['old'].pk}: Freitexte 5 Jahre nach Ende des Förderjahres, fällig am 31.12.2024" in output
    assert f"Wiedervorlage #{aged['follow_up'].pk}" in output
    assert "Historieneinträge (casework.HistoricalConsultation)" in output
    assert "1 Einträge im Zugriffsprotokoll" in output
    assert f"Ansprechperson #{aged['soon'].pk}" not in output
    assert "Wzq" not in output  # ids and kinds only: the output lands in the system journal


def test_run_erases_what_is_due_and_a_second_run_nothing(aged, records):
    minutes = list(Consultation.objects.order_by("pk").values_list("pk", "date", "duration_minutes", "participants"))
    output = run()
    assert "gelöscht: Ansprechperson" in output
    assert not ContactPerson.objects.filter(pk=aged["gone"].pk).exists()
    assert ContactPerson.objects.filter(pk__in=[aged["soon"].pk, records["contact_own"].pk]).count() == 2
    old = Consultation.objects.get(pk=aged["old"].pk)
    assert (old.summary, old.agreements) == ("", "")
    assert set(Consultation.history.filter(id=old.pk).values_list("summary", flat=True)) == {""}
    assert tables_containing("wzq") == {}
    # Fresh texts stay, figures stay.
    assert Consultation.objects.get(pk=records["shared"].pk).summary
    assert list(Consultation.objects.order_by("pk").values_list("pk", "date", "duration_minutes", "participants")) == (
        minutes
    )
    assert not Consultation.history.filter(id=records["own"].pk).exists()
    assert not AccessEvent.objects.filter(user_label="alt").exists()
    erasures = AccessEvent.objects.filter(kind=AccessEvent.Kind.ERASURE)
    assert erasures.filter(target_kind="contact_person", target_id=str(aged["gone"].pk)).exists()
    assert erasures.filter(target_kind="consultation", target_id=str(old.pk)).exists()

    after_first = database_fingerprint()
    second = run()
    assert "0 Datensätze bzw. Einträge gelöscht" in second
    assert database_fingerprint() == after_first
    assert "würde gelöscht" not in run("--dry-run")


def test_periods_come_from_the_settings(aged, settings):
    settings.RETENTION = {**settings.RETENTION, "free_text_years": 10, "contact_person_years": 10}
    output = run("--dry-run")
    assert f"Beratung #{aged['old'].pk}" not in output
    assert f"Ansprechperson #{aged['gone'].pk}" not in output


def test_a_new_consultation_postpones_the_contacts_erasure(aged, unit_mo):
    ConsultationFactory(unit=unit_mo, organisation=aged["organisation"], date=timezone.localdate())
    run()
    assert ContactPerson.objects.filter(pk=aged["gone"].pk).exists()


def test_coordinators_see_what_falls_due_in_90_days(aged, client, people):
    client.force_login(people["coordinator_mo"])
    page = client.get(reverse("casework:retention_due")).content.decode()
    assert "Bald Person" in page and "Wzqperson Alt" in page
    assert "überfällig" in page
    assert "Jonas Weber" not in page  # Lots's contact person


def test_other_units_coordinators_do_not_see_it(aged, client, people):
    client.force_login(people["coordinator_lots"])
    page = client.get(reverse("casework:retention_due")).content.decode()
    assert "Bald Person" not in page and "Wzqperson" not in page
