"""Writes on cases (Beratungsprozesse): create, update, close with outcomes, reopen; and their last activity.

Every write records who did it in the history (simple-history on Case and CaseOutcomeReached).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils.translation import gettext as _

from casework.models import Case, CaseOutcome, CaseOutcomeReached, Consultation, FollowUp


def _latest_of_case(rows, value):
    """Subquery: the latest `value` among the case's `rows` (NULL if it has none).

    The first row in descending order rather than MAX(): with an index on (case, value) the database
    reads one entry instead of every row of the case (a case with 300 consultations: 300 row reads).
    """
    value = F(value) if isinstance(value, str) else value
    latest = rows.filter(case=OuterRef("pk")).annotate(latest=value).order_by("-latest")
    return Subquery(latest.values("latest")[:1], output_field=models.DateField())


def with_last_activity(cases):
    """Annotate `last_activity`: the latest of the case's consultations, outcomes reached and follow-ups
    (created or done), or the opening date; one subquery each, so a list page costs no extra query.

    Each source falls back to the opening date: SQLite's MAX() of several values is NULL if one is.
    """
    opened = F("opened_on")
    sources = [
        _latest_of_case(Consultation.objects.all(), "date"),
        _latest_of_case(CaseOutcomeReached.objects.all(), "reached_on"),
        _latest_of_case(FollowUp.objects.all(), TruncDate("created_at")),
        _latest_of_case(FollowUp.objects.filter(done_at__isnull=False), TruncDate("done_at")),
    ]
    fallbacks = [Coalesce(source, opened, output_field=models.DateField()) for source in sources]
    return cases.annotate(last_activity=Greatest(opened, *fallbacks, output_field=models.DateField()))


def idle_days(case, today: datetime.date) -> int | None:
    """Days since the case's `last_activity` (see with_last_activity); None for closed cases."""
    if case.status == Case.Status.CLOSED:
        return None
    return max((today - case.last_activity).days, 0)  # a consultation dated ahead is activity today


def _save(case: Case, by) -> None:
    case._history_user = by
    case.save()


@transaction.atomic
def case_create(*, case: Case, by) -> Case:
    """Save a new case (open); its organisation becomes a partner of the case's unit."""
    case.created_by = by
    case.status = Case.Status.OPEN
    case.closed_on = None
    _save(case, by)
    case.organisation.units.add(case.unit)
    return case


@transaction.atomic
def case_update(*, case: Case, by) -> Case:
    """Save changes to a case's data. Closing and reopening go through their own services."""
    if case.status == Case.Status.CLOSED and case.closed_on is None:
        raise ValidationError(_("Ein Beratungsprozess wird über „Abschließen“ abgeschlossen."))
    _save(case, by)
    return case


@transaction.atomic
def case_close(*, case: Case, by, closed_on: datetime.date, outcomes: dict[CaseOutcome, datetime.date]) -> Case:
    """Close a case with the outcomes it reached (outcome → date); the set replaces the earlier one."""
    if case.status == Case.Status.CLOSED:
        raise ValidationError(_("Der Beratungsprozess ist bereits abgeschlossen."))
    if not outcomes:
        raise ValidationError(_("Bitte mindestens ein erreichtes Ergebnis mit Datum angeben."))
    if closed_on < case.opened_on:
        raise ValidationError(_("Der Abschluss kann nicht vor dem Beginn des Beratungsprozesses liegen."))
    existing = {reached.outcome_id: reached for reached in case.outcomes_reached.all()}
    for outcome, reached_on in outcomes.items():
        reached = existing.pop(outcome.pk, None) or CaseOutcomeReached(case=case, outcome=outcome)
        if reached.pk and reached.reached_on == reached_on:
            continue
        reached.reached_on = reached_on
        reached._history_user = by
        reached.save()
    for dropped in existing.values():
        dropped._history_user = by
        dropped.delete()
    case.status = Case.Status.CLOSED
    case.closed_on = closed_on
    _save(case, by)
    return case


@transaction.atomic
def case_reopen(*, case: Case, by) -> Case:
    """Open a closed case again; the outcomes reached so far stay."""
    if case.status != Case.Status.CLOSED:
        raise ValidationError(_("Nur abgeschlossene Beratungsprozesse können wieder geöffnet werden."))
    case.status = Case.Status.OPEN
    case.closed_on = None
    _save(case, by)
    return case
