"""`GET /healthz` for monitoring: database reachable, migrations applied, a task worker alive.

No login, no records, no counts: the answer is the same for everyone and says only which check
failed. 200 {"status": "ok", "checks": {...}} when all pass, otherwise 503. At most three queries
(the migration table's existence and contents, the newest heartbeat).

A worker that was never seen counts as failing ("unknown"): on a server that is what a worker unit
that never started looks like, and monitoring must raise the alarm. In development `make run` starts
the worker beside the server, so its first beat comes within a second.
"""

import logging

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from reports.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

OK, FAILED = "ok", "error"


def database_check() -> str:
    try:
        connection.ensure_connection()
    except DatabaseError:
        logger.exception("Health check: database unreachable.")
        return FAILED
    return OK


def migrations_check() -> str:
    """Like `migrate --check`: "pending" while a migration of the code is not applied to the database."""
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        logger.exception("Health check: migrations could not be read.")
        return FAILED
    return "pending" if plan else OK


def worker_check() -> str:
    try:
        last_seen = WorkerHeartbeat.objects.aggregate(last=Max("last_seen"))["last"]
    except DatabaseError:
        logger.exception("Health check: worker heartbeat could not be read.")
        return FAILED
    if last_seen is None:
        return "unknown"
    return OK if last_seen >= timezone.now() - WorkerHeartbeat.DEAD_AFTER else "stale"


@never_cache
@require_safe
def healthz(request):
    checks = {"database": database_check()}
    if checks["database"] == OK:
        checks["migrations"] = migrations_check()
        # Before migrating, the heartbeat table may not exist yet: the migration check says enough.
        checks["worker"] = worker_check() if checks["migrations"] == OK else "unknown"
    else:
        checks["migrations"] = checks["worker"] = "unknown"
    healthy = all(state == OK for state in checks.values())
    if not healthy:
        logger.warning("Health check failed: %s", ", ".join(f"{name}={state}" for name, state in checks.items()))
    return JsonResponse({"status": OK if healthy else FAILED, "checks": checks}, status=200 if healthy else 503)
