"""The access log's one writing function: what it keeps, and that entries are only ever appended."""

import datetime

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from casework.audit.log import purge_older_than, record
from casework.audit.models import AccessEvent
from tests.factories import ConsultationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_entry_names_person_address_and_record_but_copies_no_content(unit_mo):
    person = UserFactory(first_name="Çiğdem", last_name="Şahin")
    consultation = ConsultationFactory(unit=unit_mo, summary="Vertrauliche Notiz")
    request = RequestFactory().get("/beratungen/7/", REMOTE_ADDR="192.0.2.7")
    request.user = person
    entry = record(AccessEvent.Kind.DENIED, request=request, target=consultation, detail="404")
    entry.refresh_from_db()
    assert (entry.user, entry.user_label, entry.address) == (person, "Çiğdem Şahin", "192.0.2.7")
    assert (entry.target_kind, entry.target_id, entry.path) == ("consultation", str(consultation.pk), "/beratungen/7/")
    assert "Vertrauliche" not in str(AccessEvent.objects.values().get(pk=entry.pk))


def test_entries_are_never_changed_and_survive_their_person():
    person = UserFactory(first_name="Ayşe", last_name="Öztürk")
    entry = record(AccessEvent.Kind.SIGN_OUT, user=person)
    entry.detail = "geändert"
    with pytest.raises(ValueError):
        entry.save()
    person.delete()  # on PostgreSQL the guard lets exactly this change through: the reference emptied
    entry = AccessEvent.objects.get(kind=AccessEvent.Kind.SIGN_OUT)
    assert (entry.user, entry.user_label, entry.detail) == (None, "Ayşe Öztürk", "")


def test_a_failure_to_log_never_breaks_the_action(monkeypatch):
    monkeypatch.setattr(AccessEvent.objects, "create", lambda **kw: 1 / 0)
    assert record(AccessEvent.Kind.EXPORT) is None


def test_a_failed_insert_inside_a_transaction_leaves_the_transaction_usable(settings):
    """On PostgreSQL a failed statement aborts the transaction: the savepoint keeps the action alive."""
    settings.AXES_CLIENT_IP_CALLABLE = lambda request: "192.0.2.1"
    request = RequestFactory().get("/")
    with transaction.atomic():
        # A path too long for the column is cut, a detail too; a kind too long fails on PostgreSQL only.
        record("k" * 200, request=request)
        person = UserFactory()  # the transaction goes on
    assert type(person).objects.filter(pk=person.pk).exists()


def test_an_address_that_is_no_ip_address_is_left_out(settings):
    settings.AXES_CLIENT_IP_CALLABLE = lambda request: "unix:/run/gunicorn.sock"
    entry = record(AccessEvent.Kind.SIGN_IN, request=RequestFactory().get("/"))
    entry.refresh_from_db()
    assert entry.address is None


def test_the_calendar_token_in_a_path_is_masked(client, people):
    from casework.follow_ups.services import calendar_token_create

    token = calendar_token_create(user=people["advisor_mo"])
    client.get(reverse("casework:calendar_feed", kwargs={"token": token}))
    entry = AccessEvent.objects.get(kind=AccessEvent.Kind.DOWNLOAD)
    assert token not in entry.path
    assert entry.path == "/kalender/….ics"


def test_only_the_deletion_period_removes_entries():
    old = AccessEvent.objects.create(kind=AccessEvent.Kind.SIGN_IN, at=timezone.now() - datetime.timedelta(days=400))
    recent = record(AccessEvent.Kind.SIGN_IN)
    assert purge_older_than(timezone.now() - datetime.timedelta(days=365)) == 1
    assert not AccessEvent.objects.filter(pk=old.pk).exists()
    assert AccessEvent.objects.filter(pk=recent.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database guard exists on PostgreSQL only")
class TestDatabaseGuard:
    """The trigger of migration 0019: the database itself refuses changes the application must not make."""

    def test_updates_and_deletes_are_refused(self):
        from django.db import DatabaseError

        entry = record(AccessEvent.Kind.SIGN_IN)
        for change in (
            lambda: AccessEvent.objects.filter(pk=entry.pk).update(detail="geändert"),
            lambda: AccessEvent.objects.filter(pk=entry.pk).update(user=None, detail="x"),
            lambda: AccessEvent.objects.filter(pk=entry.pk).delete(),
            lambda: AccessEvent.objects.all().delete(),
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                change()
        assert AccessEvent.objects.filter(pk=entry.pk, detail="").exists()

    def test_the_purge_permission_ends_with_the_purge(self):
        from django.db import DatabaseError

        AccessEvent.objects.create(kind=AccessEvent.Kind.SIGN_IN, at=timezone.now() - datetime.timedelta(days=400))
        recent = record(AccessEvent.Kind.SIGN_IN)
        with transaction.atomic():
            assert purge_older_than(timezone.now() - datetime.timedelta(days=365)) == 1
            # Later in the same transaction the guard holds again.
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                AccessEvent.objects.filter(pk=recent.pk).delete()
        assert AccessEvent.objects.filter(pk=recent.pk).exists()

    def test_deleting_an_account_empties_only_the_reference(self):
        person = UserFactory(first_name="Ayşe", last_name="Öztürk")
        entry = record(AccessEvent.Kind.SIGN_IN, user=person)
        person.delete()
        assert AccessEvent.objects.values_list("user", "user_label").get(pk=entry.pk) == (None, "Ayşe Öztürk")
