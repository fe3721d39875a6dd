import time

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

# How often an active session's expiry is pushed forward. Saving on every request would
# cost a database write per page; once a minute keeps the idle timeout accurate enough.
SESSION_REFRESH_SECONDS = 60


class SessionIdleTimeoutMiddleware:
    """Sessions expire after SESSION_COOKIE_AGE seconds without activity."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated:
            now = int(time.time())
            if now - session.get("last_seen", 0) >= SESSION_REFRESH_SECONDS:
                session["last_seen"] = now  # saving the session renews its expiry
        return self.get_response(request)


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
