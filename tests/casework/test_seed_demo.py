from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory, override_settings

from casework.access import consultations_visible_to
from casework.models import Consultation, ConsultationGroupObjectPermission, Unit
from organisations.models import ContactPerson, Organisation
from reports.models import Report

LOGINS = ["beratung-mo", "koordination-mo", "beratung-lots", "koordination-lots", "admin"]
SMALL = ["--organisations", "12", "--consultations", "40"]

User = get_user_model()


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_refuses_without_debug():
    with pytest.raises(CommandError, match="DEBUG"):
        seed(*SMALL)
    assert not User.objects.filter(username__in=LOGINS).exists()
    assert not Organisation.objects.exists()
    assert not Consultation.objects.exists()


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_creates_logins_and_data():
    output = seed(*SMALL)

    assert "Demo-Zugänge (Passwort jeweils: demo)" in output
    request = RequestFactory().post("/login/")
    for username in LOGINS:
        assert username in output
        user = authenticate(request, username=username, password="demo")
        assert user is not None and user.username == username
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert admin.groups.filter(name="Administration").exists()
    assert User.objects.get(username="beratung-lots").groups.filter(name="Fachstelle Lots*innen – Beratung").exists()

    assert Organisation.objects.count() == 12
    assert Consultation.objects.count() == 40
    assert ContactPerson.objects.exists()
    mo, lots = Unit.objects.get(code="mo"), Unit.objects.get(code="lots")
    assert Organisation.objects.filter(kind=Organisation.Kind.GUIDE_PROJECT).exclude(host_type="").exists()
    assert Consultation.objects.filter(unit=mo).count() != Consultation.objects.filter(unit=lots).count()
    # Last year's report of each unit is in the archive, with its three files, for the coordinator to find.
    reports = Report.objects.prefetch_related("units", "files")
    assert sorted((r.scope, r.status, len(r.files.all())) for r in reports) == [("lots", "done", 3), ("mo", "done", 3)]
    assert {r.requested_by.username for r in reports} == {"koordination-mo", "koordination-lots"}
    for consultation in Consultation.objects.prefetch_related("topics", "advisors"):
        assert 1 <= consultation.topics.count() <= 4
        assert consultation.advisors.exists()
        assert consultation.duration_minutes % 15 == 0 and 30 <= consultation.duration_minutes <= 240
        assert 1 <= consultation.participants <= 8

    # Consultations of the MO unit shared with Lots are visible to a Lots advisor, via the real access code.
    shared_by_mo = Consultation.objects.filter(unit=mo, shared_with=lots)
    assert shared_by_mo.exists()
    assert ConsultationGroupObjectPermission.objects.filter(content_object__in=shared_by_mo).exists()
    advisor_lots = User.objects.get(username="beratung-lots")
    visible = consultations_visible_to(advisor_lots)
    assert set(shared_by_mo) <= set(visible)
    assert not visible.filter(unit=mo, shared_with__isnull=True).exists()
    assert visible.count() == Consultation.objects.filter(unit=lots).count() + shared_by_mo.count()
    advisor_mo = User.objects.get(username="beratung-mo")
    assert consultations_visible_to(advisor_mo).count() != visible.count()


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_second_run_does_not_duplicate():
    seed(*SMALL)
    counts = (User.objects.count(), Organisation.objects.count(), Consultation.objects.count())
    grants = ConsultationGroupObjectPermission.objects.count()

    output = seed(*SMALL)

    assert "bereits" in output
    assert "Demo-Zugänge (Passwort jeweils: demo)" in output
    assert (User.objects.count(), Organisation.objects.count(), Consultation.objects.count()) == counts
    assert ConsultationGroupObjectPermission.objects.count() == grants
    assert User.objects.get(username="admin").groups.count() == 1
