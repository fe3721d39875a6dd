"""Events (Qualifizierung und Vernetzung): list, detail, create, edit, delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from casework import access
from casework.access import Action
from casework.concurrency import create_once, save_or_refuse
from casework.events import services
from casework.events.filters import EventFilter
from casework.events.forms import EventForm
from casework.history import history_of
from casework.models import Event
from casework.ui.pagination import paginate


def _filtered_organisation(user, filterset):
    """The organisation the list is limited to (from its page's link), to say so above the list."""
    pk = filterset.form.cleaned_data.get("organisation") if filterset.is_bound and filterset.is_valid() else None
    return access.organisations_visible_to(user).filter(pk=pk).first() if pk else None


@login_required
@require_GET
def event_list(request):
    if not access.is_member(request.user):
        raise PermissionDenied
    filterset = EventFilter(request.GET or None, queryset=access.events_visible_to(request.user), user=request.user)
    organisation = _filtered_organisation(request.user, filterset)
    events = filterset.qs
    if getattr(filterset.form, "cleaned_data", {}).get("organisation") and organisation is None:
        # An organisation the person may not see: no answer to whether it attended a joint event.
        events = events.none()
    events_page = events.select_related("unit", "region").prefetch_related("topics")
    counted = events_page.annotate(organisation_count=Count("organisations", distinct=True))
    page = paginate(request, counted.order_by("-date", "-id"))
    context = {
        "filter": filterset,
        "page": page,
        "can_create": bool(access.unit_ids_for(request.user, Action.CHANGE)),
        "organisation": organisation,
        # Planned events whose date has passed, among all the person sees: their status is to be set.
        "overdue_count": access.events_visible_to(request.user)
        .filter(status=Event.Status.PLANNED, date__lt=timezone.localdate())
        .count(),
    }
    return render(request, "casework/events/event_list.html", context)


@login_required
@require_GET
def event_detail(request, pk):
    user = request.user
    event = access.get_event_for(user, pk)
    attended = event.organisations.select_related("region")
    visible = list(attended.filter(pk__in=access.organisations_visible_to(user).values("pk")))
    context = {
        "event": event,
        "topics": event.topics.select_related("unit"),
        "organisations": visible,
        "hidden_organisations": attended.count() - len(visible),
        "can_change": access.can_on_event(user, Action.CHANGE, event),
        "can_delete": access.can_on_event(user, Action.DELETE, event),
        "history": history_of(event, user) if access.can_on_event(user, Action.HISTORY, event) else None,
    }
    return render(request, "casework/events/event_detail.html", context)


def _save(form, user):
    return services.event_save(
        event=form.save(commit=False),
        by=user,
        topics=form.cleaned_data["topics"],
        organisations=form.organisations_to_save(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request):
    if not access.unit_ids_for(request.user, Action.CHANGE):
        raise PermissionDenied
    initial = {"date": timezone.localdate(), "kind": "training", "format": "in_person", "status": Event.Status.HELD}
    form = EventForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and (
        event := create_once(
            request, form, create=lambda: _save(form, request.user), success=_("Die Veranstaltung wurde gespeichert.")
        )
    ):
        return redirect("casework:event_detail", pk=event.pk)
    return render(request, "casework/events/event_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, pk):
    event = access.get_event_for(request.user, pk, Action.CHANGE)
    form = EventForm(request.POST or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid() and save_or_refuse(form, save=lambda: _save(form, request.user)):
        messages.success(request, _("Die Änderungen wurden gespeichert."))
        return redirect("casework:event_detail", pk=event.pk)
    return render(request, "casework/events/event_form.html", {"form": form, "event": event})


@login_required
@require_http_methods(["GET", "POST"])
def event_delete(request, pk):
    event = access.get_event_for(request.user, pk, Action.DELETE)
    if request.method == "POST":
        services.event_delete(event=event, by=request.user)
        messages.success(request, _("Die Veranstaltung wurde gelöscht."))
        return redirect("casework:event_list")
    return render(request, "casework/events/event_confirm_delete.html", {"event": event})
