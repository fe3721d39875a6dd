"""Lots*innen figures of a project: its page, and recording, editing, deleting counts and trainings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from casework.access import Action
from casework.concurrency import create_once, save_or_refuse
from casework.guides import access as guides_access
from casework.guides import services
from casework.guides.forms import GuideCountForm, GuideTrainingForm


@login_required
@require_GET
def guide_figures(request, pk):
    user = request.user
    organisation, unit = guides_access.get_guide_project_for(user, pk)
    unit_ids = guides_access.project_unit_ids(user, Action.VIEW, organisation)
    context = {
        "organisation": organisation,
        "figures": services.project_figures(user, organisation, unit_ids),
        "can_record": bool(guides_access.project_unit_ids(user, Action.CHANGE, organisation)),
        "can_delete": bool(guides_access.project_unit_ids(user, Action.DELETE, organisation)),
    }
    return render(request, "casework/guides/project.html", context)


def _back(organisation):
    return redirect("casework:guide_figures", pk=organisation.pk)


# --- Counts of active Lots*innen ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def guide_count_create(request, pk):
    organisation, unit = guides_access.get_guide_project_for(request.user, pk, Action.CHANGE)
    form = GuideCountForm(
        request.POST or None, unit=unit, organisation=organisation, initial={"as_of": timezone.localdate()}
    )
    if request.method == "POST" and create_once(
        request,
        form,
        create=lambda: services.count_save(count=form.save(commit=False), by=request.user),
        success=_("Die Zahl der aktiven Lots*innen wurde gespeichert."),
    ):
        return _back(organisation)
    context = {"form": form, "organisation": organisation, "title": _("Aktive Lots*innen erfassen")}
    return render(request, "casework/guides/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def guide_count_edit(request, pk):
    count = guides_access.get_guide_count_for(request.user, pk, Action.CHANGE)
    form = GuideCountForm(request.POST or None, instance=count, unit=count.unit, organisation=count.organisation)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_or_refuse(form, save=lambda: services.count_save(count=form.save(commit=False), by=request.user))
    ):
        messages.success(request, _("Die Änderungen wurden gespeichert."))
        return _back(count.organisation)
    context = {"form": form, "organisation": count.organisation, "title": _("Aktive Lots*innen bearbeiten")}
    return render(request, "casework/guides/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def guide_count_delete(request, pk):
    count = guides_access.get_guide_count_for(request.user, pk, Action.DELETE)
    if request.method == "POST":
        services.count_delete(count=count, by=request.user)
        messages.success(request, _("Die Zahl der aktiven Lots*innen wurde gelöscht."))
        return _back(count.organisation)
    question = _("Die Zahl der aktiven Lots*innen von %(org)s zum %(date)s (%(active)s) endgültig löschen?") % {
        "org": count.organisation.name,
        "date": f"{count.as_of:%d.%m.%Y}",
        "active": count.active,
    }
    context = {"organisation": count.organisation, "title": _("Zahl löschen"), "question": question}
    return render(request, "casework/guides/confirm_delete.html", context)


# --- Trainings ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def guide_training_create(request, pk):
    organisation, unit = guides_access.get_guide_project_for(request.user, pk, Action.CHANGE)
    form = GuideTrainingForm(request.POST or None, unit=unit, organisation=organisation)
    if request.method == "POST" and create_once(
        request,
        form,
        create=lambda: services.training_save(training=form.save(commit=False), by=request.user),
        success=_("Die Schulung wurde gespeichert."),
    ):
        return _back(organisation)
    context = {"form": form, "organisation": organisation, "title": _("Schulung erfassen")}
    return render(request, "casework/guides/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def guide_training_edit(request, pk):
    training = guides_access.get_guide_training_for(request.user, pk, Action.CHANGE)
    form = GuideTrainingForm(
        request.POST or None, instance=training, unit=training.unit, organisation=training.organisation
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and save_or_refuse(form, save=lambda: services.training_save(training=form.save(commit=False), by=request.user))
    ):
        messages.success(request, _("Die Änderungen wurden gespeichert."))
        return _back(training.organisation)
    context = {"form": form, "organisation": training.organisation, "title": _("Schulung bearbeiten")}
    return render(request, "casework/guides/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def guide_training_delete(request, pk):
    training = guides_access.get_guide_training_for(request.user, pk, Action.DELETE)
    if request.method == "POST":
        services.training_delete(training=training, by=request.user)
        messages.success(request, _("Die Schulung wurde gelöscht."))
        return _back(training.organisation)
    question = _("Die Schulung „%(title)s“ von %(org)s vom %(date)s endgültig löschen?") % {
        "title": training.title,
        "org": training.organisation.name,
        "date": f"{training.date:%d.%m.%Y}",
    }
    context = {"organisation": training.organisation, "title": _("Schulung löschen"), "question": question}
    return render(request, "casework/guides/confirm_delete.html", context)
