"""Quality profiles of Lots*innen projects: the catalogue of areas and criteria, Standortbestimmungen, the profile."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from casework import access
from casework.access import Action
from casework.concurrency import create_once, save_or_refuse
from casework.history import history_of
from casework.models import QualityArea, QualityCriterion
from casework.quality import services
from casework.quality.forms import AssessmentForm, QualityAreaForm, QualityCriterionForm
from organisations.models import Organisation

# --- Catalogue (coordinators of the unit) ------------------------------------------------------------


def _catalogue_unit_ids(user):
    unit_ids = access.unit_ids_for(user, Action.CATALOGUES)
    if not unit_ids:
        raise PermissionDenied
    return unit_ids


def _save_entry(form, user):
    return services.catalogue_entry_save(entry=form.save(commit=False), by=user)


@login_required
@require_GET
def quality_catalogue(request):
    unit_ids = _catalogue_unit_ids(request.user)
    criteria = QualityCriterion.objects.order_by("position", "id")
    areas = (
        QualityArea.objects.filter(unit_id__in=unit_ids)
        .select_related("unit")
        .prefetch_related(Prefetch("criteria", queryset=criteria))
        .order_by("unit_id", "position", "name")
    )
    return render(request, "casework/quality/catalogue.html", {"areas": areas})


@login_required
@require_http_methods(["GET", "POST"])
def quality_area_create(request):
    form = QualityAreaForm(request.POST or None, unit_ids=_catalogue_unit_ids(request.user))
    if request.method == "POST" and create_once(
        request, form, create=lambda: _save_entry(form, request.user), success=_("Der Qualitätsbereich wurde angelegt.")
    ):
        return redirect("casework:quality_catalogue")
    return render(request, "casework/quality/catalogue_form.html", {"form": form, "title": _("Bereich anlegen")})


@login_required
@require_http_methods(["GET", "POST"])
def quality_area_edit(request, pk):
    area = access.get_quality_area_for(request.user, pk)
    form = QualityAreaForm(request.POST or None, instance=area, unit_ids=[area.unit_id])
    if (
        request.method == "POST"
        and form.is_valid()
        and save_or_refuse(form, save=lambda: _save_entry(form, request.user))
    ):
        messages.success(request, _("Die Änderungen wurden gespeichert."))
        return redirect("casework:quality_catalogue")
    return render(request, "casework/quality/catalogue_form.html", {"form": form, "title": _("Bereich bearbeiten")})


@login_required
@require_http_methods(["GET", "POST"])
def quality_criterion_create(request, pk):
    area = access.get_quality_area_for(request.user, pk)
    form = QualityCriterionForm(request.POST or None, unit=area.unit, initial={"area": area})
    if request.method == "POST" and create_once(
        request, form, create=lambda: _save_entry(form, request.user), success=_("Das Kriterium wurde angelegt.")
    ):
        return redirect("casework:quality_catalogue")
    context = {"form": form, "title": _("Kriterium anlegen")}
    return render(request, "casework/quality/catalogue_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def quality_criterion_edit(request, pk):
    criterion = access.get_quality_criterion_for(request.user, pk)
    form = QualityCriterionForm(request.POST or None, instance=criterion, unit=criterion.area.unit)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_or_refuse(form, save=lambda: _save_entry(form, request.user))
    ):
        messages.success(request, _("Die Änderungen wurden gespeichert."))
        return redirect("casework:quality_catalogue")
    context = {"form": form, "title": _("Kriterium bearbeiten")}
    return render(request, "casework/quality/catalogue_form.html", context)


def _retire(request, entry, label):
    """Confirm (GET), then retire or reactivate (POST) a catalogue entry."""
    if request.method == "POST":
        retire = entry.retired_at is None
        services.catalogue_entry_retire(entry=entry, by=request.user, retire=retire)
        if retire:
            messages.success(request, _("„%(entry)s“ wurde ausgemustert.") % {"entry": entry})
        else:
            messages.success(request, _("„%(entry)s“ ist wieder aktiv.") % {"entry": entry})
        return redirect("casework:quality_catalogue")
    return render(request, "casework/quality/catalogue_retire.html", {"entry": entry, "label": label})


@login_required
@require_http_methods(["GET", "POST"])
def quality_area_retire(request, pk):
    return _retire(request, access.get_quality_area_for(request.user, pk), _("Bereich"))


@login_required
@require_http_methods(["GET", "POST"])
def quality_criterion_retire(request, pk):
    return _retire(request, access.get_quality_criterion_for(request.user, pk), _("Kriterium"))


# --- Profile and assessments -------------------------------------------------------------------------


@login_required
@require_GET
def quality_profile(request, pk):
    organisation = access.get_organisation_for(request.user, pk)
    scope = services.quality_scope(request.user, Action.VIEW, organisation)
    if not scope.unit_ids:
        raise PermissionDenied
    assessments = services.organisation_assessments(request.user, organisation, scope.unit_ids)
    context = {
        "organisation": organisation,
        "matrix": services.profile_matrix(assessments=assessments, criteria=scope.criteria),
        "can_assess": bool(services.holding(request.user, Action.CHANGE, scope.unit_ids))
        and organisation.kind == Organisation.Kind.GUIDE_PROJECT,
        "can_edit_catalogue": bool(services.holding(request.user, Action.CATALOGUES, scope.unit_ids)),
    }
    return render(request, "casework/quality/profile.html", context)


def _assessment_data(form):
    return {"date": form.cleaned_data["date"], "note": form.cleaned_data["note"].strip(), "ratings": form.ratings()}


@login_required
@require_http_methods(["GET", "POST"])
def assessment_create(request, pk):
    organisation = access.get_organisation_for(request.user, pk)
    scope = services.quality_scope(request.user, Action.CHANGE, organisation)
    if not scope.unit_ids:
        raise PermissionDenied
    if organisation.kind != Organisation.Kind.GUIDE_PROJECT:
        raise PermissionDenied(_("Standortbestimmungen gibt es nur für Lots*innen-Projekte."))
    # Joint staff may assess for more than one unit: ?fachstelle=<pk> picks one.
    requested = access.parse_pk(request.GET.get("fachstelle"))
    unit = scope.unit(requested if requested in scope.unit_ids else scope.unit_ids[0])
    form = AssessmentForm(
        request.POST or None,
        criteria=scope.criteria_of(unit.pk),
        initial={"date": timezone.localdate()},
        earlier_ratings=services.latest_ratings(request.user, organisation, unit),
    )
    if request.method == "POST" and (
        assessment := create_once(
            request,
            form,
            create=lambda: services.assessment_create(
                organisation=organisation, unit=unit, by=request.user, **_assessment_data(form)
            ),
            success=_("Die Standortbestimmung wurde gespeichert."),
        )
    ):
        return redirect("casework:assessment_detail", pk=assessment.pk)
    context = {"form": form, "organisation": organisation, "unit": unit}
    return render(request, "casework/quality/assessment_form.html", context)


@login_required
@require_GET
def assessment_detail(request, pk):
    assessment = access.get_assessment_for(request.user, pk)
    previous = services.previous_assessment(request.user, assessment)
    user = request.user
    context = {
        "assessment": assessment,
        "previous": previous,
        "matrix": services.build_matrix([assessment], baseline=previous, include_unrated=False),
        "can_change": access.can(user, Action.CHANGE, {assessment.unit_id}),
        "can_delete": access.can(user, Action.DELETE, {assessment.unit_id}),
        "history": history_of(assessment, user) if access.can(user, Action.HISTORY, {assessment.unit_id}) else None,
    }
    return render(request, "casework/quality/assessment_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request, pk):
    assessment = access.get_assessment_for(request.user, pk, Action.CHANGE)
    criteria = services.criteria_for_assessment(unit=assessment.unit, assessment=assessment)
    form = AssessmentForm(request.POST or None, criteria=criteria, assessment=assessment)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_or_refuse(
            form,
            save=lambda: services.assessment_update(assessment=assessment, by=request.user, **_assessment_data(form)),
        )
    ):
        messages.success(request, _("Die Änderungen wurden gespeichert."))
        return redirect("casework:assessment_detail", pk=assessment.pk)
    context = {"form": form, "organisation": assessment.organisation, "unit": assessment.unit, "assessment": assessment}
    return render(request, "casework/quality/assessment_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_delete(request, pk):
    assessment = access.get_assessment_for(request.user, pk, Action.DELETE)
    if request.method == "POST":
        services.assessment_delete(assessment=assessment, by=request.user)
        messages.success(request, _("Die Standortbestimmung wurde gelöscht."))
        return redirect("casework:quality_profile", pk=assessment.organisation_id)
    return render(request, "casework/quality/assessment_confirm_delete.html", {"assessment": assessment})
