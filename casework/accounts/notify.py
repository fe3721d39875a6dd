"""E-mails to staff: each person's daily digest, and the notice that a requested report is ready.

Data minimisation: an e-mail leaves the tool for mail servers and mailboxes that no deletion period
and no access rule reaches, so it carries counts, dates, Fachstelle names and links only – never
the name of an organisation or a contact person, nor any free text (a follow-up's "what" may name
people). The details are one sign-in away, behind the usual access checks.

Sending is idempotent: a `SentNotification` row is claimed (unique per person and day, or per
report) before the e-mail goes out, and removed again if sending fails, so the next run retries.
"""

import dataclasses
import datetime
import functools
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework import access
from casework.access import Action
from casework.models import Consultation, NotificationSettings, SentNotification

logger = logging.getLogger(__name__)

# The first digest reports shares of the last day; later ones those since the previous digest,
# but never more than a week back (after an opt-out, a week is news enough).
FIRST_DIGEST_LOOKBACK = datetime.timedelta(days=1)
MAX_DIGEST_LOOKBACK = datetime.timedelta(days=7)
# Sent-mail records are only needed for idempotency and "since the last digest".
KEEP_SENT_RECORDS = datetime.timedelta(days=90)
MAX_LINKED_SHARES = 10


class SiteUrlMissing(Exception):
    """No SITE_URL: e-mails could not link to the tool."""


def absolute_url(path: str) -> str:
    if not settings.SITE_URL:
        raise SiteUrlMissing
    return settings.SITE_URL + path


def settings_for(user) -> NotificationSettings:
    """The person's choices; an unsaved default (both on) for a person who never changed them."""
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user)


# --- The daily digest ----------------------------------------------------------------------------


@dataclasses.dataclass
class Digest:
    day: datetime.date
    due_today: int = 0
    overdue: int = 0
    shared: list = dataclasses.field(default_factory=list)  # consultations newly shared with the person's unit

    @property
    def is_empty(self) -> bool:
        return not (self.due_today or self.overdue or self.shared)


def last_digest_at(user, *, before: datetime.date) -> datetime.datetime | None:
    return (
        SentNotification.objects.filter(user=user, kind=SentNotification.Kind.DIGEST, day__lt=before)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )


def newly_shared_with(user, *, since: datetime.datetime):
    """Consultations of another unit shared with one of the person's units after `since`, still shared now.

    Read from the consultations' history: changed after `since` to the current partner unit, and
    not already shared with it at `since` (an edit of a long-shared record is no news). Records the
    person's own unit leads are no news either (people in both units, administrators).
    """
    unit_ids = access.unit_ids_for(user, Action.VIEW)
    history = Consultation.history.model
    changed = history.objects.filter(history_date__gt=since, shared_with_id__in=unit_ids).values("id")
    partner_at_since = (
        history.objects.filter(id=OuterRef("pk"), history_date__lte=since)
        .order_by("-history_date", "-history_id")
        .values("shared_with_id")[:1]
    )
    return (
        access.consultations_visible_to(user)
        .filter(pk__in=changed, shared_with_id__in=unit_ids)
        .exclude(unit_id__in=unit_ids)
        .annotate(partner_at_since=Subquery(partner_at_since))
        .filter(Q(partner_at_since__isnull=True) | ~Q(partner_at_since=F("shared_with_id")))
        .select_related("unit")
        .order_by("-date", "-id")
    )


def digest_for(*, user, now: datetime.datetime) -> Digest:
    """What the person's digest of `now`'s day holds: only what they may see today."""
    today = timezone.localdate(now)
    digest = Digest(day=today)
    open_mine = access.follow_ups_visible_to(user).filter(assigned_to=user, done_at__isnull=True, due_on__lte=today)
    counts = open_mine.aggregate(
        due_today=Count("pk", filter=Q(due_on=today)), overdue=Count("pk", filter=Q(due_on__lt=today))
    )
    digest.due_today, digest.overdue = counts["due_today"], counts["overdue"]
    previous = last_digest_at(user, before=today)
    since = max(previous, now - MAX_DIGEST_LOOKBACK) if previous else now - FIRST_DIGEST_LOOKBACK
    digest.shared = list(newly_shared_with(user, since=since))
    return digest


def _digest_context(digest: Digest) -> dict:
    shares = [
        {
            "date": consultation.date,
            "lead": consultation.unit.short_name,
            "url": absolute_url(reverse("casework:consultation_detail", kwargs={"pk": consultation.pk})),
        }
        for consultation in digest.shared[:MAX_LINKED_SHARES]
    ]
    return {
        "digest": digest,
        "shares": shares,
        "more_shares": max(len(digest.shared) - MAX_LINKED_SHARES, 0),
        "follow_ups_url": absolute_url(reverse("casework:follow_up_list")),
        "consultations_url": absolute_url(reverse("casework:consultation_list")),
        "settings_url": absolute_url(reverse("casework:account_settings")),
    }


@dataclasses.dataclass
class DigestRun:
    """What one run of `send_digests` did, for the command's output (counts of people)."""

    sent: int = 0
    already_sent: int = 0
    nothing_to_send: int = 0
    opted_out: int = 0
    without_email: int = 0
    failed: int = 0


def in_german(function):
    """E-mails are German whatever language the process runs in (subjects are built outside templates)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return wrapper


@in_german
def send_digests(*, now: datetime.datetime | None = None) -> DigestRun:
    """Send today's digest to every active person who has something in it and has not had it today."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    absolute_url("/")  # fail before anything is claimed
    run = DigestRun()
    opted_out = set(NotificationSettings.objects.filter(daily_digest=False).values_list("user_id", flat=True))
    done = set(
        SentNotification.objects.filter(kind=SentNotification.Kind.DIGEST, day=today).values_list("user_id", flat=True)
    )
    connection = get_connection()
    for user in get_user_model().objects.filter(is_active=True).order_by("pk"):
        if user.pk in opted_out:
            run.opted_out += 1
            continue
        if user.pk in done:
            run.already_sent += 1
            continue
        digest = digest_for(user=user, now=now)
        if digest.is_empty:
            run.nothing_to_send += 1
            continue
        if not user.email:
            run.without_email += 1
            continue
        claim = _claim(user=user, kind=SentNotification.Kind.DIGEST, now=now)
        if claim is None:
            run.already_sent += 1
            continue
        subject = _("Vielfalt-Beratung: Ihre Übersicht vom %(day)s") % {"day": _date(today)}
        try:
            _send(user, subject, "email/digest", _digest_context(digest), connection=connection)
        except Exception:
            # No address or name in the log: the person's id is enough to find them.
            logger.exception("Digest for person %s could not be sent; it is retried on the next run.", user.pk)
            claim.delete()
            run.failed += 1
            continue
        run.sent += 1
    SentNotification.objects.filter(sent_at__lt=now - KEEP_SENT_RECORDS).delete()
    return run


# --- Report ready --------------------------------------------------------------------------------


def report_ready(report) -> bool:
    """Tell the person who requested `report` that it is done; True if an e-mail was sent.

    Called by the report worker once the report is marked done. Never raises: a mail problem must
    not turn a finished report into a failed task.
    """
    try:
        return _report_ready(report.pk)
    except SiteUrlMissing:
        logger.warning("SITE_URL is not set: no report-ready e-mail for report %s.", report.pk)
        return False
    except Exception:
        logger.exception("Report-ready e-mail for report %s could not be sent.", report.pk)
        return False


@in_german
def _report_ready(report_id: int) -> bool:
    from reports.models import Report  # reports builds on casework, not the other way round

    report = Report.objects.select_related("requested_by").filter(pk=report_id, status=Report.Status.DONE).first()
    user = report.requested_by if report else None
    if user is None or not user.is_active or not user.email or not settings_for(user).report_ready:
        return False
    # Rights may have changed since the request: only a report the person may still read.
    if not access.reports_visible_to(user).filter(pk=report.pk).exists():
        return False
    url = absolute_url(reverse("reports:report_detail", kwargs={"pk": report.pk}))
    claim = _claim(user=user, kind=SentNotification.Kind.REPORT_READY, report_id=report.pk)
    if claim is None:
        return False
    meta = (report.figures or {}).get("meta", {})
    context = {
        "scope": meta.get("scope_label") or report.scope,
        "period": (meta.get("period") or {}).get("label") or f"{_date(report.first_day)} – {_date(report.last_day)}",
        "requested_at": timezone.localtime(report.requested_at),
        "report_url": url,
        "settings_url": absolute_url(reverse("casework:account_settings")),
    }
    try:
        _send(user, _("Vielfalt-Beratung: Ihr Bericht ist fertig"), "email/report_ready", context)
    except Exception:
        claim.delete()
        raise
    return True


# --- Helpers -------------------------------------------------------------------------------------


def _claim(*, user, kind, now=None, report_id=None) -> SentNotification | None:
    """The record of an e-mail about to be sent, or None if it exists (sent already, or by a parallel run)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return SentNotification.objects.create(
                user=user, kind=kind, day=timezone.localdate(now), sent_at=now, report_id=report_id
            )
    except IntegrityError:
        return None


def _date(day) -> str:
    return formats.date_format(day, "d.m.Y")


def _send(user, subject: str, template: str, context: dict, connection=None) -> None:
    """A plain-text e-mail with a simple HTML alternative."""
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(subject, text, to=[user.email], connection=connection)
    message.attach_alternative(html, "text/html")
    message.send()


@in_german
def digest_summary(run: DigestRun) -> str:
    """The command's German summary line."""
    parts = [
        ngettext("%(n)d Übersicht versandt", "%(n)d Übersichten versandt", run.sent) % {"n": run.sent},
        _("%(n)d heute schon erhalten") % {"n": run.already_sent},
        _("%(n)d ohne Neuigkeiten") % {"n": run.nothing_to_send},
        _("%(n)d abbestellt") % {"n": run.opted_out},
        _("%(n)d ohne E-Mail-Adresse übersprungen") % {"n": run.without_email},
    ]
    if run.failed:
        parts.append(_("%(n)d fehlgeschlagen (werden beim nächsten Lauf erneut versucht)") % {"n": run.failed})
    return "; ".join(parts) + "."
