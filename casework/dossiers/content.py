"""What a dossier holds: the records of an organisation or a consultation the person may see.

The same selectors as the detail pages (casework/access.py and the organisation panels), without
their limits: a dossier lists everything the person may see, names in German order, records by date
(oldest first, as a file is read). A fixed number of queries, however many records there are.
"""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from casework import access
from casework.access import Action
from casework.consultations import services as consultation_services
from casework.follow_ups import services as follow_up_services
from casework.quality import organisation_panel as quality_panel
from casework.search.ordering import german
from casework.search.text import strip_accents
from casework.ui.labels import person_label

RELATED = ("unit", "shared_with", "organisation", "region")


def _advisors_in_german_order():
    User = get_user_model()
    return Prefetch("advisors", queryset=User.objects.order_by(german("last_name"), german("first_name"), "username"))


def _colour(units) -> str:
    """The accent of the dossier: the unit's colour for one unit, the joint blue for both."""
    return units[0].code if len(units) == 1 else "joint"


def cover(user, kind: str, title: str) -> dict:
    """What every dossier page shows on top: the person's Fachstelle(n), the time, who printed it."""
    units = sorted(access.units_for(user, Action.VIEW), key=lambda unit: unit.pk)
    return {
        "dossier_kind": kind,
        "dossier_title": title,
        "dossier_units": units,
        "dossier_colour": _colour(units) if units else "joint",
        "dossier_at": timezone.localtime(),
        "dossier_by": person_label(user),
    }


def organisation_consultations(user, organisation):
    """The organisation's consultations the person may see (as on its page, not cut off), oldest first."""
    return (
        access.consultations_visible_to(user)
        .filter(organisation=organisation)
        .select_related(*RELATED)
        .prefetch_related("topics", _advisors_in_german_order())
        .order_by("date", "id")
    )


def organisation_dossier(user, organisation) -> dict:
    """Template context of templates/casework/dossiers/organisation*.html."""
    cases = (
        access.cases_visible_to(user)
        .filter(organisation=organisation)
        .select_related("unit", "goal", "responsible")
        .prefetch_related("outcomes_reached__outcome")
        .order_by("opened_on", "id")
    )
    events = (
        access.events_visible_to(user).filter(organisations=organisation).select_related("unit").order_by("date", "id")
    )
    return {
        **cover(user, _("Dossier der Organisation"), organisation.name),
        "organisation": organisation,
        "contacts": organisation.contacts.all(),
        "consultations": list(organisation_consultations(user, organisation)),
        "cases": list(cases),
        "events": list(events),
        # The quality profile exactly as the organisation page shows it (the latest assessments).
        **quality_panel.organisation_context(user, organisation),
    }


def consultation_queryset(user):
    """Consultations the person may see, with everything a consultation dossier shows."""
    return (
        access.consultations_visible_to(user)
        .select_related(*RELATED, "case")
        .prefetch_related("topics", _advisors_in_german_order())
    )


def consultation_dossier(user, consultation) -> dict:
    """Template context of templates/casework/dossiers/consultation*.html."""
    # The case is named only to people who may see it: cases are never shared with the partner unit.
    case = None
    if consultation.case_id and access.cases_visible_to(user).filter(pk=consultation.case_id).exists():
        case = consultation.case
    return {
        **cover(
            user,
            _("Dossier der Beratung vom %(date)s") % {"date": date_format(consultation.date, "d.m.Y")},
            consultation.organisation.name,
        ),
        "consultation": consultation,
        "case": case,
        "criteria_by_area": consultation_services.criteria_by_area(consultation),
        "follow_ups": follow_up_services.follow_ups_on(consultation),
    }


def file_name(prefix: str, name: str, pk: int) -> str:
    """An ASCII file name for the download, e.g. "Dossier_kulturverein-anatolien-ev_2026-11-28.pdf"."""
    stem = slugify(strip_accents(name))[:60].strip("-") or f"{prefix.lower()}-{pk}"
    return f"Dossier_{stem}_{timezone.localdate().isoformat()}.pdf"
