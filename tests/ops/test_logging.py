"""Structured logs: one JSON object per line, request lines without query strings or names."""

import json
import logging
import os
import sys

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from config.logging import JsonFormatter, stream_is_journal

PERSON = "Selin Kaya"


class Collect(logging.Handler):
    """Formats like production and keeps the lines."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter(journal_prefix=False))
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines():
    """The JSON lines logged while the test runs, request lines included (the tests log only warnings)."""
    handler = Collect()
    root, requests = logging.getLogger(), logging.getLogger("config.request")
    level = requests.level
    root.addHandler(handler)
    requests.setLevel(logging.INFO)
    yield handler.lines
    requests.setLevel(level)
    root.removeHandler(handler)


def test_settings_log_json_to_stdout():
    handler = settings.LOGGING["handlers"]["console"]
    assert handler["stream"] == "ext://sys.stdout"
    assert settings.LOGGING["formatters"][handler["formatter"]]["()"] == "config.logging.JsonFormatter"
    assert settings.MIDDLEWARE[0] == "config.logging.RequestLogMiddleware"


@pytest.mark.django_db
def test_a_search_request_is_logged_without_the_search_term(client, people, log_lines):
    client.force_login(people["advisor_mo"])
    response = client.get(reverse("casework:search"), {"q": PERSON})
    assert response.status_code == 200
    entries = [json.loads(line) for line in log_lines]  # every line is one JSON object
    request = next(e for e in entries if e["logger"] == "config.request")
    assert request["path"] == "/suche/" and request["method"] == "GET" and request["status"] == 200
    assert request["duration_ms"] >= 0 and request["level"] == "INFO" and request["time"].endswith("+00:00")
    assert request["request_id"] == response["X-Request-ID"]
    output = "\n".join(log_lines)
    assert "Selin" not in output and "Kaya" not in output and "q=" not in output
    assert "beratung-mo" not in output and "Aylin" not in output  # no user names


@pytest.mark.django_db
def test_the_calendar_token_is_masked(client, log_lines):
    client.get(reverse("casework:calendar_feed", kwargs={"token": "geheimes-token-123"}))
    request = json.loads(log_lines[-1])
    assert request["path"] == "/kalender/….ics" and "geheim" not in log_lines[-1]


@pytest.mark.django_db
def test_the_proxys_request_id_is_kept_and_a_forged_one_replaced(client, log_lines):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="0123456789abcdef")["X-Request-ID"] == "0123456789abcdef"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID='x"}\n{"level": "CRITICAL"')["X-Request-ID"]
    assert forged.isalnum() and len(forged) == 32
    assert all(json.loads(line)["level"] != "CRITICAL" for line in log_lines)


def test_the_request_object_django_attaches_does_not_leak():
    """django.request and django.security attach the request; its text carries the query string."""
    request = RequestFactory().get("/suche/", {"q": PERSON})
    record = logging.makeLogRecord(
        {
            "name": "django.request",
            "levelname": "WARNING",
            "levelno": logging.WARNING,
            "msg": "Not Found: %s",
            "args": (request.path,),
            "request": request,
            "status_code": 404,
            "username": "beratung-mo",
        }
    )
    line = JsonFormatter(journal_prefix=False).format(record)
    assert json.loads(line) == {
        "time": json.loads(line)["time"],
        "level": "WARNING",
        "logger": "django.request",
        "message": "Not Found: /suche/",
    }
    assert "Selin" not in line and "beratung" not in line


def test_a_traceback_stays_on_one_line():
    try:
        raise ValueError("kaputt")
    except ValueError:
        record = logging.makeLogRecord(
            {"name": "reports.generation", "levelname": "ERROR", "msg": "Report %s failed", "args": (7,)}
        )
        record.exc_info = sys.exc_info()
    line = JsonFormatter(journal_prefix=False).format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "Report 7 failed" and "ValueError: kaputt" in entry["exception"]


def test_under_systemd_the_line_carries_the_journal_priority(tmp_path, monkeypatch):
    record = logging.makeLogRecord({"name": "x", "levelname": "WARNING", "msg": "Achtung"})
    line = JsonFormatter(journal_prefix=True).format(record)
    assert line.startswith("<4>{") and json.loads(line[3:])["message"] == "Achtung"

    with open(tmp_path / "journal", "w") as stream:
        monkeypatch.delenv("JOURNAL_STREAM", raising=False)
        assert not stream_is_journal(stream)
        info = os.fstat(stream.fileno())
        monkeypatch.setenv("JOURNAL_STREAM", f"{info.st_dev}:{info.st_ino}")
        assert stream_is_journal(stream)
        monkeypatch.setenv("JOURNAL_STREAM", f"{info.st_dev}:{info.st_ino + 1}")  # inherited, but redirected
        assert not stream_is_journal(stream)


@pytest.mark.django_db
def test_only_whole_segments_are_masked(client, people, log_lines):
    client.force_login(people["coordinator_mo"])
    client.get(reverse("reports:report_download", args=[9999, "pdf"]))
    assert json.loads(log_lines[-1])["path"] == "/berichte/9999/…/"
