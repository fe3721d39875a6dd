import pytest
from django.urls import reverse

from organisations.models import ContactPerson, Organisation, Region

pytestmark = pytest.mark.django_db


def organisation_data(unit, **overrides):
    data = {
        "name": "Syrischer Elternverein Gießen e.V.",
        "kind": "migrant_org",
        "legal_form": "ev",
        "charitable_status": "applied",
        "founding_year": "2016",
        "region": Region.objects.get(name="Gießen").pk,
        "municipality": "Gießen",
        "website": "verein.example",
        "units": [unit.pk],
    }
    data.update(overrides)
    return data


def test_register_organisation_then_log_consultation(client, people, unit_mo):
    client.force_login(people["advisor_mo"])
    form_page = client.get(reverse("casework:consultation_create"))
    assert "?weiter=beratung" in form_page.content.decode()
    response = client.post(
        reverse("organisations:organisation_create") + "?weiter=beratung", organisation_data(unit_mo)
    )
    organisation = Organisation.objects.get(name="Syrischer Elternverein Gießen e.V.")
    assert response["Location"] == reverse("casework:consultation_create") + f"?organisation={organisation.pk}"
    assert organisation.website == "https://verein.example"
    assert organisation.created_by == people["advisor_mo"]
    assert list(organisation.units.all()) == [unit_mo]
    assert organisation.history.count() == 1
    # The consultation form opens with the new organisation chosen.
    form = client.get(response["Location"]).context["form"]
    assert form.fields["organisation"].widget.choices[-1][0] == organisation.pk


def test_create_form_preselects_own_unit(client, people, unit_mo):
    client.force_login(people["advisor_mo"])
    form = client.get(reverse("organisations:organisation_create")).context["form"]
    assert form.initial["units"] == [unit_mo.pk]


def test_edit_keeps_links_to_units_the_editor_cannot_write(client, people, records, unit_mo, unit_lots):
    organisation = records["org_shared"]
    organisation.units.add(unit_lots)
    client.force_login(people["advisor_mo"])
    data = organisation_data(unit_mo, name=organisation.name, units=[unit_mo.pk], loaded_version=organisation.version)
    response = client.post(reverse("organisations:organisation_edit", kwargs={"pk": organisation.pk}), data)
    assert response.status_code == 302
    assert set(organisation.units.all()) == {unit_mo, unit_lots}


def test_history_of_organisation_for_coordinators(client, people, records, unit_mo):
    organisation = records["org_own"]
    client.force_login(people["advisor_mo"])
    data = organisation_data(unit_mo, name="Kulturverein Anatolien Frankfurt e.V.", loaded_version=organisation.version)
    client.post(reverse("organisations:organisation_edit", kwargs={"pk": organisation.pk}), data)
    url = reverse("organisations:organisation_detail", kwargs={"pk": organisation.pk})
    assert client.get(url).context["history"] is None
    client.force_login(people["coordinator_mo"])
    latest = client.get(url).context["history"][0]
    assert latest.who == "Aylin Demir"
    assert ("Name", "Kulturverein Anatolien e.V.", "Kulturverein Anatolien Frankfurt e.V.") in latest.changes


def test_contact_person_lifecycle(client, people, records):
    organisation = records["org_own"]
    client.force_login(people["advisor_mo"])
    client.post(
        reverse("organisations:contact_create", kwargs={"pk": organisation.pk}),
        {
            "name": "Leyla Aydın",
            "function": "Kassenwartin",
            "email": "leyla@verein.example",
            "consent_date": "2026-02-01",
        },
    )
    contact = organisation.contacts.get(name="Leyla Aydın")
    client.post(
        reverse("organisations:contact_edit", kwargs={"pk": contact.pk}),
        {"name": "Leyla Aydın", "function": "Vorsitzende", "consent_date": "2026-02-01", "loaded_version": 1},
    )
    contact.refresh_from_db()
    assert contact.function == "Vorsitzende"
    assert contact.email == ""
    # Advisors record contact persons; coordinators delete them.
    delete_url = reverse("organisations:contact_delete", kwargs={"pk": contact.pk})
    assert client.post(delete_url).status_code == 403
    assert organisation.contacts.filter(pk=contact.pk).exists()
    client.force_login(people["coordinator_mo"])
    client.post(delete_url)
    assert not organisation.contacts.filter(pk=contact.pk).exists()
    # Erased for good: no copy of the personal data stays behind in the history.
    assert not ContactPerson.history.filter(id=contact.pk).exists()


def test_organisation_filters(client, people, records):
    client.force_login(people["admin"])
    url = reverse("organisations:organisation_list")
    assert client.get(url, {"q": "anatolien"}).context["page"].paginator.count == 1
    assert client.get(url, {"kind": "guide_project"}).context["page"].paginator.count == 1
    frankfurt = Region.objects.get(name="Frankfurt am Main").pk
    assert client.get(url, {"region": frankfurt}).context["page"].paginator.count == 4
    assert client.get(url, {"legal_form": "ggmbh"}).context["page"].paginator.count == 0
    # The organisations that belong to the unit; the shared one is only seen by it.
    assert client.get(url, {"unit": records["foreign"].unit_id}).context["page"].paginator.count == 1


def test_picker_returns_label_with_place(client, people, records):
    client.force_login(people["advisor_mo"])
    results = client.get(reverse("organisations:picker"), {"q": "Anatolien"}).json()["results"]
    assert results == [{"id": records["org_own"].pk, "text": "Kulturverein Anatolien e.V. (Frankfurt am Main)"}]


def test_timeline_total_counts_only_visible_consultations(client, people, records):
    client.force_login(people["coordinator_mo"])
    response = client.get(reverse("organisations:organisation_detail", kwargs={"pk": records["org_own"].pk}))
    assert response.context["timeline_total"] == 4
    assert len(response.context["timeline"]) == 4
    client.force_login(people["coordinator_lots"])
    response = client.get(reverse("organisations:organisation_detail", kwargs={"pk": records["org_shared"].pk}))
    assert response.context["timeline_total"] == 1
