"""Catalogue entries in use are retired, never deleted, in the admin too."""

import pytest
from django.urls import reverse

from casework.models import CaseGoal, Topic
from organisations.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client, people):
    people["admin"].is_superuser = True
    people["admin"].save()
    client.force_login(people["admin"])


def test_topic_in_use_cannot_be_deleted(client, superuser, records):
    topic = records["own"].topics.first()
    url = reverse("admin:casework_topic_delete", args=[topic.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    # Nor through the list's bulk action.
    changelist = reverse("admin:casework_topic_changelist")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [topic.pk], "post": "yes"})
    assert Topic.objects.filter(pk=topic.pk).exists()
    assert records["own"].topics.filter(pk=topic.pk).exists()
    assert "delete_selected" not in client.get(changelist).content.decode()


def test_unused_topic_can_be_deleted(client, superuser, unit_mo):
    topic = Topic.objects.create(unit=unit_mo, name="Tippfehler", position=99)
    url = reverse("admin:casework_topic_delete", args=[topic.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Topic.objects.filter(pk=topic.pk).exists()


def test_goal_and_region_in_use_cannot_be_deleted(client, superuser, records):
    goal = records["case_own"].goal
    region = records["own"].region
    assert client.get(reverse("admin:casework_casegoal_delete", args=[goal.pk])).status_code == 403
    assert client.get(reverse("admin:organisations_region_delete", args=[region.pk])).status_code == 403
    assert CaseGoal.objects.filter(pk=goal.pk).exists() and Region.objects.filter(pk=region.pk).exists()
