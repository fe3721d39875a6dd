"""What each list exports: the same rows as its page (filter, search, ordering, access) and German columns.

Each `*_rows` function builds the queryset exactly as the list's view does (its filterset over the same
`access` selector, the same relations and ordering) and returns it with the filter's form (for the access
log), so the export holds the rows the page shows, on all its pages. Keep them in step with the views. Columns hold what the list shows plus what a coordinator needs in a
spreadsheet; no contact details of people.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import access
from casework.access import Action
from casework.cases import services as case_services
from casework.cases.filters import CaseFilter
from casework.cases.views import LIST_RELATED as CASE_LIST_RELATED
from casework.consultations.filters import ConsultationFilter
from casework.consultations.views import LIST_RELATED as CONSULTATION_LIST_RELATED
from casework.events.filters import EventFilter
from casework.follow_ups import services as follow_up_services
from casework.follow_ups.filters import FollowUpFilter
from casework.follow_ups.forms import StateForm
from casework.models import Case, Consultation, Event
from casework.search.ordering import by_person_name
from casework.ui.labels import choice_labels, person_label
from organisations.filters import OrganisationFilter
from organisations.models import Organisation

from .writers import Column

CHUNK_SIZE = 2000  # rows fetched (and prefetched) per round trip


@dataclass(frozen=True)
class ExportList:
    slug: str  # file name: "<slug>-YYYY-MM-DD.csv"
    title: str  # sheet title and access log (lazy)
    rows: Callable  # request → (filter form or None, queryset)
    columns: Callable  # request → [Column]
    # Filter fields whose values name people or hold free text: the access log says only that they were set.
    private_fields: frozenset = frozenset({"q", "advisor", "responsible", "person"})


def _display(choices):
    """A choice field's label of a value (casework/ui/labels.py: translated once, not per row)."""
    labels = choice_labels(choices)
    return lambda value: labels.get(value, value)


def _related(name):
    """A prefetched relation as a plain list (to_attr): no queryset per row."""
    return Prefetch(name, to_attr=f"export_{name}")


def _joined(names) -> str:
    return ", ".join(names)


def _advisors(consultation) -> str:
    return _joined(person_label(a) for a in sorted(consultation.export_advisors, key=by_person_name))


def _hours(minutes):
    return round(minutes / 60, 2) if minutes is not None else None


# --- Beratungen ------------------------------------------------------------------------------------


def consultation_rows(request):
    filterset = ConsultationFilter(
        request.GET or None, queryset=access.consultations_visible_to(request.user), user=request.user
    )
    # The list's relations (casework.consultations.views.with_list_relations), prefetched as lists, and the case.
    queryset = filterset.every_match(filterset.qs).select_related(*CONSULTATION_LIST_RELATED, "case")
    return filterset.form, queryset.prefetch_related(_related("topics"), _related("advisors"))


def consultation_columns(request):
    # A shared consultation's case belongs to the lead unit: its title only for those who see the case.
    case_units = access.unit_ids_for(request.user, Action.VIEW)
    format_label = _display(Consultation.Format)
    initiator_label = _display(Consultation.Initiator)

    def case_title(c):
        return c.case.title if c.case_id and c.case.unit_id in case_units else ""

    return [
        Column(_("Nr."), lambda c: c.pk, 8),
        Column(_("Datum"), lambda c: c.date, 11),
        Column(_("Fachstelle"), lambda c: str(c.unit), 14),
        Column(_("gemeinsam mit"), lambda c: str(c.shared_with) if c.shared_with_id else "", 14),
        Column(_("Organisation"), lambda c: c.organisation.name, 40),
        Column(_("Gemeinde / Stadt"), lambda c: c.organisation.municipality, 20),
        Column(_("Kreis"), lambda c: c.region.name, 22),
        Column(_("Themen"), lambda c: _joined(t.name for t in c.export_topics), 40),
        Column(_("Format"), lambda c: format_label(c.format), 22),
        Column(_("Anstoß durch"), lambda c: initiator_label(c.initiated_by), 20),
        Column(_("Dauer (Minuten)"), lambda c: c.duration_minutes, 10),
        Column(_("Dauer (Stunden)"), lambda c: _hours(c.duration_minutes), 10),
        Column(_("Teilnehmende"), lambda c: c.participants, 10),
        Column(_("Berater*innen"), _advisors, 30),
        Column(_("Beratungsprozess"), case_title, 30),
        Column(_("Zusammenfassung"), lambda c: c.summary, 60),
    ]


# --- Organisationen --------------------------------------------------------------------------------


def organisation_rows(request):
    filterset = OrganisationFilter(
        request.GET or None, queryset=access.organisations_visible_to(request.user), user=request.user
    )
    # Ordered by the model's German name order (name_sort), as the list page.
    return filterset.form, filterset.qs.select_related("region").prefetch_related(_related("units"))


def organisation_columns(request):
    kind, legal_form = _display(Organisation.Kind), _display(Organisation.LegalForm)
    host_type, charitable = _display(Organisation.HostType), _display(Organisation.CharitableStatus)
    return [
        Column(_("Nr."), lambda o: o.pk, 8),
        Column(_("Name"), lambda o: o.name, 40),
        Column(_("Art"), lambda o: kind(o.kind), 24),
        Column(_("Rechtsform"), lambda o: legal_form(o.legal_form), 28),
        Column(_("Art des Trägers"), lambda o: host_type(o.host_type), 20),
        Column(_("gemeinnützig"), lambda o: charitable(o.charitable_status), 12),
        Column(_("Gründungsjahr"), lambda o: o.founding_year, 10),
        Column(_("Mitglieder bzw. aktive Lots*innen"), lambda o: o.member_count, 12),
        Column(_("Gemeinde / Stadt"), lambda o: o.municipality, 20),
        Column(_("Kreis"), lambda o: o.region.name, 22),
        Column(_("Fachstellen"), lambda o: _joined(str(u) for u in o.export_units), 16),
        Column(_("darf in Berichten genannt werden"), lambda o: o.may_be_named, 12),
        Column(_("Website"), lambda o: o.website, 30),
    ]


# --- Beratungsprozesse -----------------------------------------------------------------------------


def case_rows(request):
    visible = case_services.with_last_activity(access.cases_visible_to(request.user))
    filterset = CaseFilter(request.GET or None, queryset=visible, user=request.user)
    return filterset.form, filterset.qs.select_related(*CASE_LIST_RELATED).order_by("-opened_on", "-id")


def case_columns(request):
    today = timezone.localdate()
    status = _display(Case.Status)
    return [
        Column(_("Nr."), lambda c: c.pk, 8),
        Column(_("Titel"), lambda c: c.title, 40),
        Column(_("Fachstelle"), lambda c: str(c.unit), 14),
        Column(_("Organisation"), lambda c: c.organisation.name, 40),
        Column(_("Kreis"), lambda c: c.organisation.region.name, 22),
        Column(_("Ziel"), lambda c: c.goal.name, 30),
        Column(_("Status"), lambda c: status(c.status), 14),
        Column(_("verantwortlich"), lambda c: person_label(c.responsible) if c.responsible_id else "", 24),
        Column(_("begonnen am"), lambda c: c.opened_on, 11),
        Column(_("abgeschlossen am"), lambda c: c.closed_on, 11),
        Column(_("letzte Aktivität"), lambda c: c.last_activity, 11),
        Column(_("Tage ohne Aktivität"), lambda c: case_services.idle_days(c, today), 10),
    ]


# --- Wiedervorlagen --------------------------------------------------------------------------------


def follow_up_unit_rows(request):
    filterset = FollowUpFilter(
        request.GET or None,
        queryset=follow_up_services.follow_ups_of_units(fetched_by=request.user),
        user=request.user,
    )
    return filterset.form, filterset.qs


def follow_up_my_rows(request):
    state_form = StateForm(request.GET or None)
    return state_form, follow_up_services.follow_ups_assigned(fetched_by=request.user, state=state_form.state())


def _follow_up_record(f) -> str:
    if f.consultation_id:
        return _("Beratung vom %(date)s") % {"date": f"{f.consultation.date:%d.%m.%Y}"}
    return _("Beratungsprozess: %(title)s") % {"title": f.case.title}


def _follow_up_state(f, today) -> str:
    if f.done_at:
        return _("erledigt")
    return _("überfällig") if f.due_on < today else _("offen")


def follow_up_columns(request):
    today = timezone.localdate()
    return [
        Column(_("Nr."), lambda f: f.pk, 8),
        Column(_("fällig am"), lambda f: f.due_on, 11),
        Column(_("Was ist zu tun?"), lambda f: f.what, 40),
        Column(_("zu"), _follow_up_record, 36),
        Column(
            _("Organisation"),
            lambda f: (f.consultation.organisation if f.consultation_id else f.case.organisation).name,
            40,
        ),
        Column(_("Fachstelle"), lambda f: str(f.unit), 14),
        Column(
            _("gemeinsam mit"),
            lambda f: str(f.consultation.shared_with) if f.consultation_id and f.consultation.shared_with_id else "",
            14,
        ),
        Column(_("wer"), lambda f: person_label(f.assigned_to), 24),
        Column(_("Status"), lambda f: _follow_up_state(f, today), 12),
        Column(_("erledigt am"), lambda f: f.done_at, 16),
    ]


# --- Veranstaltungen -------------------------------------------------------------------------------


def event_rows(request):
    filterset = EventFilter(request.GET or None, queryset=access.events_visible_to(request.user), user=request.user)
    events = filterset.qs  # validates the form
    organisation = getattr(filterset.form, "cleaned_data", {}).get("organisation")
    if organisation and not (
        filterset.is_valid() and access.organisations_visible_to(request.user).filter(pk=organisation).exists()
    ):
        events = events.none()  # an organisation the person may not see: as on the list page, no answer
    events = events.select_related("unit", "region").prefetch_related(_related("topics"))
    counted = events.annotate(organisation_count=Count("organisations", distinct=True))
    return filterset.form, counted.order_by("-date", "-id")


def event_columns(request):
    kind, status, event_format = (_display(c) for c in (Event.Kind, Event.Status, Event.Format))
    return [
        Column(_("Nr."), lambda e: e.pk, 8),
        Column(_("Datum"), lambda e: e.date, 11),
        Column(_("Titel"), lambda e: e.title, 40),
        Column(_("Fachstelle"), lambda e: str(e.unit), 14),
        Column(_("gemeinsame Veranstaltung"), lambda e: e.is_joint, 12),
        Column(_("Art"), lambda e: kind(e.kind), 22),
        Column(_("Status"), lambda e: status(e.status), 14),
        Column(_("Format"), lambda e: event_format(e.format), 14),
        Column(_("Ort"), lambda e: e.place, 24),
        Column(_("Kreis"), lambda e: e.region.name if e.region_id else "", 22),
        Column(_("Themen"), lambda e: _joined(t.name for t in e.export_topics), 40),
        Column(_("Unterrichtseinheiten"), lambda e: e.teaching_units, 10),
        Column(_("Teilnehmende"), lambda e: e.participants, 10),
        Column(_("Organisationen"), lambda e: e.organisation_count, 10),
    ]


LISTS = {
    "consultations": ExportList("beratungen", gettext_lazy("Beratungen"), consultation_rows, consultation_columns),
    "organisations": ExportList(
        "organisationen", gettext_lazy("Organisationen"), organisation_rows, organisation_columns
    ),
    "cases": ExportList("beratungsprozesse", gettext_lazy("Beratungsprozesse"), case_rows, case_columns),
    "follow_ups_units": ExportList(
        "wiedervorlagen-fachstelle",
        gettext_lazy("Wiedervorlagen der Fachstelle"),
        follow_up_unit_rows,
        follow_up_columns,
    ),
    "follow_ups_mine": ExportList(
        "meine-wiedervorlagen", gettext_lazy("Meine Wiedervorlagen"), follow_up_my_rows, follow_up_columns
    ),
    "events": ExportList("veranstaltungen", gettext_lazy("Veranstaltungen"), event_rows, event_columns),
}
