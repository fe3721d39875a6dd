"""Beratungsprozesse (cases): list, detail, create, edit, close, reopen."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework import access
from casework.access import Action
from casework.cases import services
from casework.cases.filters import CaseFilter
from casework.cases.forms import CaseCloseForm, CaseForm
from casework.concurrency import VersionForm, create_once, save_or_refuse
from casework.history import HISTORY_LIMIT, HistoryEntry, history_of
from casework.models import Case, CaseOutcomeReached
from casework.ui.labels import person_label
from casework.ui.pagination import paginate
from organisations.models import Organisation

LIST_RELATED = ("unit", "organisation__region", "goal", "responsible")


def case_history(case, viewer) -> list[HistoryEntry]:
    """The case's own changes merged with the outcomes reached, removed or redated; newest first."""
    outcome_kinds = {"+": _("Ergebnis erreicht"), "~": _("Ergebnis geändert"), "-": _("Ergebnis entfernt")}
    outcome_rows = (
        CaseOutcomeReached.history.filter(case_id=case.pk)
        .select_related("history_user", "outcome")
        .order_by("-history_date", "-history_id")[:HISTORY_LIMIT]
    )
    entries = history_of(case, viewer)
    for row in outcome_rows:
        user = row.history_user
        value = f"{row.outcome} ({row.reached_on:%d.%m.%Y})"
        old, new = (value, "–") if row.history_type == "-" else ("–", value)
        entries.append(
            HistoryEntry(
                when=row.history_date,
                who=person_label(user) if user else "System",
                kind=outcome_kinds.get(row.history_type, row.history_type),
                changes=[(_("Ergebnis"), old, new)],
            )
        )
    return sorted(entries, key=lambda entry: entry.when, reverse=True)[:HISTORY_LIMIT]


@login_required
def case_list(request):
    visible = services.with_last_activity(access.cases_visible_to(request.user))
    filterset = CaseFilter(request.GET or None, queryset=visible, user=request.user)
    page = paginate(request, filterset.qs.select_related(*LIST_RELATED).order_by("-opened_on", "-id"))
    today = timezone.localdate()
    for case in page:
        case.idle_days = services.idle_days(case, today)
    return render(request, "casework/cases/list.html", {"filter": filterset, "page": page})


@login_required
def case_detail(request, pk):
    user = request.user
    case = access.get_case_for(user, pk)
    consultations = (
        access.consultations_visible_to(user)
        .filter(case=case)
        .select_related("unit", "shared_with")
        .prefetch_related("topics", "advisors")
        .order_by("-date", "-id")
    )
    activity = services.with_last_activity(Case.objects.filter(pk=case.pk))
    case.last_activity = activity.values_list("last_activity", flat=True).get()
    context = {
        "case": case,
        "idle_days": services.idle_days(case, timezone.localdate()),
        "outcomes": case.outcomes_reached.select_related("outcome"),
        "consultations": consultations,
        "can_change": access.can(user, Action.CHANGE, {case.unit_id}),
        "history": case_history(case, user) if access.can(user, Action.HISTORY, {case.unit_id}) else None,
    }
    return render(request, "casework/cases/detail.html", context)


def _initial_unit(organisation_pk, unit_ids):
    """The first of the person's units the organisation already works with."""
    if organisation_pk is None:
        return None
    links = Organisation.units.through.objects.filter(organisation_id=organisation_pk, unit_id__in=unit_ids)
    return links.order_by("unit_id").values_list("unit_id", flat=True).first()


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request):
    unit_ids = access.unit_ids_for(request.user, Action.CHANGE)
    if not unit_ids:
        raise PermissionDenied
    organisation_pk = access.parse_pk(request.GET.get("organisation"))
    initial = {
        "opened_on": timezone.localdate(),
        "organisation": organisation_pk,
        "unit": _initial_unit(organisation_pk, unit_ids),
        "responsible": request.user.pk,
    }
    form = CaseForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and (
        case := create_once(
            request,
            form,
            create=lambda: services.case_create(case=form.save(commit=False), by=request.user),
            success=_("Der Beratungsprozess wurde angelegt."),
        )
    ):
        return redirect("casework:case_detail", pk=case.pk)
    return render(request, "casework/cases/form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request, pk):
    case = access.get_case_for(request.user, pk, Action.CHANGE)
    form = CaseForm(request.POST or None, instance=case, user=request.user)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_or_refuse(form, save=lambda: services.case_update(case=form.save(commit=False), by=request.user))
    ):
        messages.success(request, _("Die Änderungen wurden gespeichert."))
        return redirect("casework:case_detail", pk=case.pk)
    return render(request, "casework/cases/form.html", {"form": form, "case": case})


@login_required
@require_http_methods(["GET", "POST"])
def case_close(request, pk):
    case = access.get_case_for(request.user, pk, Action.CHANGE)
    if case.status == Case.Status.CLOSED:
        messages.info(request, _("Der Beratungsprozess ist bereits abgeschlossen."))
        return redirect("casework:case_detail", pk=case.pk)
    form = CaseCloseForm(request.POST or None, initial={"closed_on": timezone.localdate()}, case=case)
    if request.method == "POST" and form.is_valid():
        closed = None
        try:
            closed = save_or_refuse(
                form,
                save=lambda: services.case_close(
                    case=case,
                    by=request.user,
                    closed_on=form.cleaned_data["closed_on"],
                    outcomes=form.cleaned_data["outcomes"],
                ),
            )
        except ValidationError as error:
            form.add_error(None, error)
        if closed:
            messages.success(request, _("Der Beratungsprozess wurde abgeschlossen."))
            return redirect("casework:case_detail", pk=case.pk)
    return render(request, "casework/cases/close.html", {"form": form, "case": case})


@login_required
@require_http_methods(["POST"])
def case_reopen(request, pk):
    case = access.get_case_for(request.user, pk, Action.CHANGE)
    form = VersionForm(request.POST, record=case)
    try:
        if save_or_refuse(form, save=lambda: services.case_reopen(case=case, by=request.user)):
            messages.success(request, _("Der Beratungsprozess wurde wieder geöffnet."))
        else:
            messages.warning(request, " ".join(form.non_field_errors()))
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    return redirect("casework:case_detail", pk=case.pk)
