"""The access log's one writing function: what it keeps, and that entries are only ever appended."""

import pytest
from django.test import RequestFactory

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
    assert "Vertrauliche" not in str(AccessEvent.objects.values().get())


def test_entries_are_never_changed_and_survive_their_person():
    person = UserFactory(first_name="Ayşe", last_name="Öztürk")
    entry = record(AccessEvent.Kind.SIGN_OUT, user=person)
    entry.detail = "geändert"
    with pytest.raises(ValueError):
        entry.save()
    person.delete()
    assert (AccessEvent.objects.get().user, AccessEvent.objects.get().user_label) == (None, "Ayşe Öztürk")


def test_a_failure_to_log_never_breaks_the_action(monkeypatch):
    monkeypatch.setattr(AccessEvent.objects, "create", lambda **kw: 1 / 0)
    assert record(AccessEvent.Kind.EXPORT) is None


def test_only_the_deletion_period_removes_entries():
    import datetime

    from django.utils import timezone

    old = record(AccessEvent.Kind.SIGN_IN)
    AccessEvent.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=400))
    record(AccessEvent.Kind.SIGN_IN)
    assert purge_older_than(timezone.now() - datetime.timedelta(days=365)) == 1
    assert AccessEvent.objects.count() == 1
