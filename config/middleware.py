import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import resolve_url
from django.utils import translation

# Upper bound for how often an active session's expiry is pushed forward. Saving on every
# request would cost a database write per page; once a minute is accurate enough for an hour.
SESSION_REFRESH_SECONDS = 60

# Marker on the login redirect of a person whose session has ended (the login page says so).
SESSION_ENDED_PARAM = "sitzung"
SESSION_ENDED_VALUE = "abgelaufen"
# … and of a person whose session reached SESSION_ABSOLUTE_AGE while in use.
SESSION_LIFETIME_VALUE = "hoechstdauer"

# When the session's sign-in happened (seconds since the epoch); the absolute lifetime counts from it.
SESSION_SIGNED_IN_AT = "signed_in_at"


def mark_sign_in(sender, request, user, **kwargs):
    """Stamp the sign-in time. login() keeps the data of a re-used session, so the stamp is renewed here."""
    if getattr(request, "session", None) is not None:
        request.session[SESSION_SIGNED_IN_AT] = int(time.time())


# Connected here, beside the middleware that reads it: sign-ins pass through the middleware, so this
# module is loaded before the first one.
user_logged_in.connect(mark_sign_in, dispatch_uid="config.middleware.mark_sign_in")


def lifetime_exceeded(session, now) -> bool:
    """Whether the session's sign-in lies more than SESSION_ABSOLUTE_AGE back.

    A session signed in before the stamp existed starts counting at its next request.
    """
    signed_in_at = session.setdefault(SESSION_SIGNED_IN_AT, now)
    return now - signed_in_at >= settings.SESSION_ABSOLUTE_AGE


def session_refresh_seconds():
    """How often the expiry is renewed: a tenth of the timeout, at most once a minute.

    The timeout then counts from the last request within that margin, also for the short
    timeouts used in tests (with a fixed minute, a 40-second session ended while in use).
    """
    return max(1, min(SESSION_REFRESH_SECONDS, settings.SESSION_COOKIE_AGE // 10))


class SessionIdleTimeoutMiddleware:
    """Sessions expire after SESSION_COOKIE_AGE seconds without activity, and SESSION_ABSOLUTE_AGE after sign-in.

    Also tells the page how long the session has left (`request.session_seconds_left` and
    `request.session_age`, for the notice in base.html) and marks the login redirect of a person whose session has ended.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        # A session cookie that no longer signs anyone in belongs to a session that has ended.
        session_ended = bool(request.COOKIES.get(settings.SESSION_COOKIE_NAME)) and not request.user.is_authenticated
        ended_marker = SESSION_ENDED_VALUE
        now = int(time.time())
        if session is not None and request.user.is_authenticated and lifetime_exceeded(session, now):
            # However active the person is: the absolute lifetime ends the session (row deleted, cookie cleared).
            logout(request)
            session_ended, ended_marker = True, SESSION_LIFETIME_VALUE
        if session is not None and request.user.is_authenticated:
            if now - session.get("last_seen", 0) >= session_refresh_seconds():
                session["last_seen"] = now  # saving the session renews its expiry
            # The expiry was last pushed forward when `last_seen` was saved.
            request.session_age = settings.SESSION_COOKIE_AGE
            request.session_seconds_left = max(0, session["last_seen"] + settings.SESSION_COOKIE_AGE - now)
        response = self.get_response(request)
        if session_ended and is_login_redirect(response):
            response["Location"] = mark_session_ended(response["Location"], ended_marker)
        return response


def is_login_redirect(response):
    if response.status_code != 302 or "Location" not in response:
        return False
    return urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)


def mark_session_ended(location, value=SESSION_ENDED_VALUE):
    separator = "&" if "?" in location else "?"
    return f"{location}{separator}{SESSION_ENDED_PARAM}={value}"


class GermanFirstLocaleMiddleware(LocaleMiddleware):
    """German for everyone unless the person chose another language (language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an English
    browser would show an English interface the team does not use.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
