"""Writes on cases (Beratungsprozesse): create, update, close with outcomes, reopen.

Every write records who did it in the history (simple-history on Case and CaseOutcomeReached).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from casework.models import Case, CaseOutcome, CaseOutcomeReached


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
