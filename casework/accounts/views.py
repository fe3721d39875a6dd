"""Account views: keeping a session alive while a person works; the person's own settings."""

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from casework.accounts import notify
from casework.accounts.forms import NotificationSettingsForm


@login_required
@require_POST
@never_cache
def session_keepalive(request):
    """'Angemeldet bleiben' in the session notice: renew the session's expiry now.

    Touches no records. Saving the session (a changed value) pushes its expiry forward by the
    full SESSION_COOKIE_AGE; static/js/session.js counts from the moment of the answer.
    """
    request.session["last_seen"] = int(time.time())
    return HttpResponse(status=204)


@login_required
@require_http_methods(["GET", "POST"])
def account_settings(request):
    """'Meine Einstellungen': which e-mails the person gets. Only ever their own settings."""
    # Not `request.POST or None`: a POST with both boxes unticked is empty, and must still save.
    data = request.POST if request.method == "POST" else None
    form = NotificationSettingsForm(data, instance=notify.settings_for(request.user))
    if form.is_valid():
        form.save()
        messages.success(request, _("Ihre Einstellungen wurden gespeichert."))
        return redirect("casework:account_settings")
    return render(request, "casework/accounts/settings.html", {"form": form})
