"""Writing to the access log: the one function every feature calls, `record()`."""

import logging

from django.conf import settings

from casework.audit.models import AccessEvent
from casework.ui.labels import person_label

logger = logging.getLogger(__name__)


def record(kind, *, request=None, user=None, target=None, target_kind="", target_id="", detail=""):
    """Append one entry. `target` may be a model instance (its kind and id are taken, never its content).

    `user` defaults to the request's signed-in person; the address is the client address the login
    throttling uses (settings.AXES_CLIENT_IP_CALLABLE: X-Forwarded-For only behind a trusted proxy).
    Never raises: a failure to log is itself logged, and must not break what the person was doing.
    """
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    if target is not None:
        target_kind = target_kind or target._meta.model_name
        target_id = target_id or str(target.pk)
    try:
        return AccessEvent.objects.create(
            kind=kind,
            user=user,
            user_label=person_label(user)[:150] if user else "",
            address=_address(request),
            target_kind=target_kind[:40],
            target_id=str(target_id)[:40],
            path=(request.path if request is not None else "")[:300],
            detail=str(detail)[:300],
        )
    except Exception:  # noqa: BLE001 – logging must never break the action it records
        logger.exception("Could not write an access log entry of kind %s", kind)
        return None


def _address(request):
    if request is None:
        return None
    return settings.AXES_CLIENT_IP_CALLABLE(request) or None


def purge_older_than(cutoff) -> int:
    """Remove entries before `cutoff` (the log's own deletion period); the only deletion there is."""
    deleted, _by_model = AccessEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
