"""Password reset by e-mail for everyone: Django's views with German pages, throttled, logged.

The request page always answers the same way, whether an account has the address or not. Throttling
counts the access log's own entries (shared by every worker process, unlike a per-process cache):
at most PER_ADDRESS requests from one client address and PER_PERSON e-mails to one account per
WINDOW; requests beyond that are logged but send nothing.
"""

import datetime

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.urls import path
from django.utils import timezone

from casework.accounts.people.services import site_url
from casework.accounts.people.views import ActiveUserMixin
from casework.audit.log import record
from casework.audit.models import AccessEvent

WINDOW = datetime.timedelta(hours=1)
PER_ADDRESS = 5
PER_PERSON = 3
REQUESTED = "password_reset_requested"
THROTTLED = "password_reset_throttled"
DONE = "password_reset_done"


def _recent_requests(**where) -> int:
    since = timezone.now() - WINDOW
    return AccessEvent.objects.filter(
        kind=AccessEvent.Kind.ACCOUNT, detail__in=[REQUESTED, THROTTLED], at__gte=since, **where
    ).count()


class ThrottledPasswordResetForm(PasswordResetForm):
    def get_users(self, email):
        return self._allowed

    def save(self, *, request=None, **kwargs):
        address = settings.AXES_CLIENT_IP_CALLABLE(request) if request is not None else None
        address_busy = _recent_requests(address=address) >= PER_ADDRESS if address else False
        self._allowed = []
        users = list(super().get_users(self.cleaned_data["email"]))
        for user in users:
            busy = address_busy or _recent_requests(target_kind="user", target_id=str(user.pk)) >= PER_PERSON
            record(AccessEvent.Kind.ACCOUNT, request=request, target=user, detail=THROTTLED if busy else REQUESTED)
            if not busy:
                self._allowed.append(user)
        if not users:  # counted for the address, names no account
            record(AccessEvent.Kind.ACCOUNT, request=request, detail=THROTTLED if address_busy else REQUESTED)
        super().save(request=request, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ThrottledPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def get_extra_email_context(self):
        return {"site_url": site_url(self.request)}

    def form_valid(self, form):
        self.extra_email_context = self.get_extra_email_context()
        return super().form_valid(form)


class PasswordResetConfirmView(ActiveUserMixin, auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        record(AccessEvent.Kind.ACCOUNT, request=self.request, user=self.user, target=self.user, detail=DONE)
        return response


# Included at the root (config/urls.py): Django's views find each other by these names.
urlpatterns = [
    path("passwort/vergessen/", PasswordResetView.as_view(), name="password_reset"),
    path("passwort/vergessen/gesendet/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("passwort/neu/<uidb64>/<token>/", PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("passwort/neu/fertig/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
