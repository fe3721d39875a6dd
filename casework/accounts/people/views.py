"""Administrators manage people: list, invite, roles, deactivate (with hand-over), reactivate.

Every view here answers 403 to signed-in people who are not administrators. The invitation link
is for anyone holding it: Django's password-reset confirmation with the invitation's own token.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework.access import parse_pk
from casework.accounts.people import services
from casework.accounts.people.forms import DeactivateForm, InviteForm, RolesForm
from casework.accounts.people.tokens import invitation_token_generator
from casework.audit.log import record
from casework.audit.models import AccessEvent
from casework.models import RoleGroup
from casework.search.ordering import german
from casework.ui.pagination import paginate

User = get_user_model()

STATUS_FILTERS = {"aktiv": {"is_active": True}, "deaktiviert": {"is_active": False}, "alle": {}}


def administrator_required(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not services.is_administrator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _person_for(request, pk):
    """A person the administrator may change: 404 for unknown ids, 403 for superusers (to non-superusers)."""
    person = User.objects.filter(pk=parse_pk(pk)).first() if parse_pk(pk) else None
    if person is None:
        raise Http404
    if not services.may_manage(request.user, person):
        raise PermissionDenied
    return person


def _posted(request):
    """The POST data, or None for GET. Not `request.POST or None`: an empty POST (no role ticked) must count."""
    return request.POST if request.method == "POST" else None


@administrator_required
def people_list(request):
    status = request.GET.get("status") if request.GET.get("status") in STATUS_FILTERS else "aktiv"
    bindings = RoleGroup.objects.select_related("unit")
    people = (
        User.objects.filter(**STATUS_FILTERS[status])
        .prefetch_related(Prefetch("groups__role", queryset=bindings))
        .order_by(german("last_name"), german("first_name"), "username")
    )
    page = paginate(request, people)
    for person in page.object_list:
        person.role_labels = _role_labels(person)
        person.invitation_pending = services.may_be_reinvited(person)
    return render(request, "casework/accounts/people_list.html", {"page": page, "status": status})


def _role_labels(person) -> list[str]:
    labels = {"advisor": _("Berater*in"), "coordinator": _("Koordinator*in"), "admin": _("Administrator*in")}
    result = []
    for group in person.groups.all():
        binding = getattr(group, "role", None)
        if binding is None:
            continue
        label = labels[binding.role]
        result.append(f"{label} {binding.unit.short_name}" if binding.unit else label)
    if person.is_superuser:
        result.append(_("Superuser"))
    return sorted(result)


@administrator_required
@require_http_methods(["GET", "POST"])
def person_invite(request):
    form = InviteForm(_posted(request))
    if form.is_valid():
        person = services.person_invite(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            roles=form.roles(),
            by=request.user,
            request=request,
        )
        _send_invitation(request, person)
        return redirect("casework:people_list")
    return render(request, "casework/accounts/people_invite.html", {"form": form})


def _send_invitation(request, person):
    """After the account is saved: a mail server that fails leaves the account, and says to invite again."""
    if services.send_invitation(person, site_url=services.site_url(request)):
        messages.success(request, _("Die Einladung an %(email)s ist verschickt.") % {"email": person.email})
    else:
        messages.error(
            request,
            _("Die Einladung konnte nicht verschickt werden (E-Mail-Server). Bitte später „Erneut einladen“ wählen."),
        )


@administrator_required
@require_http_methods(["GET", "POST"])
def person_roles(request, pk):
    person = _person_for(request, pk)
    form = RolesForm(_posted(request), person=person, actor=request.user)
    if form.is_valid():
        if services.person_set_roles(person=person, roles=form.roles(), by=request.user, request=request):
            messages.success(request, _("Die Rollen sind geändert; sie gelten ab der nächsten Seite."))
        return redirect("casework:people_list")
    return render(request, "casework/accounts/people_roles.html", {"form": form, "person": person})


@administrator_required
@require_http_methods(["GET", "POST"])
def person_deactivate(request, pk):
    person = _person_for(request, pk)
    if person == request.user:
        raise PermissionDenied  # nobody locks themselves out
    if not person.is_active:
        messages.info(request, _("Diese Person ist bereits deaktiviert."))
        return redirect("casework:people_list")
    form = DeactivateForm(_posted(request), person=person, units=services.units_with_open_work(person))
    if form.is_valid():
        result = services.person_deactivate(
            person=person, successors=form.successors(), by=request.user, request=request
        )
        messages.success(
            request,
            _(
                "Die Person ist deaktiviert, ihre Sitzungen sind beendet. Übergeben: "
                "%(follow_ups)d Wiedervorlagen, %(cases)d Beratungsprozesse."
            )
            % result,
        )
        return redirect("casework:people_list")
    context = {
        "form": form,
        "person": person,
        "follow_ups": services.open_follow_ups_of(person).select_related("consultation", "case"),
        "cases": services.open_cases_of(person),
    }
    return render(request, "casework/accounts/people_deactivate.html", context)


@administrator_required
@require_http_methods(["GET", "POST"])
def person_reactivate(request, pk):
    person = _person_for(request, pk)
    if person.is_active:
        messages.info(request, _("Diese Person ist bereits aktiv."))
        return redirect("casework:people_list")
    if request.method == "POST":
        services.person_reactivate(person=person, by=request.user, request=request)
        messages.success(request, _("Die Person ist wieder aktiv und kann sich anmelden."))
        return redirect("casework:people_list")
    return render(request, "casework/accounts/people_reactivate.html", {"person": person})


@administrator_required
@require_http_methods(["GET", "POST"])
def person_reinvite(request, pk):
    person = _person_for(request, pk)
    if not services.may_be_reinvited(person):
        messages.info(request, _("Diese Person hat ihr Passwort schon gesetzt oder ist deaktiviert."))
        return redirect("casework:people_list")
    if request.method == "POST":
        services.person_reinvite(person=person, by=request.user, request=request)
        _send_invitation(request, person)
        return redirect("casework:people_list")
    return render(request, "casework/accounts/people_reinvite.html", {"person": person})


class ActiveUserMixin:
    """Links of deactivated people are refused, whatever the token says."""

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None


class InvitationAcceptView(ActiveUserMixin, auth_views.PasswordResetConfirmView):
    """Set the first password from the invitation link (Django keeps the token out of the URL after the first GET)."""

    token_generator = invitation_token_generator
    template_name = "registration/invitation_accept.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        response = super().form_valid(form)
        record(
            AccessEvent.Kind.ACCOUNT,
            request=self.request,
            user=self.user,
            target=self.user,
            detail="invitation_accepted",
        )
        messages.success(self.request, _("Ihr Passwort ist gesetzt. Bitte melden Sie sich jetzt an."))
        return response
