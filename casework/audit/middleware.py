"""The access log's middleware: makes the request known to model signals, and records denied access to records."""

from casework.audit.log import current_request, record
from casework.audit.models import AccessEvent

DENIED_STATUSES = frozenset({403, 404})


class AuditMiddleware:
    """Two small jobs around every request, neither of which queries the database on a normal page.

    - Keeps the request in `current_request` while it is answered: role and account changes are seen
      in model signals (casework.audit.receivers), which get no request, yet belong to a person and an
      address. A context variable is per thread and per asyncio task, and is reset after the request.
    - Records a 403 or 404 answer to a record's URL (one with a `pk` argument) as DENIED: the URL name
      as the target's kind, the pk as its id, the status as detail. Access to other records is probed
      this way; 404s of other URLs (mistyped addresses, static files) are not about a record.

    Placed after AuthenticationMiddleware (it names the signed-in person).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            if response.status_code in DENIED_STATUSES:
                self._record_denied(request, response)
            return response
        finally:
            current_request.reset(token)

    @staticmethod
    def _record_denied(request, response):
        match = getattr(request, "resolver_match", None)
        if match is None or "pk" not in match.kwargs:
            return
        record(
            AccessEvent.Kind.DENIED,
            request=request,
            target_kind=match.view_name,
            target_id=str(match.kwargs["pk"]),
            detail=str(response.status_code),
        )
