"""The duplicate warning when registering an organisation, the preset kind and the create dialog's endpoint."""

import pytest
from django.urls import reverse

from organisations.models import Organisation, Region
from organisations.services import name_key, similar_organisations
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("organisations:organisation_create")


def organisation_data(unit, prefix="", **overrides):
    data = {
        "name": "Kulturverein Anatolien e. V.",
        "kind": "migrant_org",
        "legal_form": "ev",
        "charitable_status": "unknown",
        "region": Region.objects.get(name="Offenbach am Main").pk,
        "municipality": "Offenbach",
        "units": [unit.pk],
    }
    data.update(overrides)
    return {f"{prefix}{key}": value for key, value in data.items()}


@pytest.fixture
def existing(unit_mo):
    return OrganisationFactory(units=[unit_mo], name="Kulturverein Anatolien e.V.", municipality="Offenbach")


def test_name_key_folds_accents_case_punctuation_and_legal_form():
    assert name_key("Kültürverein ANATOLİEN e. V.") == name_key("kulturverein anatolien e.V.")
    assert name_key("Gießener Frauen gGmbH") == name_key("Giessener Frauen")


def test_similar_finds_spelling_variants_in_the_same_place_first(people, unit_mo, existing):
    elsewhere = OrganisationFactory(units=[unit_mo], name="Kulturverein Anatolien", municipality="Kassel")
    OrganisationFactory(units=[unit_mo], name="Elternverein Sonnenblume", municipality="Offenbach")
    found = similar_organisations(people["advisor_mo"], name="kulturverein anatolien", municipality="offenbach")
    assert [s.organisation_id for s in found] == [existing.pk, elsewhere.pk]
    assert found[0].same_place and not found[1].same_place
    # A looser likeness counts only in the same place.
    variant = similar_organisations(people["advisor_mo"], name="Kulturverein Anadolu", municipality="Offenbach")
    assert [s.organisation_id for s in variant] == [existing.pk]
    assert similar_organisations(people["advisor_mo"], name="Kulturverein Anadolu", municipality="Marburg") == []


def test_different_numbers_are_different_organisations(people, unit_mo):
    OrganisationFactory(units=[unit_mo], name="Lots*innen-Projekt 1", municipality="Kassel")
    assert similar_organisations(people["advisor_mo"], name="Lots*innen-Projekt 2", municipality="Kassel") == []


def test_a_duplicate_the_person_may_not_see_is_never_named(client, people, existing, unit_lots):
    assert similar_organisations(people["advisor_lots"], name=existing.name, municipality="Offenbach") == []
    client.force_login(people["advisor_lots"])
    response = client.get(reverse("organisations:similar"), {"name": existing.name, "municipality": "Offenbach"})
    assert response.json() == {"results": []}
    response = client.post(CREATE, organisation_data(unit_lots, kind="guide_project"))
    # Saved at the first attempt: nothing hinted at the other unit's organisation.
    assert response.status_code == 302
    assert Organisation.objects.filter(name="Kulturverein Anatolien e. V.", units=unit_lots).exists()


def test_similar_endpoint_lists_visible_matches_with_links(client, people, existing):
    client.force_login(people["advisor_mo"])
    response = client.get(reverse("organisations:similar"), {"name": "KULTURVEREIN ANATOLIEN", "municipality": ""})
    assert response.json() == {
        "results": [
            {
                "id": existing.pk,
                "text": "Kulturverein Anatolien e.V. (Offenbach)",
                "url": reverse("organisations:organisation_detail", args=[existing.pk]),
            }
        ]
    }


@pytest.mark.parametrize("params", [{}, {"name": "a"}, {"name": "x" * 5000, "municipality": "\x00"}])
def test_similar_endpoint_with_odd_input_answers_empty(client, people, existing, params):
    client.force_login(people["advisor_mo"])
    response = client.get(reverse("organisations:similar"), params)
    assert response.status_code == 200
    assert response.json() == {"results": []}


def test_create_refuses_first_save_when_similar_exists_then_creates_on_purpose(client, people, unit_mo, existing):
    client.force_login(people["advisor_mo"])
    response = client.post(CREATE, organisation_data(unit_mo))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Es gibt bereits ähnliche Organisationen" in page
    assert reverse("organisations:organisation_detail", args=[existing.pk]) in page
    assert "Trotzdem neu anlegen" in page
    assert Organisation.objects.count() == 1

    response = client.post(CREATE, organisation_data(unit_mo, allow_duplicate="on"))
    assert response.status_code == 302
    assert Organisation.objects.count() == 2


def test_create_without_similar_saves_at_once(client, people, unit_mo, existing):
    client.force_login(people["advisor_mo"])
    response = client.post(CREATE, organisation_data(unit_mo, name="Elternverein Sonnenblume"))
    assert response.status_code == 302
    assert Organisation.objects.filter(name="Elternverein Sonnenblume").exists()


def test_edit_does_not_warn_about_itself(client, people, unit_mo, existing):
    client.force_login(people["advisor_mo"])
    edit = client.get(reverse("organisations:organisation_edit", args=[existing.pk]))
    data = organisation_data(unit_mo, name=existing.name, loaded_version=edit.context["form"]["loaded_version"].value())
    response = client.post(reverse("organisations:organisation_edit", args=[existing.pk]), data)
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("role", "kind"), [("advisor_mo", "migrant_org"), ("coordinator_lots", "guide_project"), ("admin", None)]
)
def test_create_form_presets_the_kind_of_the_persons_unit(client, people, role, kind):
    client.force_login(people[role])
    form = client.get(CREATE).context["form"]
    assert form["kind"].value() == kind


# --- The fragment for the dialog of the consultation form ------------------------------------------


def test_dialog_fragment_is_the_form_alone_with_prefixed_fields(client, people):
    client.force_login(people["advisor_mo"])
    page = client.get(CREATE + "?dialog=1").content.decode()
    assert "<html" not in page
    assert 'name="organisation-name"' in page
    assert f'action="{CREATE}?dialog=1"' in page


def test_dialog_save_answers_json_and_leaves_no_message(client, people, unit_mo):
    client.force_login(people["advisor_mo"])
    response = client.post(CREATE + "?dialog=1", organisation_data(unit_mo, prefix="organisation-"))
    assert response.status_code == 201
    organisation = Organisation.objects.get()
    assert response.json() == {"id": organisation.pk, "text": "Kulturverein Anatolien e. V. (Offenbach)"}
    page = client.get(reverse("casework:consultation_create")).content.decode()
    assert "Die Organisation wurde angelegt." not in page


def test_dialog_errors_and_duplicate_warning_come_back_as_fragment(client, people, unit_mo, existing):
    client.force_login(people["advisor_mo"])
    response = client.post(CREATE + "?dialog=1", organisation_data(unit_mo, prefix="organisation-", region=""))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert "Es gibt bereits ähnliche Organisationen" in page
    assert 'target="_blank"' in page
    assert Organisation.objects.count() == 1


def test_consultation_form_offers_the_dialog_and_keeps_the_link_without_js(client, people):
    client.force_login(people["advisor_mo"])
    page = client.get(reverse("casework:consultation_create")).content.decode()
    assert 'id="organisation-dialog"' in page
    assert "js/organisation_dialog.js" in page
    assert "?weiter=beratung" in page


def test_similar_endpoint_needs_a_bounded_number_of_queries(client, people, unit_mo, django_assert_max_num_queries):
    OrganisationFactory.create_batch(30, units=[unit_mo], municipality="Offenbach")
    client.force_login(people["advisor_mo"])
    with django_assert_max_num_queries(8):  # session, person, grants, middleware; one for all names
        client.get(reverse("organisations:similar"), {"name": "Verein Nummer", "municipality": "Offenbach"})
