"""The real queue: a report waits in the database until `manage.py db_worker` generates it."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from reports.models import Report

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# A real transaction: the worker claims the task in its own transaction and checks its connection
# (which closes a connection inside a test transaction). Seeded rows are restored afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_request_only_queues_and_the_worker_generates(client, people, unit_mo):
    client.force_login(people["coordinator_mo"])
    with override_settings(TASKS=DATABASE_QUEUE):
        response = client.post(reverse("reports:report_create"), {"scope": "mo", "period_kind": "year", "year": "2025"})
        report = Report.objects.get()
        assert response.status_code == 302
        assert report.status == Report.Status.QUEUED and not report.files.exists()
        page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
        assert 'http-equiv="refresh"' in page

        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    report.refresh_from_db()
    assert report.status == Report.Status.DONE
    assert sorted(report.files.values_list("format", flat=True)) == ["csv", "pdf", "xlsx"]
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page and "SHA-256" in page
