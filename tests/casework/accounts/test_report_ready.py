"""The e-mail to the person who requested a report, once it is done: once, only to who may still read it."""

import datetime

import pytest
from django.core import mail

from casework.accounts import notify
from casework.models import NotificationSettings, SentNotification
from reports import generation, periods
from reports.models import Report

pytestmark = pytest.mark.django_db

SITE = "https://beratung.example.org"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def coordinator(people):
    person = people["coordinator_mo"]
    person.email = "koordination-mo@example.org"
    person.save()
    return person


def done_report(unit, requested_by, status=Report.Status.DONE):
    report = Report.objects.create(
        scope=unit.code,
        period_kind="year",
        first_day=datetime.date(2025, 1, 1),
        last_day=datetime.date(2025, 12, 31),
        requested_by=requested_by,
        requested_by_name="Test",
        status=status,
    )
    report.units.set([unit])
    return report


def test_generated_report_mails_the_requester_once(coordinator, unit_mo, records):
    report = generation.request_report(coordinator, [unit_mo], periods.year(2025))
    assert report.status == Report.Status.DONE
    (message,) = mail.outbox
    assert message.to == ["koordination-mo@example.org"]
    assert message.subject == "Vielfalt-Beratung: Ihr Bericht ist fertig"
    assert f"{SITE}/berichte/{report.pk}/" in message.body
    assert f"{SITE}/berichte/{report.pk}/" in message.alternatives[0][0]
    assert "„Fachstelle MO – Jahr 2025“" in message.body
    for secret in ("Kulturverein Anatolien", "Selin Kaya", "Eritreische Gemeinde"):
        assert secret not in message.body
        assert secret not in message.alternatives[0][0]

    generation.generate(report.pk)  # a duplicate task: nothing to claim, nothing to send
    assert notify.report_ready(report) is False  # finished twice (a slow worker after a requeue)
    assert len(mail.outbox) == 1
    assert SentNotification.objects.filter(kind="report_ready", report_id=report.pk).count() == 1


def test_opted_out_requester_gets_no_mail(coordinator, unit_mo):
    NotificationSettings.objects.create(user=coordinator, report_ready=False)
    assert notify.report_ready(done_report(unit_mo, coordinator)) is False
    assert mail.outbox == []


def test_digest_opt_out_does_not_stop_report_mail(coordinator, unit_mo):
    NotificationSettings.objects.create(user=coordinator, daily_digest=False)
    assert notify.report_ready(done_report(unit_mo, coordinator)) is True
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("case", ["no_email", "inactive", "lost_right", "command_line", "failed", "queued"])
def test_no_mail(people, coordinator, unit_mo, case):
    requester = coordinator
    status = Report.Status.DONE
    if case == "no_email":
        requester.email = ""
        requester.save()
    elif case == "inactive":
        requester.is_active = False
        requester.save()
    elif case == "lost_right":
        requester.groups.clear()
    elif case == "command_line":
        requester = None
    else:
        status = case
    assert notify.report_ready(done_report(unit_mo, requester, status)) is False
    assert mail.outbox == []
    assert not SentNotification.objects.exists()


def test_mail_failure_does_not_fail_the_report_and_is_not_recorded(coordinator, unit_mo, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("SMTP server unreachable")

    monkeypatch.setattr(notify.EmailMultiAlternatives, "send", refuse)
    report = done_report(unit_mo, coordinator)
    assert notify.report_ready(report) is False
    assert not SentNotification.objects.exists()


def test_without_site_url_no_mail_and_no_error(coordinator, unit_mo, settings):
    settings.SITE_URL = ""
    assert notify.report_ready(done_report(unit_mo, coordinator)) is False
    assert mail.outbox == []
