from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Window
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from casework import access
from casework.access import Action
from casework.cases import organisation_panel as cases_panel
from casework.concurrency import create_once, save_or_refuse
from casework.events import organisation_panel as events_panel
from casework.history import history_of
from casework.quality import organisation_panel as quality_panel
from casework.ui.pagination import paginate
from organisations import services
from organisations.filters import OrganisationFilter
from organisations.forms import ContactPersonForm, OrganisationForm
from organisations.labels import organisation_label

PICKER_LIMIT = 20
TIMELINE_LIMIT = 50


@login_required
def organisation_list(request):
    filterset = OrganisationFilter(
        request.GET or None, queryset=access.organisations_visible_to(request.user), user=request.user
    )
    page = paginate(request, filterset.qs.select_related("region").prefetch_related("units"))
    return render(request, "organisations/organisation_list.html", {"filter": filterset, "page": page})


@login_required
def organisation_detail(request, pk):
    organisation = access.get_organisation_for(request.user, pk)
    unit_ids = access.organisation_unit_ids(organisation)
    # The window count gives the total with the first rows, in one query.
    timeline = list(
        access.consultations_visible_to(request.user)
        .filter(organisation=organisation)
        .select_related("unit", "shared_with")
        .prefetch_related("topics")
        .annotate(total=Window(Count("pk")))[:TIMELINE_LIMIT]
    )
    context = {
        "organisation": organisation,
        "contacts": organisation.contacts.all(),
        "timeline": timeline,
        "timeline_total": timeline[0].total if timeline else 0,
        "can_change": access.can(request.user, Action.CHANGE, unit_ids),
        "history": history_of(organisation, request.user)
        if access.can_on_organisation(request.user, Action.HISTORY, organisation)
        else None,
        **cases_panel.organisation_context(request.user, organisation),
        **quality_panel.organisation_context(request.user, organisation),
        **events_panel.organisation_context(request.user, organisation),
    }
    return render(request, "organisations/organisation_detail.html", context)


def _save(form, user):
    return services.organisation_save(organisation=form.save(commit=False), by=user, unit_ids=form.unit_ids_to_save())


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    if not access.unit_ids_for(request.user, Action.CHANGE):
        raise PermissionDenied
    # Registering an organisation while logging a consultation returns to the consultation form.
    then_log_consultation = request.GET.get("weiter") == "beratung"
    form = OrganisationForm(
        request.POST or None,
        initial={"units": sorted(access.unit_ids_for(request.user, Action.CHANGE))},
        user=request.user,
    )
    if request.method == "POST" and (
        organisation := create_once(
            request, form, create=lambda: _save(form, request.user), success=_("Die Organisation wurde angelegt.")
        )
    ):
        if then_log_consultation:
            return redirect(f"{reverse('casework:consultation_create')}?organisation={organisation.pk}")
        return redirect("organisations:organisation_detail", pk=organisation.pk)
    return render(request, "organisations/organisation_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk):
    organisation = access.get_organisation_for(request.user, pk, Action.CHANGE)
    form = OrganisationForm(request.POST or None, instance=organisation, user=request.user)
    if request.method == "POST" and form.is_valid() and save_or_refuse(form, save=lambda: _save(form, request.user)):
        messages.success(request, _("Die Änderungen wurden gespeichert."))
        return redirect("organisations:organisation_detail", pk=organisation.pk)
    return render(request, "organisations/organisation_form.html", {"form": form, "organisation": organisation})


@login_required
@require_GET
def organisation_picker(request):
    """JSON search for the organisation picker: visible organisations only, a bounded number."""
    query = request.GET.get("q", "").strip()[:100]
    results = []
    if len(query) >= 2:
        matches = (
            access.organisations_visible_to(request.user)
            .filter(name__icontains=query)
            .select_related("region")
            .order_by("name", "id")[:PICKER_LIMIT]
        )
        results = [{"id": org.pk, "text": organisation_label(org)} for org in matches]
    return JsonResponse({"results": results})


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request, pk):
    organisation = access.get_organisation_for(request.user, pk, Action.CHANGE)
    form = ContactPersonForm(request.POST or None)
    form.instance.organisation = organisation
    if request.method == "POST" and create_once(
        request, form, create=form.save, success=_("Die Ansprechperson wurde gespeichert.")
    ):
        return redirect("organisations:organisation_detail", pk=organisation.pk)
    return render(request, "organisations/contact_form.html", {"form": form, "organisation": organisation})


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, pk):
    contact = access.get_contact_for(request.user, pk, Action.CHANGE)
    form = ContactPersonForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid() and save_or_refuse(form, save=form.save):
        messages.success(request, _("Die Änderungen wurden gespeichert."))
        return redirect("organisations:organisation_detail", pk=contact.organisation_id)
    return render(
        request,
        "organisations/contact_form.html",
        {
            "form": form,
            "organisation": contact.organisation,
            "contact": contact,
            "can_delete": access.can(request.user, Action.DELETE, access.organisation_unit_ids(contact.organisation)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_delete(request, pk):
    contact = access.get_contact_for(request.user, pk, Action.DELETE)
    if request.method == "POST":
        organisation_id = contact.organisation_id
        contact.delete()
        messages.success(request, _("Die Ansprechperson wurde gelöscht."))
        return redirect("organisations:organisation_detail", pk=organisation_id)
    return render(request, "organisations/contact_confirm_delete.html", {"contact": contact})
