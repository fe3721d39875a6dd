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
from casework.consultations.names import with_names
from casework.events import organisation_panel as events_panel
from casework.guides import organisation_panel as guides_panel
from casework.history import history_of
from casework.quality import organisation_panel as quality_panel
from casework.search.query import matching_organisations
from casework.ui.pagination import paginate
from organisations import services
from organisations.filters import OrganisationFilter
from organisations.forms import ContactPersonForm, MergeForm, OrganisationForm, default_kind
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
    timeline = with_names(
        access.consultations_visible_to(request.user)
        .filter(organisation=organisation)
        .select_related("unit", "shared_with")
        .annotate(total=Window(Count("pk")))[:TIMELINE_LIMIT]
    )
    context = {
        "organisation": organisation,
        "contacts": organisation.contacts.all(),
        "timeline": timeline,
        "timeline_total": timeline[0].total if timeline else 0,
        "can_change": access.can(request.user, Action.CHANGE, unit_ids),
        "can_merge": access.can(request.user, Action.DELETE, unit_ids),
        "history": history_of(organisation, request.user)
        if access.can_on_organisation(request.user, Action.HISTORY, organisation)
        else None,
        **cases_panel.organisation_context(request.user, organisation),
        **quality_panel.organisation_context(request.user, organisation),
        **events_panel.organisation_context(request.user, organisation),
        **guides_panel.organisation_context(request.user, organisation),
    }
    return render(request, "organisations/organisation_detail.html", context)


def _save(form, user):
    return services.organisation_save(organisation=form.save(commit=False), by=user, unit_ids=form.unit_ids_to_save())


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    """The create form; `?dialog=1`: its fragment for the dialog of the consultation form (JSON on success)."""
    if not access.unit_ids_for(request.user, Action.CHANGE):
        raise PermissionDenied
    # Registering an organisation while logging a consultation returns to the consultation form.
    then_log_consultation = request.GET.get("weiter") == "beratung"
    in_dialog = request.GET.get("dialog") == "1"
    form = OrganisationForm(
        request.POST or None,
        initial={
            "units": sorted(access.unit_ids_for(request.user, Action.CHANGE)),
            "kind": default_kind(request.user),
        },
        user=request.user,
        # In the dialog the fields sit on the consultation form's page: their ids must not clash.
        prefix="organisation" if in_dialog else None,
    )
    if request.method == "POST" and (
        organisation := create_once(
            request, form, create=lambda: _save(form, request.user), success=_("Die Organisation wurde angelegt.")
        )
    ):
        if in_dialog:
            # The consultation form shows the new organisation chosen; no message on the next page.
            list(messages.get_messages(request))
            return JsonResponse({"id": organisation.pk, "text": organisation_label(organisation)}, status=201)
        if then_log_consultation:
            return redirect(f"{reverse('casework:consultation_create')}?organisation={organisation.pk}")
        return redirect("organisations:organisation_detail", pk=organisation.pk)
    template = "organisations/organisation_form_dialog.html" if in_dialog else "organisations/organisation_form.html"
    return render(request, template, {"form": form, "in_dialog": in_dialog})


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
            matching_organisations(access.organisations_visible_to(request.user), query)
            .select_related("region")
            .order_by("name_sort", "name", "id")[:PICKER_LIMIT]
        )
        results = [{"id": org.pk, "text": organisation_label(org)} for org in matches]
    return JsonResponse({"results": results})


@login_required
@require_GET
def organisation_similar(request):
    """JSON for the duplicate hint of the create form: similar organisations the person may see."""
    similar = services.similar_organisations(
        request.user,
        name=request.GET.get("name", "").strip()[:200],
        municipality=request.GET.get("municipality", "").strip()[:100],
    )
    results = [
        {
            "id": s.organisation_id,
            "text": f"{s.name} ({s.municipality})" if s.municipality else s.name,
            "url": reverse("organisations:organisation_detail", args=[s.organisation_id]),
        }
        for s in similar
    ]
    return JsonResponse({"results": results})


def _version(raw) -> int | None:
    return access.parse_pk(raw)  # versions are positive integers, like keys


@login_required
@require_http_methods(["GET", "POST"])
def organisation_merge(request, pk):
    """Choose a duplicate (GET), see what moves (GET ?mit=), merge it into this one (POST)."""
    keep = access.get_organisation_for(request.user, pk, Action.DELETE)
    data = request.POST if request.method == "POST" else (request.GET if "mit" in request.GET else None)
    similar_ids = [
        s.organisation_id
        for s in services.similar_organisations(
            request.user, name=keep.name, municipality=keep.municipality, exclude_pk=keep.pk
        )
    ]
    suggestions = access.organisations_visible_to(request.user, Action.DELETE).filter(pk__in=similar_ids)
    form = MergeForm(data, keep=keep, user=request.user, suggestions=suggestions.select_related("region"))
    if data is None or not form.is_valid():
        return render(request, "organisations/organisation_merge.html", {"organisation": keep, "form": form})
    remove = form.cleaned_data["mit"]
    if request.method == "POST":
        merged = services.organisation_merge_if_unchanged(
            keep=keep,
            remove=remove,
            by=request.user,
            keep_version=_version(request.POST.get("keep_version")),
            remove_version=_version(request.POST.get("remove_version")),
        )
        if merged is not None:
            messages.success(
                request, _("„%(name)s“ wurde mit dieser Organisation zusammengeführt.") % {"name": remove.name}
            )
            return redirect("organisations:organisation_detail", pk=keep.pk)
        messages.error(
            request,
            _("Inzwischen wurde eine der beiden Organisationen geändert. Bitte prüfen Sie den aktuellen Stand."),
        )
        keep.refresh_from_db()
        remove.refresh_from_db()
    context = {
        "organisation": keep,
        "remove": remove,
        "form": form,
        "moves": services.merge_summary(remove),
        "units_after": sorted({*keep.units.all(), *remove.units.all()}, key=lambda unit: unit.pk),
    }
    return render(request, "organisations/organisation_merge_confirm.html", context)


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
