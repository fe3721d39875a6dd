import datetime

import pytest
from django.urls import reverse

from casework import access
from casework.access import Action
from casework.follow_ups import services as follow_up_services
from casework.models import Consultation, ConsultationGroupObjectPermission, Topic

pytestmark = pytest.mark.django_db


def loaded_version(consultation):
    """What the edit form carries: the version the person loaded."""
    return Consultation.objects.values_list("version", flat=True).get(pk=consultation.pk)


def form_data(organisation, unit, topics, advisors, **overrides):
    data = {
        "unit": unit.pk,
        "shared_with": "",
        "organisation": organisation.pk,
        "date": "2026-03-10",
        "duration_minutes": "90",
        "format": "office",
        "initiated_by": "organisation",
        "participants": "3",
        "topics": [t.pk for t in topics],
        "advisors": [a.pk for a in advisors],
        "summary": "Gemeinnützigkeit und Satzungsänderung besprochen.",
        "agreements": "Satzung bis April überarbeiten.",
        "follow_up_date": "2026-04-15",
        "follow_up_what": "Satzungsentwurf nachfragen",
    }
    data.update(overrides)
    return data


def test_advisor_logs_consultation(client, people, records, unit_mo):
    advisor = people["advisor_mo"]
    client.force_login(advisor)
    topic = Topic.objects.get(unit=unit_mo, name="Gemeinnützigkeit und Steuern")
    joint = Topic.objects.filter(unit__isnull=True).first()
    response = client.post(
        reverse("casework:consultation_create"),
        form_data(records["org_own"], unit_mo, [topic, joint], [advisor]),
    )
    assert response.status_code == 302
    consultation = Consultation.objects.latest("id")
    assert response["Location"] == reverse("casework:consultation_detail", kwargs={"pk": consultation.pk})
    assert consultation.unit == unit_mo
    assert consultation.created_by == advisor
    assert consultation.region == records["org_own"].region
    assert set(consultation.topics.all()) == {topic, joint}
    assert list(consultation.advisors.all()) == [advisor]
    assert consultation.history.count() == 1
    follow_up = consultation.follow_ups.get()
    assert (follow_up.due_on, follow_up.what, follow_up.assigned_to) == (
        datetime.date(2026, 4, 15),
        "Satzungsentwurf nachfragen",
        advisor,
    )
    assert consultation.history.first().history_user == advisor


def test_form_offers_only_own_unit_and_joint_topics(client, people, unit_lots):
    client.force_login(people["advisor_mo"])
    form = client.get(reverse("casework:consultation_create")).context["form"]
    topics = form.fields["topics"].queryset
    assert topics.exists()
    assert not topics.filter(unit=unit_lots).exists()
    assert topics.filter(unit__isnull=True).exists()
    assert list(form.fields["unit"].queryset.values_list("code", flat=True)) == ["mo"]


def test_foreign_topic_is_rejected(client, people, records, unit_mo, unit_lots):
    client.force_login(people["advisor_mo"])
    foreign_topic = Topic.objects.filter(unit=unit_lots).first()
    before = Consultation.objects.count()
    response = client.post(
        reverse("casework:consultation_create"),
        form_data(records["org_own"], unit_mo, [foreign_topic], [people["advisor_mo"]]),
    )
    assert response.status_code == 200
    assert "topics" in response.context["form"].errors
    assert Consultation.objects.count() == before


def test_retired_topic_is_not_offered_but_kept_on_old_records(client, people, records, unit_mo):
    consultation = records["own"]
    topic = consultation.topics.first()
    topic.retired_at = datetime.date(2026, 1, 1)
    topic.save()
    client.force_login(people["advisor_mo"])
    create_form = client.get(reverse("casework:consultation_create")).context["form"]
    assert topic not in create_form.fields["topics"].queryset
    edit_form = client.get(reverse("casework:consultation_edit", kwargs={"pk": consultation.pk})).context["form"]
    assert topic in edit_form.fields["topics"].queryset


def test_foreign_organisation_is_rejected(client, people, records, unit_mo):
    client.force_login(people["advisor_mo"])
    before = Consultation.objects.count()
    response = client.post(
        reverse("casework:consultation_create"),
        form_data(records["org_foreign"], unit_mo, [], [people["advisor_mo"]]),
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert Consultation.objects.count() == before


def test_sharing_grants_and_revokes_partner_access(client, people, records, unit_mo, unit_lots):
    advisor_lots = people["advisor_lots"]
    consultation = records["own"]
    assert not access.consultations_visible_to(advisor_lots).filter(pk=consultation.pk).exists()

    client.force_login(people["advisor_mo"])
    topics = list(consultation.topics.all())
    data = form_data(consultation.organisation, unit_mo, topics, [people["advisor_mo"]], shared_with=unit_lots.pk)
    data["loaded_version"] = loaded_version(consultation)
    response = client.post(reverse("casework:consultation_edit", kwargs={"pk": consultation.pk}), data)
    assert response.status_code == 302
    assert access.consultations_visible_to(advisor_lots).filter(pk=consultation.pk).exists()
    assert access.can_on_consultation(advisor_lots, Action.CHANGE, consultation)
    assert not access.can_on_consultation(advisor_lots, Action.DELETE, consultation)
    # Only the lead unit deletes; the partner sees the organisation without it becoming the partner's.
    assert not access.can_on_consultation(people["coordinator_lots"], Action.DELETE, consultation)
    assert unit_lots not in consultation.organisation.units.all()
    assert access.organisations_visible_to(advisor_lots).filter(pk=consultation.organisation_id).exists()

    data["shared_with"] = ""
    data["loaded_version"] = loaded_version(consultation)
    client.post(reverse("casework:consultation_edit", kwargs={"pk": consultation.pk}), data)
    assert not access.consultations_visible_to(advisor_lots).filter(pk=consultation.pk).exists()
    assert not ConsultationGroupObjectPermission.objects.filter(content_object=consultation).exists()
    assert not access.organisations_visible_to(advisor_lots).filter(pk=consultation.organisation_id).exists()


def test_grants_per_shared_record_stay_few(records):
    """Sharing adds a handful of rows per shared record (see and edit, per role group); unshared records none."""
    assert ConsultationGroupObjectPermission.objects.filter(content_object=records["own"]).count() == 0
    assert ConsultationGroupObjectPermission.objects.filter(content_object=records["shared"]).count() == 4


def test_history_shown_to_coordinators_only(client, people, records, unit_mo):
    consultation = records["own"]
    client.force_login(people["advisor_mo"])
    data = form_data(consultation.organisation, unit_mo, list(consultation.topics.all()), [people["advisor_mo"]])
    data["summary"] = "Neue Zusammenfassung"
    data["loaded_version"] = loaded_version(consultation)
    client.post(reverse("casework:consultation_edit", kwargs={"pk": consultation.pk}), data)
    url = reverse("casework:consultation_detail", kwargs={"pk": consultation.pk})
    assert client.get(url).context["history"] is None

    client.force_login(people["coordinator_mo"])
    history = client.get(url).context["history"]
    assert history[0].kind == "geändert"
    assert history[0].who == "Aylin Demir"
    changed = {label for label, _old, _new in history[0].changes}
    assert "Zusammenfassung" in changed
    assert history[-1].kind == "angelegt"
    assert b"Neue Zusammenfassung" in client.get(url).content


def test_coordinator_deletes_with_confirmation(client, people, records):
    consultation = records["own"]
    client.force_login(people["coordinator_mo"])
    url = reverse("casework:consultation_delete", kwargs={"pk": consultation.pk})
    page = client.get(url)
    assert "Endgültig löschen" in page.content.decode()
    assert Consultation.objects.filter(pk=consultation.pk).exists()
    client.post(url)
    assert not Consultation.objects.filter(pk=consultation.pk).exists()
    assert consultation.history.filter(history_type="-").exists()


def test_list_filters(client, people, records, unit_mo, unit_lots):
    client.force_login(people["coordinator_lots"])
    url = reverse("casework:consultation_list")
    assert client.get(url, {"unit": unit_lots.pk}).context["page"].paginator.count == 3
    assert client.get(url, {"organisation": records["org_shared"].pk}).context["page"].paginator.count == 1
    assert client.get(url, {"date_from": "2026-03-03"}).context["page"].paginator.count == 0
    assert client.get(url, {"date_to": "2026-03-02", "format": "office"}).context["page"].paginator.count == 3
    assert client.get(url, {"advisor": people["advisor_lots"].pk}).context["page"].paginator.count == 1
    assert client.get(url, {"q": "Amtsgericht"}).context["page"].paginator.count == 3
    assert client.get(url, {"q": "gibt es nicht"}).context["page"].paginator.count == 0


def test_home_shows_own_recent_and_follow_ups(client, people, records, unit_mo):
    consultation = records["own"]
    advisor = people["advisor_mo"]
    due = follow_up_services.follow_up_create(
        owner=consultation, due_on=datetime.date(2026, 3, 5), what="Satzung prüfen", assigned_to=advisor, by=advisor
    )
    hidden = follow_up_services.follow_up_create(
        owner=records["foreign"], due_on=datetime.date(2026, 3, 5), what="fremd", assigned_to=advisor, by=advisor
    )
    client.force_login(advisor)
    response = client.get(reverse("casework:home"))
    assert consultation in list(response.context["recent"])
    # Only follow-ups on records the person may see; a foreign one stays hidden even if assigned.
    shown = set(response.context["follow_ups"])
    assert shown == {due, records["follow_up_own"], records["follow_up_shared"]}
    assert hidden not in shown
    assert "überfällig" in response.content.decode()


def test_consultation_links_case_and_quality_criteria(client, people, records, unit_lots):
    advisor = people["advisor_lots"]
    client.force_login(advisor)
    case = records["case_foreign"]
    criterion = records["quality_criterion_foreign"]
    url = reverse("casework:consultation_create") + f"?organisation={case.organisation_id}&case={case.pk}"
    form = client.get(url).context["form"]
    assert list(form.fields["case"].queryset) == [case]
    assert criterion in form.fields["criteria"].queryset
    topic = Topic.objects.filter(unit=unit_lots).first()
    response = client.post(
        url, form_data(case.organisation, unit_lots, [topic], [advisor], case=case.pk, criteria=[criterion.pk])
    )
    assert response.status_code == 302
    consultation = Consultation.objects.latest("id")
    assert consultation.case == case
    assert list(consultation.criteria.all()) == [criterion]


def test_mo_form_has_no_quality_criteria_and_rejects_foreign_case(client, people, records, unit_mo):
    advisor = people["advisor_mo"]
    client.force_login(advisor)
    assert "criteria" not in client.get(reverse("casework:consultation_create")).context["form"].fields
    before = Consultation.objects.count()
    data = form_data(records["org_own"], unit_mo, list(unit_mo.topics.all()[:1]), [advisor])
    data["case"] = records["case_foreign"].pk
    response = client.post(reverse("casework:consultation_create"), data)
    assert "case" in response.context["form"].errors
    assert Consultation.objects.count() == before
