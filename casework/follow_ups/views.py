"""Follow-ups (Wiedervorlagen): my list, the units' list, done/reopen, edit/postpone, adding, and the calendar feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from casework import access
from casework.access import Action
from casework.audit.log import record
from casework.audit.models import AccessEvent
from casework.concurrency import create_once, save_or_refuse
from casework.follow_ups import ics, services
from casework.follow_ups.filters import FollowUpFilter
from casework.follow_ups.forms import FollowUpEditForm, FollowUpForm, PostponeForm, StateForm
from casework.ui.pagination import paginate


def _list_context(request, page, **extra):
    services.mark_changeable(page.object_list, request.user)
    for follow_up in page.object_list:
        follow_up.record_url = services.record_url(follow_up)
    return {"page": page, "today": timezone.localdate(), "next": request.get_full_path(), **extra}


@login_required
def follow_up_list(request):
    state_form = StateForm(request.GET or None)
    state = state_form.state()
    page = paginate(request, services.follow_ups_assigned(fetched_by=request.user, state=state))
    context = _list_context(request, page, state_form=state_form, state=state)
    return render(request, "casework/follow_ups/my_list.html", context)


@login_required
def follow_up_unit_list(request):
    filterset = FollowUpFilter(
        request.GET or None, queryset=services.follow_ups_of_units(fetched_by=request.user), user=request.user
    )
    page = paginate(request, filterset.qs)
    return render(request, "casework/follow_ups/unit_list.html", _list_context(request, page, filter=filterset))


def follow_up_panel(request, owner, *, can_change: bool) -> dict:
    """Context for "casework/follow_ups/panel.html" on a consultation's or a case's page (one query)."""
    return {
        "follow_ups": services.follow_ups_on(owner),
        "follow_up_form": FollowUpForm(owner=owner, user=request.user, quick=True) if can_change else None,
        "follow_ups_can_change": can_change,
        "today": timezone.localdate(),
    }


def _next_url(request):
    """Where to go after done/reopen: a path on this site from the form, otherwise the person's list.

    Only a local path counts ("/…", not "//host"): redirect() would read anything else, such as
    "true" or "00:00", as the name of a view and fail.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    local = target.startswith("/") and not target.startswith(("//", "/\\"))
    safe = local and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else reverse("casework:follow_up_list")


def _confirm(request, follow_up, action):
    context = {
        "follow_up": follow_up,
        "action": action,
        "next": _next_url(request),
        "record_url": services.record_url(follow_up),
    }
    return render(request, "casework/follow_ups/confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_done(request, pk):
    """GET asks for confirmation (a link opened on its own); the buttons on lists and pages POST directly."""
    follow_up = access.get_follow_up_for(request.user, pk, Action.CHANGE)
    if request.method != "POST":
        return _confirm(request, follow_up, "done")
    services.follow_up_done(follow_up=follow_up, by=request.user)
    messages.success(request, _("Wiedervorlage „%(what)s“ ist erledigt.") % {"what": follow_up.what})
    return HttpResponseRedirect(_next_url(request))


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_reopen(request, pk):
    follow_up = access.get_follow_up_for(request.user, pk, Action.CHANGE)
    if request.method != "POST":
        return _confirm(request, follow_up, "reopen")
    services.follow_up_reopen(follow_up=follow_up, by=request.user)
    messages.success(request, _("Wiedervorlage „%(what)s“ ist wieder offen.") % {"what": follow_up.what})
    return HttpResponseRedirect(_next_url(request))


def _save_or_form(request, follow_up, form, template, *, save, success):
    """Save a valid form with the version check and go back; otherwise (or refused) show the form again.

    `success` makes the message from the saved follow-up.
    """
    if request.method == "POST" and form.is_valid() and (saved := save_or_refuse(form, save=save)):
        messages.success(request, success(saved))
        return HttpResponseRedirect(_next_url(request))
    context = {
        "form": form,
        "follow_up": follow_up,
        "next": _next_url(request),
        "record_url": services.record_url(follow_up),
        "organisation": services.record_organisation(follow_up),
    }
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_edit(request, pk):
    """Text, due date and assignee (reassigning is choosing another person here)."""
    follow_up = access.get_follow_up_for(request.user, pk, Action.CHANGE)
    form = FollowUpEditForm(request.POST or None, instance=follow_up)
    return _save_or_form(
        request,
        follow_up,
        form,
        "casework/follow_ups/edit.html",
        save=lambda: services.follow_up_update(follow_up=form.save(commit=False), by=request.user),
        success=lambda saved: _("Die Wiedervorlage „%(what)s“ wurde gespeichert.") % {"what": saved.what},
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_postpone(request, pk):
    """One week later (the list's button posts here directly) or to a chosen date."""
    follow_up = access.get_follow_up_for(request.user, pk, Action.CHANGE)
    form = PostponeForm(request.POST or None, follow_up=follow_up)

    def save():
        return services.follow_up_postpone(follow_up=follow_up, by=request.user, due_on=form.new_due_on())

    return _save_or_form(
        request,
        follow_up,
        form,
        "casework/follow_ups/postpone.html",
        save=save,
        success=lambda saved: (
            _("Wiedervorlage „%(what)s“ ist jetzt am %(day)s fällig.")
            % {"what": saved.what, "day": f"{saved.due_on:%d.%m.%Y}"}
        ),
    )


def _add(request, owner):
    owner_url = services.owner_url(owner)
    form = FollowUpForm(request.POST or None, owner=owner, user=request.user)
    if request.method == "POST" and create_once(
        request,
        form,
        create=lambda: services.follow_up_create(owner=owner, by=request.user, **form.cleaned_data),
        success=_("Die Wiedervorlage wurde angelegt."),
    ):
        return redirect(owner_url)
    context = {"form": form, "owner": owner, "owner_url": owner_url}
    return render(request, "casework/follow_ups/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_add_consultation(request, pk):
    consultation = access.get_consultation_for(request.user, pk, Action.CHANGE)
    return _add(request, consultation)


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_add_case(request, pk):
    case = access.get_case_for(request.user, pk, Action.CHANGE)
    return _add(request, case)


# --- Calendar feed ---------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def calendar_feed_settings(request):
    """Create (shown once), replace or revoke the personal feed address."""
    feed_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_token_revoke(user=request.user)
            messages.success(request, _("Die Abo-Adresse wurde widerrufen. Kalender erhalten keine Termine mehr."))
            return redirect("casework:calendar_feed_settings")
        token = services.calendar_token_create(user=request.user)
        feed_url = request.build_absolute_uri(reverse("casework:calendar_feed", kwargs={"token": token}))
    context = {"active": services.calendar_token_active(user=request.user), "feed_url": feed_url}
    return render(request, "casework/follow_ups/calendar_settings.html", context)


@never_cache
@require_http_methods(["GET", "HEAD"])
def calendar_feed(request, token):
    """No login (calendar apps cannot log in): the secret token is the key; unknown or revoked → 404."""
    owner = services.calendar_token_owner(token)
    if owner is None:
        raise Http404
    host = request.get_host().split(":")[0]
    events = [
        ics.AllDayEvent(
            uid=f"wiedervorlage-{f.pk}@{host}",
            day=f.due_on,
            summary=_("Wiedervorlage: %(what)s – %(organisation)s")
            % {"what": f.what, "organisation": services.record_organisation(f).name},
            description=request.build_absolute_uri(services.record_url(f)),
            url=request.build_absolute_uri(services.record_url(f)),
        )
        for f in services.follow_ups_for_feed(owner=owner)
    ]
    body = ics.render_calendar(events, name=_("Wiedervorlagen"), stamp=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="wiedervorlagen.ics"'
    response["X-Robots-Tag"] = "noindex"
    # Fetched by a calendar app, not a signed-in person: the token's owner is named (the path masks the token).
    record(AccessEvent.Kind.DOWNLOAD, request=request, user=owner, target_kind="calendar_feed")
    return response
