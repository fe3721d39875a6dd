"""The rule for joint work, as scenarios: who may change what on a shared consultation, what the partner
sees of the organisation, the Kreis that follows the organisation, history without leaks, and roles that
survive renaming."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from casework import access
from casework.access import Action
from casework.models import Case, CaseGoal, Consultation, QualityCriterion, Topic, Unit
from organisations.models import Region
from tests.factories import ConsultationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def browser_data(response, **changes):
    """What a browser would send back: the rendered form's current values, with `changes` applied."""
    form = response.context["form"]
    data = {}
    for name, bound in form.fields.items():
        value = form[name].value()
        if isinstance(value, list | tuple):
            # Only the choices on the page can be checked.
            offered = {str(choice) for choice, _label in bound.choices}
            data[name] = [v for v in (bound.prepare_value(v) for v in value) if str(v) in offered]
        elif value is None:
            data[name] = ""
        else:
            data[name] = bound.prepare_value(value)
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def edit(client, consultation, **changes):
    url = reverse("casework:consultation_edit", kwargs={"pk": consultation.pk})
    return client.post(url, browser_data(client.get(url), **changes))


@pytest.fixture
def joint(people, unit_mo, unit_lots):
    """A joint consultation led by MO, with a case, a topic and an advisor of MO, shared with Lots."""
    organisation = OrganisationFactory(units=[unit_mo], name="Afghanischer Kulturverein Kassel e.V.")
    case = Case.objects.create(
        unit=unit_mo,
        organisation=organisation,
        title="Gründung begleiten",
        goal=CaseGoal.objects.filter(unit=unit_mo).first(),
        opened_on=datetime.date(2026, 1, 5),
    )
    consultation = ConsultationFactory(
        unit=unit_mo,
        shared_with=unit_lots,
        organisation=organisation,
        date=datetime.date(2026, 3, 2),
        advisors=[people["advisor_mo"]],
        topics=[Topic.objects.filter(unit=unit_mo).first()],
    )
    Consultation.objects.filter(pk=consultation.pk).update(case=case)
    consultation.refresh_from_db()
    return consultation


def test_partner_edits_the_narrative_and_the_leads_fields_stay(client, people, joint, unit_mo, unit_lots):
    lead_topic, lots_topic = joint.topics.get(), Topic.objects.filter(unit=unit_lots).first()
    before = Consultation.objects.values().get(pk=joint.pk)
    client.force_login(people["advisor_lots"])
    form = client.get(reverse("casework:consultation_edit", kwargs={"pk": joint.pk})).context["form"]
    assert {"organisation", "case", "shared_with", "unit", "date", "duration_minutes"}.isdisjoint(form.fields)
    assert lead_topic not in form.fields["topics"].queryset
    assert people["advisor_mo"] not in form.fields["advisors"].queryset

    other_org = OrganisationFactory(units=[unit_lots], name="Lotsenprojekt Fulda")
    response = edit(
        client,
        joint,
        summary="Gemeinsam mit den Lots*innen besprochen.",
        topics=[lots_topic.pk],
        advisors=[people["advisor_lots"].pk],
        # Fields of the lead a hand-made request might carry: all ignored.
        organisation=other_org.pk,
        shared_with="",
        case="",
        unit=unit_lots.pk,
        date="2026-03-01",
    )
    assert response.status_code == 302
    after = Consultation.objects.values().get(pk=joint.pk)
    assert after["summary"] == "Gemeinsam mit den Lots*innen besprochen."
    unchanged = ("organisation_id", "case_id", "shared_with_id", "unit_id", "date", "region_id", "duration_minutes")
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    assert set(joint.topics.all()) == {lead_topic, lots_topic}
    assert set(joint.advisors.all()) == {people["advisor_mo"], people["advisor_lots"]}

    # And the lead's next save keeps what the partner added.
    client.force_login(people["advisor_mo"])
    assert edit(client, joint, agreements="Nächster Termin im April.").status_code == 302
    assert set(joint.topics.all()) == {lead_topic, lots_topic}
    assert set(joint.advisors.all()) == {people["advisor_mo"], people["advisor_lots"]}


def test_partner_keeps_the_leads_quality_criteria(client, people, unit_lots, unit_mo):
    """Lots leads (it keeps criteria), MO is the partner: an MO save leaves the criteria alone."""
    criterion = QualityCriterion.objects.filter(area__unit=unit_lots).first()
    project = OrganisationFactory(units=[unit_lots], kind="guide_project", name="Lotsenprojekt Gießen")
    consultation = ConsultationFactory(
        unit=unit_lots, shared_with=unit_mo, organisation=project, advisors=[people["advisor_lots"]]
    )
    consultation.criteria.set([criterion])
    client.force_login(people["advisor_mo"])
    assert edit(client, consultation, summary="Ergänzt durch MO.").status_code == 302
    assert list(consultation.criteria.all()) == [criterion]


def test_partner_may_not_delete_or_unshare(client, people, joint, unit_lots):
    client.force_login(people["coordinator_lots"])
    assert client.post(reverse("casework:consultation_delete", kwargs={"pk": joint.pk})).status_code == 403
    edit(client, joint, shared_with="", summary="Versuch")
    joint.refresh_from_db()
    assert joint.shared_with == unit_lots
    assert Consultation.objects.filter(pk=joint.pk).exists()


def test_unsharing_takes_organisation_and_contacts_away_from_the_partner(client, people, joint, unit_lots):
    contact = joint.organisation.contacts.create(name="Farid Rahimi", function="Vorsitz", consent_date="2026-01-02")
    partner = people["advisor_lots"]
    organisation_url = reverse("organisations:organisation_detail", kwargs={"pk": joint.organisation_id})
    client.force_login(partner)
    page = client.get(organisation_url)
    assert page.status_code == 200 and "Farid Rahimi" in page.content.decode()
    # Seeing is not owning: the partner does not change the organisation or its contact persons.
    assert (
        client.get(reverse("organisations:organisation_edit", kwargs={"pk": joint.organisation_id})).status_code == 403
    )
    assert client.get(reverse("organisations:contact_edit", kwargs={"pk": contact.pk})).status_code == 403
    assert unit_lots not in joint.organisation.units.all()

    client.force_login(people["advisor_mo"])
    assert edit(client, joint, shared_with="").status_code == 302

    client.force_login(partner)
    assert client.get(organisation_url).status_code == 404
    assert client.get(reverse("organisations:contact_edit", kwargs={"pk": contact.pk})).status_code == 404
    assert client.get(reverse("casework:consultation_detail", kwargs={"pk": joint.pk})).status_code == 404
    assert not access.organisations_visible_to(partner).filter(pk=joint.organisation_id).exists()
    names = client.get(reverse("organisations:picker"), {"q": "Kulturverein"}).json()["results"]
    assert not names
    assert "Afghanischer" not in client.get(reverse("organisations:organisation_list")).content.decode()


def test_kreis_follows_the_organisation_and_the_date(client, people, unit_mo):
    hanau = Region.objects.get(name="Hanau")
    main_kinzig = Region.objects.get(name="Main-Kinzig-Kreis")
    kassel = OrganisationFactory(
        units=[unit_mo], region=Region.objects.get(name="Kassel (Stadt)"), name="Verein Kassel"
    )
    in_hanau = OrganisationFactory(units=[unit_mo], region=hanau, name="Verein Hanau")
    consultation = ConsultationFactory(
        unit=unit_mo, organisation=kassel, date=datetime.date(2026, 3, 2), advisors=[people["advisor_mo"]]
    )
    assert consultation.region.name == "Kassel (Stadt)"

    client.force_login(people["advisor_mo"])
    assert edit(client, consultation, organisation=in_hanau.pk).status_code == 302
    consultation.refresh_from_db()
    assert consultation.region == hanau
    # Before Hanau left the Main-Kinzig-Kreis (1 January 2026), its consultations count for the Kreis.
    assert edit(client, consultation, date="2025-11-20").status_code == 302
    consultation.refresh_from_db()
    assert consultation.region == main_kinzig


def test_history_names_only_what_the_viewer_may_see(client, people, unit_mo, unit_lots):
    """Lots logs at one of its own projects with a Lots case, then moves it to an organisation of both
    units and shares it: MO's coordinator sees the history, but not the Lots-only names it held before."""
    secret_org = OrganisationFactory(units=[unit_lots], kind="guide_project", name="Lotsenprojekt Geheimstadt")
    secret_case = Case.objects.create(
        unit=unit_lots,
        organisation=secret_org,
        title="Vertraulicher Aufbauplan",
        goal=CaseGoal.objects.filter(unit=unit_lots).first(),
        opened_on=datetime.date(2026, 1, 5),
    )
    consultation = ConsultationFactory(unit=unit_lots, organisation=secret_org, advisors=[people["advisor_lots"]])
    Consultation.objects.filter(pk=consultation.pk).update(case=secret_case)
    consultation.refresh_from_db()
    consultation.save()  # a history entry that holds the case
    mo_org = OrganisationFactory(units=[unit_mo, unit_lots], name="Verein der Vielfalt Wetzlar e.V.")
    client.force_login(people["coordinator_lots"])
    response = edit(client, consultation, organisation=mo_org.pk, shared_with=unit_mo.pk, case="")
    assert response.status_code == 302

    url = reverse("casework:consultation_detail", kwargs={"pk": consultation.pk})
    client.force_login(people["coordinator_mo"])
    page = client.get(url).content.decode()
    assert "Änderungshistorie" in page and "Verein der Vielfalt Wetzlar" in page
    assert "Geheimstadt" not in page and "Vertraulicher Aufbauplan" not in page
    assert "anderer Datensatz" in page
    # The lead's coordinator sees every name; advisors see no history at all.
    client.force_login(people["coordinator_lots"])
    assert "Lotsenprojekt Geheimstadt" in client.get(url).content.decode()
    client.force_login(people["advisor_mo"])
    assert client.get(url).context["history"] is None


def test_renaming_units_and_groups_changes_no_right(client, people, joint, unit_lots):
    Unit.objects.filter(pk=unit_lots.pk).update(short_name="Fachstelle WIR-Lots*innen", name="Neu benannt")
    for group in Group.objects.filter(role__unit=unit_lots):
        group.name = f"Umbenannt {group.pk}"
        group.save()
    client.force_login(people["advisor_mo"])
    assert edit(client, joint, summary="Nach der Umbenennung gespeichert.").status_code == 302
    partner = people["advisor_lots"]
    assert access.can_on_consultation(partner, Action.CHANGE, joint)
    client.force_login(partner)
    assert client.get(reverse("casework:consultation_detail", kwargs={"pk": joint.pk})).status_code == 200


def test_event_list_does_not_answer_for_foreign_organisations(client, people, records):
    event = records["event_shared"]  # joint: visible to both units
    event.organisations.set([records["org_foreign"]])
    client.force_login(people["advisor_mo"])
    url = reverse("casework:event_list")
    foreign = client.get(url, {"organisation": records["org_foreign"].pk})
    unknown = client.get(url, {"organisation": 987654})
    assert foreign.context["page"].paginator.count == unknown.context["page"].paginator.count == 0
    assert foreign.context["organisation"] is None
