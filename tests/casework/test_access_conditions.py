"""The visibility conditions are kept between requests (casework/access.py): what a person sees still follows
every change of sharing and membership at once, and a kept condition is never changed by the queries using it."""

import pytest
from django.db.models import Q
from django.urls import reverse

from casework import access
from casework.models import Consultation, ConsultationGroupObjectPermission
from casework.roles import ADVISOR, role_group

pytestmark = pytest.mark.django_db


def _consultation_page(client):
    return client.get(reverse("casework:consultation_list")).content.decode()


def test_a_kept_condition_follows_unsharing_at_once(client, people, records):
    partner = people["coordinator_lots"]
    client.force_login(partner)
    assert records["org_shared"].name in _consultation_page(client)
    kept = access._consultation_condition.cache_info().hits

    Consultation.objects.filter(pk=records["shared"].pk).update(shared_with=None)
    ConsultationGroupObjectPermission.objects.filter(content_object=records["shared"]).delete()

    page = _consultation_page(client)
    assert access._consultation_condition.cache_info().hits > kept  # the condition kept from before answered
    assert records["org_shared"].name not in page
    assert records["org_foreign"].name in page


def test_a_new_membership_is_seen_at_once(client, people, records, unit_mo):
    person = people["advisor_lots"]
    client.force_login(person)
    assert records["org_own"].name not in _consultation_page(client)

    person.groups.add(role_group(unit_mo, ADVISOR))

    page = _consultation_page(client)
    assert records["org_own"].name in page
    assert records["org_foreign"].name in page
    person.groups.remove(role_group(unit_mo, ADVISOR))
    assert records["org_own"].name not in _consultation_page(client)


def test_queries_leave_a_kept_condition_unchanged(people, records):
    coordinator = people["coordinator_mo"]
    condition = access._consultation_visibility(coordinator, access.Action.VIEW)
    before = condition.deconstruct()
    sql = str(access.consultations_visible_to(coordinator).query)
    combined = Consultation.objects.filter(condition | Q(pk=records["foreign"].pk), ~condition)
    assert list(combined) == [records["foreign"]]  # (visible or it) and not visible: it alone
    assert set(access.consultations_visible_to(coordinator)) == set(Consultation.objects.filter(unit__code="mo"))
    assert condition.deconstruct() == before
    assert str(access.consultations_visible_to(coordinator).query) == sql
    assert access._consultation_visibility(coordinator, access.Action.VIEW) is condition
