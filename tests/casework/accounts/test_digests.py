"""The daily digest: who gets what, once a day, without personal data of contact persons."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from casework.accounts import notify
from casework.consultations import services as consultation_services
from casework.follow_ups.services import follow_up_create, follow_up_done
from casework.models import NotificationSettings, SentNotification
from tests.conftest import make_person
from tests.factories import ConsultationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
SITE = "https://beratung.example.org"
TODAY = datetime.date(2026, 11, 28)
MORNING = datetime.datetime(2026, 11, 28, 6, 30, tzinfo=BERLIN)
CONTACT_NAME = "Selin Kaya"
ORGANISATION_NAME = "Kulturverein Anatolien e.V."
SECRET_TASK = "Frau Kaya wegen Satzung anrufen"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def world(people, unit_mo, unit_lots):
    """Hand-built: MO's advisor with follow-ups due today, overdue, in future, done, and one on a Lots record."""
    for person in people.values():
        person.email = f"{person.username}@example.org"
        person.save()
    advisor = people["advisor_mo"]
    with time_machine.travel(MORNING - datetime.timedelta(days=30), tick=False):
        org = OrganisationFactory(units=[unit_mo], name=ORGANISATION_NAME)
        org.contacts.create(name=CONTACT_NAME, function="Vorsitz", consent_date=days(-30))
        own = ConsultationFactory(unit=unit_mo, organisation=org, advisors=[advisor])
        foreign = ConsultationFactory(unit=unit_lots, organisation=OrganisationFactory(units=[unit_lots]))
        follow = {
            "today": follow_up_create(owner=own, due_on=TODAY, what=SECRET_TASK, assigned_to=advisor, by=advisor),
            "overdue1": follow_up_create(owner=own, due_on=days(-1), what=SECRET_TASK, assigned_to=advisor, by=None),
            "overdue2": follow_up_create(owner=own, due_on=days(-9), what=SECRET_TASK, assigned_to=advisor, by=None),
            "future": follow_up_create(owner=own, due_on=days(1), what=SECRET_TASK, assigned_to=advisor, by=None),
            "done": follow_up_create(owner=own, due_on=days(-2), what=SECRET_TASK, assigned_to=advisor, by=None),
            # Assigned to MO's advisor, but on a record of the other unit: not visible, not mentioned.
            "other_unit": follow_up_create(
                owner=foreign, due_on=days(-3), what=SECRET_TASK, assigned_to=advisor, by=None
            ),
        }
        follow_up_done(follow_up=follow["done"], by=advisor)
    return {"people": people, "own": own, "org": org, "follow": follow}


def overdue_for(person, owner):
    with time_machine.travel(MORNING - datetime.timedelta(days=30), tick=False):
        return follow_up_create(owner=owner, due_on=days(-1), what=SECRET_TASK, assigned_to=person, by=None)


def mails_to(person):
    return [m for m in mail.outbox if m.to == [person.email]]


def send(now=MORNING):
    return notify.send_digests(now=now)


def test_counts_only_visible_open_follow_ups_due_today_and_overdue(world):
    digest = notify.digest_for(user=world["people"]["advisor_mo"], now=MORNING)
    assert (digest.due_today, digest.overdue) == (1, 2)


def test_digest_mail_has_counts_links_and_no_names(world):
    run = send()
    (message,) = mails_to(world["people"]["advisor_mo"])
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    for body in (message.body, html):
        assert "heute fällig: 1" in body or "heute fällig: <strong>1</strong>" in body
        assert "überfällig: 2" in body or "überfällig: <strong>2</strong>" in body
        assert f"{SITE}/wiedervorlagen/" in body
        assert f"{SITE}/konto/einstellungen/" in body
        for secret in (CONTACT_NAME, "Kaya", ORGANISATION_NAME, "Anatolien", SECRET_TASK):
            assert secret not in body
    assert message.subject == "Vielfalt-Beratung: Ihre Übersicht vom 28.11.2026"
    assert run.sent == 1


def test_second_run_same_day_sends_nothing_next_day_sends_again(world):
    advisor = world["people"]["advisor_mo"]
    assert send().sent == 1
    later = send(MORNING + datetime.timedelta(hours=10))
    assert (later.sent, later.already_sent) == (0, 1)
    assert len(mails_to(advisor)) == 1
    assert SentNotification.objects.filter(user=advisor, kind="digest", day=TODAY).count() == 1

    tomorrow = send(MORNING + datetime.timedelta(days=1))
    assert tomorrow.sent == 1
    assert len(mails_to(advisor)) == 2
    # Tomorrow, today's follow-up counts as overdue too.
    assert "überfällig: 3" in mails_to(advisor)[1].body


def test_opted_out_person_gets_nothing_until_opting_in(world, unit_mo):
    advisor = world["people"]["advisor_mo"]
    NotificationSettings.objects.create(user=advisor, daily_digest=False)
    run = send()
    assert mails_to(advisor) == []
    assert run.opted_out >= 1
    assert not SentNotification.objects.filter(user=advisor).exists()
    NotificationSettings.objects.filter(user=advisor).update(daily_digest=True)
    assert send().sent == 1


def test_person_without_email_is_skipped_and_counted_inactive_gets_nothing(world, unit_mo):
    from casework.roles import ADVISOR, role_group

    group = role_group(unit_mo, ADVISOR)
    no_email = make_person("ohne-mail", group)
    inactive = make_person("ausgeschieden", group, email="weg@example.org", is_active=False)
    overdue_for(no_email, world["own"])
    overdue_for(inactive, world["own"])
    run = send()
    assert run.without_email == 1
    assert mails_to(inactive) == []
    assert not SentNotification.objects.filter(user__in=[no_email, inactive]).exists()


def test_nothing_due_no_mail(world):
    coordinator = world["people"]["coordinator_mo"]
    run = send()
    assert mails_to(coordinator) == []
    assert run.nothing_to_send >= 1


def test_failed_send_is_retried_on_next_run(world, monkeypatch):
    advisor = world["people"]["advisor_mo"]

    def refuse(*args, **kwargs):
        raise OSError("SMTP server unreachable")

    monkeypatch.setattr(notify.EmailMultiAlternatives, "send", refuse)
    assert send().failed == 1
    assert not SentNotification.objects.filter(user=advisor).exists()
    monkeypatch.undo()
    assert send().sent == 1


# --- Shared with one's unit ------------------------------------------------------------------------


def share(consultation, unit):
    consultation.shared_with = unit
    consultation_services.consultation_save(
        consultation=consultation, by=None, topics=list(consultation.topics.all()), advisors=[]
    )


@pytest.fixture
def lots_people(world):
    return world["people"]["advisor_lots"], world["people"]["coordinator_lots"]


def test_share_since_last_digest_is_noted_once(world, unit_mo, unit_lots, lots_people):
    advisor_lots, _ = lots_people
    org = world["org"]
    with time_machine.travel(MORNING - datetime.timedelta(hours=12), tick=False):
        shared_new = ConsultationFactory(unit=unit_mo, organisation=org, shared_with=unit_lots, date=days(-3))
    send()
    (first,) = mails_to(advisor_lots)
    assert "wurde 1 Beratung mit Ihrer Fachstelle geteilt" in first.body
    assert f"{SITE}/beratungen/{shared_new.pk}/" in first.body
    assert "Beratung vom 25.11.2026, federführend: Fachstelle MO" in first.body
    for secret in (CONTACT_NAME, ORGANISATION_NAME, "Satzungsentwurf"):
        assert secret not in first.body
        assert secret not in first.alternatives[0][0]

    next_morning = MORNING + datetime.timedelta(days=1)
    with time_machine.travel(MORNING + datetime.timedelta(hours=3), tick=False):
        # An edit of a record shared before the last digest is no news ...
        shared_new.summary = "Nachtrag"
        share(shared_new, unit_lots)
        # ... a record shared after it is; one shared and unshared again is not.
        later = ConsultationFactory(unit=unit_mo, organisation=org, date=days(-1))
        share(later, unit_lots)
        withdrawn = ConsultationFactory(unit=unit_mo, organisation=org, shared_with=unit_lots)
        share(withdrawn, None)
    digest = notify.digest_for(user=advisor_lots, now=next_morning)
    assert [c.pk for c in digest.shared] == [later.pk]
    # MO people are not told about their own unit's records.
    assert notify.digest_for(user=world["people"]["coordinator_mo"], now=next_morning).shared == []
    assert notify.digest_for(user=world["people"]["admin"], now=next_morning).shared == []


def test_share_older_than_lookback_is_not_noted(world, unit_mo, unit_lots, lots_people):
    advisor_lots, _ = lots_people
    with time_machine.travel(MORNING - datetime.timedelta(days=2), tick=False):
        ConsultationFactory(unit=unit_mo, organisation=world["org"], shared_with=unit_lots)
    # No digest before: the first one looks back one day only.
    assert notify.digest_for(user=advisor_lots, now=MORNING).shared == []


# --- The command -----------------------------------------------------------------------------------


def test_command_reports_counts_and_is_idempotent(world, unit_mo):
    from casework.roles import ADVISOR, role_group

    overdue_for(make_person("ohne-mail", role_group(unit_mo, ADVISOR)), world["own"])
    out = io.StringIO()
    with time_machine.travel(MORNING, tick=False):
        call_command("send_digests", stdout=out)
        first = out.getvalue()
        call_command("send_digests", stdout=out)
    assert "1 Übersicht versandt" in first
    assert "1 ohne E-Mail-Adresse übersprungen" in first
    assert "0 Übersichten versandt" in out.getvalue()[len(first) :]
    assert len(mails_to(world["people"]["advisor_mo"])) == 1


def test_command_without_site_url_fails_clearly_and_claims_nothing(world, settings):
    settings.SITE_URL = ""
    with pytest.raises(CommandError, match="SITE_URL fehlt"):
        call_command("send_digests", stdout=io.StringIO())
    assert mail.outbox == []
    assert not SentNotification.objects.exists()


def test_command_exits_non_zero_when_a_mail_fails(world, monkeypatch):
    monkeypatch.setattr(notify.EmailMultiAlternatives, "send", lambda *a, **k: (_ for _ in ()).throw(OSError()))
    with time_machine.travel(MORNING, tick=False), pytest.raises(CommandError, match="nicht versandt"):
        call_command("send_digests", stdout=io.StringIO())
