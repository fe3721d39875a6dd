"""Account views: keeping a session alive while a person works."""

import time

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST


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
