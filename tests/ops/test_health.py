"""GET /healthz: database, migrations and worker heartbeat; open to all, cheap, never cached."""

import datetime
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client, override_settings
from django.utils import timezone

from reports.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

URL = "/healthz"


def heartbeat(seconds_ago: float, worker_id: str = "w-alive") -> WorkerHeartbeat:
    seen = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    return WorkerHeartbeat.objects.create(worker_id=worker_id, host="srv", pid=1, started_at=seen, last_seen=seen)


def test_all_checks_pass_in_at_most_three_queries(client, django_assert_max_num_queries):
    heartbeat(seconds_ago=5)
    with django_assert_max_num_queries(3):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "worker": "ok"}}
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert not response.cookies  # no session, no CSRF cookie


def test_one_living_worker_among_dead_ones_is_enough(client):
    heartbeat(seconds_ago=3600, worker_id="w-dead")
    heartbeat(seconds_ago=5)
    assert client.get(URL).status_code == 200


def test_database_unreachable(client):
    with mock.patch("config.health.connection") as connection:
        connection.ensure_connection.side_effect = OperationalError("connection refused")
        response = client.get(URL)
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": "error", "migrations": "unknown", "worker": "unknown"},
    }


def test_pending_migration(client):
    heartbeat(seconds_ago=5)
    # As after deploying code with a new migration: the newest one of an app is not applied yet.
    MigrationRecorder.Migration.objects.filter(app="reports").latest("name").delete()
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "migrations": "pending", "worker": "unknown"}


def test_pending_migration_in_the_executor_plan(client):
    heartbeat(seconds_ago=5)
    with mock.patch("config.health.MigrationExecutor") as executor:
        executor.return_value.migration_plan.return_value = [(mock.Mock(), False)]
        response = client.get(URL)
    assert response.status_code == 503 and response.json()["checks"]["migrations"] == "pending"


def test_stale_worker(client):
    heartbeat(seconds_ago=WorkerHeartbeat.DEAD_AFTER.total_seconds() + 5)
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": "ok", "migrations": "ok", "worker": "stale"},
    }


def test_no_worker_ever_seen_fails(client):
    response = client.get(URL)
    assert response.status_code == 503 and response.json()["checks"]["worker"] == "unknown"


def test_same_answer_signed_in_and_no_records_or_counts(client, people, records):
    heartbeat(seconds_ago=5)
    anonymous = client.get(URL).content
    client.force_login(people["coordinator_mo"])
    assert client.get(URL).content == anonymous
    body = anonymous.decode()
    assert not any(char.isdigit() for char in body)  # no counts, ids or ages
    assert "Kulturverein" not in body


def test_only_reads(client):
    heartbeat(seconds_ago=5)
    assert client.post(URL).status_code == 405
    assert client.head(URL).status_code == 200


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_from_local_monitoring_is_not_redirected():
    heartbeat(seconds_ago=5)
    client = Client()  # built inside the override, so SecurityMiddleware reads it
    assert client.get(URL).status_code == 200
    assert client.get("/anmelden/").status_code == 301  # everything else still goes to HTTPS


def test_unknown_host_is_refused(client):
    heartbeat(seconds_ago=5)
    assert client.get(URL, HTTP_HOST="evil.example").status_code == 400
