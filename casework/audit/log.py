"""Writing to the access log: the one function every feature calls, `record()`."""

import contextlib
import contextvars
import ipaddress
import logging

from django.conf import settings
from django.db import connections, transaction

from casework.audit.models import AccessEvent
from casework.ui.labels import person_label
from config.logging import loggable_path

logger = logging.getLogger(__name__)

# The request being answered, for events raised where no request is at hand (model signals: a role
# changed in the Django admin). Set by casework.audit.middleware.AuditMiddleware, reset after each
# request; outside a request (management commands, the shell) it is None and entries have no address.
current_request = contextvars.ContextVar("audit_request", default=None)

# PostgreSQL refuses UPDATE and DELETE on the log (migration 0019's trigger) unless purge sets this
# for its own transaction (set_config(…, is_local=true)).
PURGE_SETTING = "vielfalt.access_log_purge"


def record(kind, *, request=None, user=None, target=None, target_kind="", target_id="", detail=""):
    """Append one entry. `target` may be a model instance (its kind and id are taken, never its content).

    `user` defaults to the request's signed-in person; the address is the client address the login
    throttling uses (settings.AXES_CLIENT_IP_CALLABLE: X-Forwarded-For only behind a trusted proxy).
    Never raises: a failure to log is itself logged, and must not break what the person was doing.
    """
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    return append(
        kind, request=request, user=user, target=target, target_kind=target_kind, target_id=target_id, detail=detail
    )


def append(kind, *, request, user, target=None, target_kind="", target_id="", detail=""):
    """`record()` without taking the person from the request (for a person deleting their own account)."""
    if target is not None:
        target_kind = target_kind or target._meta.model_name
        target_id = target_id or str(target.pk)
    try:
        connection = connections[AccessEvent.objects.db]
        # Inside a transaction a failed INSERT would abort it on PostgreSQL (and with it the action being
        # logged): a savepoint confines the failure. Outside one, no savepoint (no extra queries).
        with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
            return AccessEvent.objects.create(
                kind=kind,
                user=user,
                user_label=person_label(user)[:150] if user else "",
                address=_address(request),
                target_kind=target_kind[:40],
                target_id=str(target_id)[:40],
                # Secret URL arguments (the calendar feed's token) are masked, as in the request log.
                path=(loggable_path(request) if request is not None else "")[:300],
                detail=str(detail)[:300],
            )
    except Exception:  # noqa: BLE001 – logging must never break the action it records
        logger.exception("Could not write an access log entry of kind %s", kind)
        return None


def _address(request):
    if request is None:
        return None
    raw = settings.AXES_CLIENT_IP_CALLABLE(request)
    try:
        return str(ipaddress.ip_address(raw)) if raw else None
    except ValueError:  # e.g. a Unix socket's empty or odd REMOTE_ADDR: no address rather than no entry
        return None


def purge_older_than(cutoff) -> int:
    """Remove entries before `cutoff` (the log's own deletion period); the only deletion there is."""
    queryset = AccessEvent.objects.filter(at__lt=cutoff)
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        deleted, _by_model = queryset.delete()
        return deleted
    # The permission lasts only for this transaction (or savepoint: a rollback takes it back too)
    # and is withdrawn at once, so nothing else in an enclosing transaction may delete entries.
    with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SETTING])
        deleted, _by_model = queryset.delete()
        cursor.execute("SELECT set_config(%s, 'off', true)", [PURGE_SETTING])
    return deleted
