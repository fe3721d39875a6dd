"""Structured logs: one JSON object per line on standard output, which journald keeps as it is.

Only the fields named in SAFE_FIELDS leave the process. Django attaches the request object to its
records (django.request, django.security), whose text carries the query string – search terms,
names; a list of what may go out cannot leak what nobody thought of, a list of what must not could.
Requests are logged by RequestLogMiddleware (method, path without query, status, duration, request
id); Django's own request loggers only report errors, never successful requests or their duration.
"""

import contextvars
import datetime
import json
import logging
import os
import re
import sys
import time
import uuid

# Fields a caller may pass with `extra=` (ids and figures only, never names or free text).
SAFE_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "worker_id", "report_id")

# syslog priorities: under systemd a "<3>" prefix sets the journal entry's priority (sd-daemon(3)),
# so `journalctl -p warning` works; journald strips the prefix.
SYSLOG_PRIORITY = {"DEBUG": 7, "INFO": 6, "WARNING": 4, "ERROR": 3, "CRITICAL": 2}

current_request_id = contextvars.ContextVar("request_id", default=None)


def stream_is_journal(stream) -> bool:
    """True when `stream` is connected to journald: systemd names it in JOURNAL_STREAM ("device:inode")."""
    expected = os.environ.get("JOURNAL_STREAM")
    if not expected:
        return False
    try:
        info = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return False
    return expected == f"{info.st_dev}:{info.st_ino}"


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time (UTC, ISO 8601), level, logger, message, safe extras, traceback."""

    def __init__(self, *args, journal_prefix: bool | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.journal_prefix = stream_is_journal(sys.stdout) if journal_prefix is None else journal_prefix

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id.get()
        if request_id:
            entry["request_id"] = request_id
        for field in SAFE_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        line = json.dumps(entry, ensure_ascii=False, default=str)
        if self.journal_prefix:
            return f"<{SYSLOG_PRIORITY.get(record.levelname, 6)}>{line}"
        return line


# A request id passed on by the proxy (nginx: `proxy_set_header X-Request-ID $request_id;`) links both
# logs; anything else is replaced, so a client cannot write into the log.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9-]{8,64}")

request_logger = logging.getLogger("config.request")


class RequestLogMiddleware:
    """One INFO line per request with its request id, method, path (no query), status and duration.

    First in MIDDLEWARE, so the duration covers all the others and even redirects of the security
    middleware are logged. Only ids appear in paths; the calendar feed's secret token does not.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if REQUEST_ID_PATTERN.fullmatch(offered) else uuid.uuid4().hex
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            request_logger.info(
                "%s %s %s",
                request.method,
                loggable_path(request),
                response.status_code,
                extra={
                    "method": request.method,
                    "path": loggable_path(request),
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            current_request_id.reset(token)


def loggable_path(request) -> str:
    """The path without query string; URL arguments other than numeric ids are masked (secret tokens)."""
    match = getattr(request, "resolver_match", None)
    path = request.path
    if match is None:
        return path
    for value in match.kwargs.values():
        if not isinstance(value, int) and str(value):
            # Whole path segments only (`/kalender/<token>.ics`), so a short value cannot garble the rest.
            path = re.sub(rf"(?<=/){re.escape(str(value))}(?=[/.]|$)", "…", path)
    return path
