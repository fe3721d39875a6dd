"""Deletion periods (settings.RETENTION): what falls due when, and applying them.

Rules, each from the settings in force:
- contact persons: `contact_person_years` after the last contact (the latest consultation of their
  organisation, or their consent if there was none since) – erased as in Art. 17 (casework/privacy/erasure.py);
- free texts of consultations, cases, assessments, follow-ups and events: `free_text_years` after the end of the
  calendar (funding) year they belong to – emptied, in their history too; figures stay;
- history entries: `history_years` after they were written – deleted;
- access log entries: `access_log_days` after they were written – deleted (casework/audit/log.py).
Applying is idempotent: what was erased no longer matches a rule.
"""

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.audit import log
from casework.audit.models import AccessEvent
from casework.guides.models import GuideCount, GuideTraining
from casework.models import Assessment, AssessmentRating, Case, Consultation, Event, FollowUp, Unit
from casework.privacy import erasure
from organisations.models import ContactPerson, Organisation

CONTACT_PERSON = "contact_person"
FREE_TEXT = "free_text"
HISTORY = "history"
ACCESS_LOG = "access_log"

RULE_LABELS = {
    CONTACT_PERSON: _("Ansprechperson %(years)s Jahre nach dem letzten Kontakt"),
    FREE_TEXT: _("Freitexte %(years)s Jahre nach Ende des Förderjahres"),
    HISTORY: _("Historieneinträge nach %(years)s Jahren"),
    ACCESS_LOG: _("Zugriffsprotokoll nach %(days)s Tagen"),
}

# Free-text kinds: the model, its key in listings, the date its calendar year is taken from, its units.
FREE_TEXT_KINDS = {
    "consultation": (Consultation, "date"),
    "case": (Case, "closed_on"),  # open cases are still in use: they fall due once closed
    "assessment": (Assessment, "date"),
    "assessment_rating": (AssessmentRating, "assessment__date"),
    "follow_up": (FollowUp, "due_on"),
    "event": (Event, "date"),
    "guide_count": (GuideCount, "as_of"),
    "guide_training": (GuideTraining, "date"),
}
KIND_LABELS = {
    CONTACT_PERSON: _("Ansprechperson"),
    "consultation": _("Beratung"),
    "case": _("Beratungsprozess"),
    "assessment": _("Standortbestimmung"),
    "assessment_rating": _("Bewertung einer Standortbestimmung"),
    "follow_up": _("Wiedervorlage"),
    "event": _("Veranstaltung"),
    "guide_count": _("Lots*innen-Zahl eines Projekts"),
    "guide_training": _("Schulung von Lots*innen"),
    HISTORY: _("Historieneinträge"),
    ACCESS_LOG: _("Einträge im Zugriffsprotokoll"),
}


@dataclass(frozen=True)
class Due:
    """One record (or, for history and the access log, a batch of entries) that falls due."""

    rule: str
    kind: str
    record_id: int | None
    due_on: datetime.date
    unit_ids: frozenset = field(default_factory=frozenset)
    count: int = 1
    model_label: str = ""  # history: which history table

    @property
    def rule_label(self) -> str:
        years = settings.RETENTION
        return str(RULE_LABELS[self.rule]) % {
            "years": years.get(f"{self.rule}_years", ""),
            "days": years["access_log_days"],
        }

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _last_year_due(until: datetime.date, years: int) -> int:
    """The latest calendar year Y whose texts are due by `until`: its end plus `years` lies on or before it."""
    return until.year - years if (until.month, until.day) == (12, 31) else until.year - years - 1


# --- What falls due --------------------------------------------------------------------------------


def contact_persons_due(until: datetime.date, unit_ids=None, pks=None) -> list[Due]:
    years = settings.RETENTION["contact_person_years"]
    last_consultation = (
        Consultation.objects.filter(organisation_id=OuterRef("organisation_id"))
        .order_by()
        .values("organisation_id")
        .annotate(last=Max("date"))
        .values("last")
    )
    contacts = ContactPerson.objects.annotate(last_consultation=Subquery(last_consultation))
    if pks is not None:
        contacts = contacts.filter(pk__in=pks)
    if unit_ids is not None:
        contacts = contacts.filter(organisation__in=Organisation.objects.filter(units__in=unit_ids))
    # The newest possible last contact for contacts that are due: everything later is not due yet.
    latest = add_years(until, -years)
    contacts = contacts.filter(consent_date__lte=latest).filter(
        Q(last_consultation__isnull=True) | Q(last_consultation__lte=latest)
    )
    rows = list(contacts.order_by("pk").values_list("pk", "organisation_id", "consent_date", "last_consultation"))
    units = _organisation_units({organisation_id for _pk, organisation_id, _c, _l in rows})
    due = []
    for pk, organisation_id, consent_date, last_consultation in rows:
        last = max(day for day in (consent_date, last_consultation) if day is not None)
        due.append(
            Due(CONTACT_PERSON, CONTACT_PERSON, pk, add_years(last, years), frozenset(units.get(organisation_id, ())))
        )
    return due


def _organisation_units(organisation_ids) -> dict[int, set[int]]:
    units = {}
    links = Organisation.units.through.objects.filter(organisation_id__in=organisation_ids)
    for organisation_id, unit_id in links.values_list("organisation_id", "unit_id"):
        units.setdefault(organisation_id, set()).add(unit_id)
    return units


def _unit_fields(kind):
    return {
        "consultation": ("unit_id", "shared_with_id"),
        "case": ("unit_id",),
        "assessment": ("unit_id",),
        "assessment_rating": ("assessment__unit_id",),
        "follow_up": ("unit_id",),
        "event": ("unit_id",),
        "guide_count": ("unit_id",),
        "guide_training": ("unit_id",),
    }[kind]


def free_texts_due(until: datetime.date, unit_ids=None) -> list[Due]:
    years = settings.RETENTION["free_text_years"]
    last_year = _last_year_due(until, years)
    due = []
    for kind, (model, date_field) in FREE_TEXT_KINDS.items():
        records = erasure.free_texts_pending(model).filter(**{f"{date_field}__year__lte": last_year})
        unit_fields = _unit_fields(kind)
        if unit_ids is not None:
            in_units = Q(pk__in=[])
            for unit_field in unit_fields:
                in_units |= Q(**{f"{unit_field}__in": unit_ids})
            if model is Event:
                in_units |= Q(is_joint=True)
            records = records.filter(in_units)
        joint_units = frozenset(Unit.objects.values_list("pk", flat=True)) if model is Event else frozenset()
        for pk, day, *units in records.order_by("pk").values_list("pk", date_field, *unit_fields):
            owners = frozenset(unit for unit in units if unit is not None)
            due.append(Due(FREE_TEXT, kind, pk, datetime.date(day.year + years, 12, 31), owners | joint_units))
    return due


def history_due(until: datetime.date) -> list[Due]:
    cutoff = _history_cutoff(until)
    due = []
    for history_model in erasure._historical_models():
        count = history_model.objects.filter(history_date__lt=cutoff).count()
        if count:
            due.append(Due(HISTORY, HISTORY, None, until, count=count, model_label=history_model._meta.label))
    return due


def _history_cutoff(until: datetime.date) -> datetime.datetime:
    day = add_years(until, -settings.RETENTION["history_years"])
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _access_log_cutoff(until: datetime.date) -> datetime.datetime:
    day = until - datetime.timedelta(days=settings.RETENTION["access_log_days"])
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def access_log_due(until: datetime.date) -> list[Due]:
    count = AccessEvent.objects.filter(at__lt=_access_log_cutoff(until)).count()
    return [Due(ACCESS_LOG, ACCESS_LOG, None, until, count=count)] if count else []


def all_due(today: datetime.date) -> list[Due]:
    """Everything due on `today` (the command)."""
    return [
        *contact_persons_due(today),
        *free_texts_due(today),
        *history_due(today),
        *access_log_due(today),
    ]


def due_for_units(today: datetime.date, unit_ids, *, days: int = 90) -> list[Due]:
    """Records of these units that fall due within `days` (or are overdue): the coordinators' overview."""
    until = today + datetime.timedelta(days=days)
    return [*contact_persons_due(until, unit_ids), *free_texts_due(until, unit_ids)]


# --- Applying ------------------------------------------------------------------------------------


def apply(due: Due, today: datetime.date) -> int:
    """Carry out one due item in its own transaction; the number of records or entries erased (0 if gone)."""
    with transaction.atomic():
        if due.rule == CONTACT_PERSON:
            return _apply_contact(due, today)
        if due.rule == FREE_TEXT:
            return _apply_free_text(due, today)
        if due.rule == HISTORY:
            return _apply_history(due, today)
        if due.rule == ACCESS_LOG:
            count = log.purge_older_than(_access_log_cutoff(today))
            if count:
                _log(due, detail=f"Löschfrist {ACCESS_LOG}: {count}")
            return count
    raise ValueError(due.rule)


def _log(due: Due, *, detail: str) -> None:
    log.record(AccessEvent.Kind.ERASURE, target_kind=due.kind, target_id=due.record_id or "", detail=detail)


def _apply_contact(due: Due, today) -> int:
    # Checked again under the lock: a consultation logged since may have moved the last contact.
    contact = ContactPerson.objects.select_for_update().filter(pk=due.record_id).first()
    if contact is None or not contact_persons_due(today, pks=[contact.pk]):
        return 0
    erasure.contact_erase(contact=contact, reason=f"Löschfrist {CONTACT_PERSON}")
    return 1


def _apply_free_text(due: Due, today) -> int:
    model, date_field = FREE_TEXT_KINDS[due.kind]
    last_year = _last_year_due(today, settings.RETENTION["free_text_years"])
    record_ = (
        model.objects.select_for_update().filter(pk=due.record_id, **{f"{date_field}__year__lte": last_year}).first()
    )
    if record_ is None or not erasure.erase_free_texts(record_):
        return 0
    _log(due, detail=f"Löschfrist {FREE_TEXT}")
    return 1


def _apply_history(due: Due, today) -> int:
    history_model = apps.get_model(due.model_label)
    count, _by_model = history_model.objects.filter(history_date__lt=_history_cutoff(today)).delete()
    if count:
        _log(due, detail=f"Löschfrist {HISTORY}: {due.model_label} {count}")
    return count
