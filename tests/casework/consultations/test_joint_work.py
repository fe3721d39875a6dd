"""Issue 10 on consultations: advisors of both units on a joint consultation, "Ich berate mit",
the quality criteria shown on the consultation page, and at least one participant."""

import datetime

import pytest
from django.urls import reverse

from casework.models import Consultation, QualityCriterion, Topic
from tests.casework.consultations.test_consultations import form_data
from tests.casework.consultations.test_sharing import browser_data
from tests.factories import ConsultationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def join_url(consultation):
    return reverse("casework:consultation_join", kwargs={"pk": consultation.pk})


def test_lead_chooses_advisors_of_both_units_on_a_joint_consultation(client, people, records, unit_mo, unit_lots):
    client.force_login(people["advisor_mo"])
    create = reverse("casework:consultation_create")
    form = client.get(create).context["form"]
    offered = form.fields["advisors"].queryset
    assert {people["advisor_mo"], people["advisor_lots"]} <= set(offered)
    assert people["admin"] not in offered
    # The other unit's people carry its name.
    labels = dict(form.fields["advisors"].choices)
    assert labels[people["advisor_lots"].pk] == f"beratung-lots ({unit_lots.short_name})"
    assert labels[people["advisor_mo"].pk] == "Aylin Demir"

    topic = Topic.objects.filter(unit=unit_mo).first()
    advisors = [people["advisor_mo"], people["advisor_lots"]]
    data = form_data(records["org_own"], unit_mo, [topic], advisors, shared_with=unit_lots.pk)
    assert client.post(create, data).status_code == 302
    consultation = Consultation.objects.latest("id")
    assert set(consultation.advisors.all()) == set(advisors)


def test_advisor_of_the_other_unit_needs_sharing(client, people, records, unit_mo):
    client.force_login(people["advisor_mo"])
    before = Consultation.objects.count()
    topic = Topic.objects.filter(unit=unit_mo).first()
    data = form_data(records["org_own"], unit_mo, [topic], [people["advisor_mo"], people["advisor_lots"]])
    response = client.post(reverse("casework:consultation_create"), data)
    assert response.status_code == 200
    assert "nur bei einer gemeinsamen Beratung" in str(response.context["form"].errors["advisors"])
    assert Consultation.objects.count() == before


def test_partner_form_offers_own_advisors_and_keeps_the_leads(client, people, records, unit_lots):
    shared = records["shared"]
    client.force_login(people["advisor_lots"])
    url = reverse("casework:consultation_edit", kwargs={"pk": shared.pk})
    response = client.get(url)
    offered = set(response.context["form"].fields["advisors"].queryset)
    assert people["advisor_lots"] in offered
    assert people["advisor_mo"] not in offered
    data = browser_data(response, advisors=[people["advisor_lots"].pk, people["coordinator_lots"].pk])
    assert client.post(url, data).status_code == 302
    assert set(shared.advisors.all()) == {people["advisor_mo"], people["advisor_lots"], people["coordinator_lots"]}


def test_partner_advisor_joins_with_one_click_once(client, people, records):
    shared = records["shared"]
    advisor = people["advisor_lots"]
    client.force_login(advisor)
    detail = reverse("casework:consultation_detail", kwargs={"pk": shared.pk})
    page = client.get(detail)
    assert page.context["can_join"]
    assert join_url(shared) in page.content.decode()
    version, entries = shared.version, shared.history.count()

    response = client.post(join_url(shared))
    assert response.status_code == 302
    assert response["Location"] == detail
    shared.refresh_from_db()
    assert set(shared.advisors.all()) == {people["advisor_mo"], advisor}
    assert shared.version == version + 1
    assert shared.history.count() == entries + 1
    latest = shared.history.latest("history_id")
    assert latest.history_user == advisor
    assert {row.user_id for row in latest.advisors.all()} == {people["advisor_mo"].pk, advisor.pk}

    # A second click changes nothing, and the page no longer offers the button.
    client.post(join_url(shared))
    shared.refresh_from_db()
    assert (shared.version, shared.history.count(), shared.advisors.count()) == (version + 1, entries + 1, 2)
    assert not client.get(detail).context["can_join"]


def test_only_the_partner_unit_joins(client, people, records):
    for person, consultation, status in [
        (people["advisor_mo"], records["shared"], 403),  # the lead edits the form instead
        (people["advisor_lots"], records["foreign"], 403),  # own unit's record, not shared
        (people["advisor_lots"], records["own"], 404),
        (people["admin"], records["shared"], 403),  # not an advisor of a unit
    ]:
        client.force_login(person)
        before = set(consultation.advisors.all())
        assert client.post(join_url(consultation)).status_code == status
        assert set(consultation.advisors.all()) == before
    client.force_login(people["advisor_mo"])
    assert not client.get(reverse("casework:consultation_detail", kwargs={"pk": records["shared"].pk})).context[
        "can_join"
    ]


def test_join_refuses_a_form_loaded_before(client, people, records):
    """The join raises the version: the lead's older form cannot silently drop the new advisor."""
    shared = records["shared"]
    client.force_login(people["advisor_mo"])
    url = reverse("casework:consultation_edit", kwargs={"pk": shared.pk})
    stale = browser_data(client.get(url), summary="Alte Fassung")
    client.force_login(people["advisor_lots"])
    client.post(join_url(shared))
    client.force_login(people["advisor_mo"])
    assert client.post(url, stale).status_code == 200
    assert people["advisor_lots"] in shared.advisors.all()


def test_detail_shows_quality_criteria_grouped_by_area(client, people, unit_lots):
    organisation = OrganisationFactory(units=[unit_lots], name="Lotsenprojekt Fulda", kind="guide_project")
    consultation = ConsultationFactory(unit=unit_lots, organisation=organisation, date=datetime.date(2026, 3, 2))
    criteria = list(QualityCriterion.objects.filter(area__unit=unit_lots).select_related("area")[:40])
    first_area = criteria[0].area
    other = next(c for c in criteria if c.area_id != first_area.pk)
    chosen = [c for c in criteria if c.area_id == first_area.pk][:2] + [other]
    consultation.criteria.set(chosen)
    client.force_login(people["advisor_lots"])
    response = client.get(reverse("casework:consultation_detail", kwargs={"pk": consultation.pk}))
    groups = response.context["criteria_by_area"]
    assert [area for area, _criteria in groups] == [first_area, other.area]
    assert groups[0][1] == chosen[:2]
    html = response.content.decode()
    assert "Bearbeitete Qualitätskriterien" in html
    for criterion in chosen:
        assert criterion.text in html
    assert 'class="unit-border-lots' in html
    assert html.index(first_area.name) < html.index(other.area.name)


def test_detail_without_criteria_shows_no_section(client, people, records):
    client.force_login(people["advisor_mo"])
    response = client.get(reverse("casework:consultation_detail", kwargs={"pk": records["own"].pk}))
    assert response.context["criteria_by_area"] == []
    assert "Bearbeitete Qualitätskriterien" not in response.content.decode()


@pytest.mark.parametrize("participants", ["0", "-1"])
def test_a_consultation_has_at_least_one_participant(client, people, records, unit_mo, participants):
    client.force_login(people["advisor_mo"])
    before = Consultation.objects.count()
    topic = Topic.objects.filter(unit=unit_mo).first()
    data = form_data(records["org_own"], unit_mo, [topic], [people["advisor_mo"]], participants=participants)
    response = client.post(reverse("casework:consultation_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["participants"]
    assert Consultation.objects.count() == before


def test_zero_participants_message_is_german(client, people, records, unit_mo):
    client.force_login(people["advisor_mo"])
    topic = Topic.objects.filter(unit=unit_mo).first()
    data = form_data(records["org_own"], unit_mo, [topic], [people["advisor_mo"]], participants="0")
    response = client.post(reverse("casework:consultation_create"), data)
    assert response.context["form"].errors["participants"] == ["An einer Beratung nimmt mindestens eine Person teil."]
