"""Lots*innen figures: forms, who may do what, the project page and the panel on the organisation page."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from casework.concurrency import TOKEN_FIELD, VERSION_FIELD
from casework.guides import organisation_panel
from casework.guides.forms import GuideCountForm, GuideTrainingForm
from casework.guides.models import GuideCount, GuideTraining
from tests.factories import ConsultationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def project(unit_lots):
    return OrganisationFactory(units=[unit_lots], kind="guide_project", name="Lotsenprojekt Fulda")


@pytest.fixture
def count(project, unit_lots):
    return GuideCount.objects.create(unit=unit_lots, organisation=project, as_of=D(2025, 6, 30), active=14)


@pytest.fixture
def training(project, unit_lots):
    return GuideTraining.objects.create(
        unit=unit_lots,
        organisation=project,
        kind=GuideTraining.Kind.BASIC,
        date=D(2025, 5, 10),
        title="Basisqualifizierung Frühjahr",
        teaching_units=30,
        participants=12,
    )


def urls(project, count, training):
    return [
        reverse("casework:guide_figures", kwargs={"pk": project.pk}),
        reverse("casework:guide_count_create", kwargs={"pk": project.pk}),
        reverse("casework:guide_count_edit", kwargs={"pk": count.pk}),
        reverse("casework:guide_count_delete", kwargs={"pk": count.pk}),
        reverse("casework:guide_training_create", kwargs={"pk": project.pk}),
        reverse("casework:guide_training_edit", kwargs={"pk": training.pk}),
        reverse("casework:guide_training_delete", kwargs={"pk": training.pk}),
    ]


# --- Forms --------------------------------------------------------------------------------------------


def count_form(project, unit, **data):
    return GuideCountForm(data={"as_of": "2025-06-30", "active": "12", **data}, unit=unit, organisation=project)


def training_form(project, unit, **data):
    values = {"kind": "basic", "title": "Basis", "date": "2025-05-10", "teaching_units": "30", "participants": "12"}
    return GuideTrainingForm(data={**values, **data}, unit=unit, organisation=project)


def test_a_count_cannot_be_negative(project, unit_lots):
    form = count_form(project, unit_lots, active="-1")
    assert not form.is_valid()
    assert form.errors["active"] == ["Die Zahl der aktiven Lots*innen kann nicht negativ sein."]


def test_a_count_cannot_lie_in_the_future(project, unit_lots):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    form = count_form(project, unit_lots, as_of=tomorrow.isoformat())
    assert not form.is_valid()
    assert form.errors["as_of"] == ["Der Stand kann nicht in der Zukunft liegen."]
    far = count_form(project, unit_lots, as_of="2999-01-01")
    assert not far.is_valid()
    assert far.errors["as_of"] == ["Der Stand kann nicht in der Zukunft liegen."]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"as_of": "2016-12-31"}, "as_of", "Das Kompetenzzentrum arbeitet erst seit 2017."),
        ({"active": "zwölf"}, "active", "Bitte eine ganze Zahl eintragen."),
        ({"active": "1.5"}, "active", "Bitte eine ganze Zahl eintragen."),
        ({"active": "10001"}, "active", "Bitte höchstens 10000 eintragen."),
    ],
)
def test_count_form_messages(project, unit_lots, data, field, message):
    form = count_form(project, unit_lots, **data)
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_a_second_count_on_the_same_day_is_refused(project, unit_lots, count):
    form = count_form(project, unit_lots, as_of="2025-06-30")
    assert not form.is_valid()
    assert form.errors["as_of"] == ["Für diesen Tag ist schon eine Zahl erfasst – bitte diese bearbeiten."]
    # Editing that very count keeps its day.
    edit = GuideCountForm(
        data={"as_of": "2025-06-30", "active": "15"}, instance=count, unit=unit_lots, organisation=project
    )
    assert edit.is_valid(), edit.errors


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"teaching_units": "-4"}, "teaching_units", "Eine Schulung hat mindestens eine Unterrichtseinheit."),
        ({"teaching_units": "7.5"}, "teaching_units", "Bitte ganze Unterrichtseinheiten eintragen."),
        ({"participants": "-1"}, "participants", "Eine Schulung hat mindestens eine teilnehmende Person."),
        ({"date": "2999-01-01"}, "date", "Bitte nur Schulungen erfassen, die schon stattgefunden haben."),
        ({"title": "   "}, "title", "Bitte einen Titel eintragen."),
    ],
)
def test_training_form_messages(project, unit_lots, data, field, message):
    form = training_form(project, unit_lots, **data)
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_a_training_tomorrow_is_refused(project, unit_lots):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    form = training_form(project, unit_lots, date=tomorrow.isoformat())
    assert not form.is_valid()
    assert form.errors["date"] == ["Bitte nur Schulungen erfassen, die schon stattgefunden haben."]


# --- Access -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["advisor_mo", "coordinator_mo"])
def test_mo_people_get_404_on_every_guides_url(client, people, project, count, training, unit_mo, role):
    # Even where MO sees the project (a consultation shared with MO).
    ConsultationFactory(unit=project.units.first(), shared_with=unit_mo, organisation=project, date=D(2025, 3, 3))
    client.force_login(people[role])
    assert client.get(reverse("organisations:organisation_detail", kwargs={"pk": project.pk})).status_code == 200
    for url in urls(project, count, training):
        assert client.get(url).status_code == 404, url
        if "/lotsinnen/projekte/" in url and url.count("/") == 4:
            continue  # the project page answers GET only
        assert client.post(url, {"as_of": "2025-01-01", "active": "3"}).status_code == 404, url
    assert GuideCount.objects.count() == 1
    assert GuideTraining.objects.count() == 1


def test_no_guides_pages_for_an_organisation_that_is_no_lots_project(client, people, unit_lots):
    organisation = OrganisationFactory(units=[unit_lots], kind="other")
    client.force_login(people["coordinator_lots"])
    for name in ("guide_figures", "guide_count_create", "guide_training_create"):
        assert client.get(reverse(f"casework:{name}", kwargs={"pk": organisation.pk})).status_code == 404


def test_a_lots_advisor_records_and_edits_a_count(client, people, project):
    client.force_login(people["advisor_lots"])
    url = reverse("casework:guide_count_create", kwargs={"pk": project.pk})
    page = client.get(url)
    assert page.status_code == 200
    token = page.context["form"][TOKEN_FIELD].value()
    data = {"as_of": "2025-03-31", "active": "17", "note": " neue Gruppe ", TOKEN_FIELD: token}
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:guide_figures", kwargs={"pk": project.pk})
    # The same form sent again creates nothing new.
    client.post(url, data)
    count = GuideCount.objects.get()
    assert (count.active, count.as_of, count.note) == (17, D(2025, 3, 31), "neue Gruppe")
    assert count.unit.code == "lots" and count.created_by == people["advisor_lots"]
    assert count.history.get().history_user == people["advisor_lots"]

    edit = reverse("casework:guide_count_edit", kwargs={"pk": count.pk})
    response = client.post(edit, {"as_of": "2025-03-31", "active": "18", VERSION_FIELD: str(count.version)})
    assert response.status_code == 302
    count.refresh_from_db()
    assert count.active == 18 and count.history.count() == 2
    # A second save with the old version is refused with a German message.
    stale = client.post(edit, {"as_of": "2025-03-31", "active": "19", VERSION_FIELD: "1"})
    assert stale.status_code == 200
    assert "Inzwischen hat" in stale.content.decode()
    count.refresh_from_db()
    assert count.active == 18


def test_a_lots_advisor_records_a_training_but_may_not_delete(client, people, project, training):
    client.force_login(people["advisor_lots"])
    url = reverse("casework:guide_training_create", kwargs={"pk": project.pk})
    data = {"kind": "further", "title": "Datenschutz", "date": "2025-09-01", "teaching_units": "6", "participants": "9"}
    assert client.post(url, data).status_code == 302
    created = GuideTraining.objects.get(title="Datenschutz")
    assert (created.kind, created.teaching_units, created.participants) == ("further", 6, 9)
    delete = reverse("casework:guide_training_delete", kwargs={"pk": training.pk})
    assert client.get(delete).status_code == 403
    assert client.post(delete).status_code == 403
    assert GuideTraining.objects.filter(pk=training.pk).exists()


@pytest.mark.parametrize("role", ["coordinator_lots", "admin"])
def test_coordinators_and_admins_delete(client, people, project, count, training, role):
    client.force_login(people[role])
    assert client.post(reverse("casework:guide_count_delete", kwargs={"pk": count.pk})).status_code == 302
    assert client.post(reverse("casework:guide_training_delete", kwargs={"pk": training.pk})).status_code == 302
    assert not GuideCount.objects.exists() and not GuideTraining.objects.exists()
    # The history keeps who deleted them.
    assert GuideCount.history.filter(history_type="-").get().history_user == people[role]


# --- Project page and panel ---------------------------------------------------------------------------


def test_the_project_page_lists_counts_over_time_and_trainings(client, people, project, count, training, unit_lots):
    GuideCount.objects.create(unit=unit_lots, organisation=project, as_of=D(2025, 9, 30), active=19)
    client.force_login(people["advisor_lots"])
    response = client.get(reverse("casework:guide_figures", kwargs={"pk": project.pk}))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert [c.active for c in figures.counts] == [19, 14]
    assert figures.training_totals()[0][1:] == (1, 30, 12)
    html = response.content.decode()
    assert "Basisqualifizierung Frühjahr" in html and "30.09.2025" in html
    assert response.context["can_record"] and not response.context["can_delete"]
    assert reverse("casework:guide_count_delete", kwargs={"pk": count.pk}) not in html


def test_the_panel_shows_the_latest_figures_to_the_lots_unit(people, project, count, training, unit_lots, rf):
    GuideCount.objects.create(unit=unit_lots, organisation=project, as_of=D(2025, 9, 30), active=11)
    context = organisation_panel.organisation_context(people["advisor_lots"], project)
    figures = context["guides"]["figures"]
    assert (figures.latest.active, figures.change, figures.decrease) == (11, -3, 3)
    request = rf.get("/")
    request.user = people["advisor_lots"]
    html = render_to_string(
        "casework/guides/organisation_panel.html", {"organisation": project, **context}, request=request
    )
    assert "aktive Lots*innen (Stand 30.09.2025)" in html
    assert "3 weniger als am 30.06.2025" in html
    assert "Basisqualifizierung Frühjahr" in html
    assert organisation_panel.organisation_context(people["coordinator_mo"], project) == {}


def test_the_panel_costs_two_queries_however_many_records(people, project, unit_lots, django_assert_num_queries):
    for month in range(1, 13):
        GuideCount.objects.create(unit=unit_lots, organisation=project, as_of=D(2024, month, 1), active=month + 8)
    organisation = type(project).objects.prefetch_related("units").get(pk=project.pk)
    user = people["coordinator_lots"]
    organisation_panel.organisation_context(user, organisation)  # memoises the grants
    with django_assert_num_queries(2):
        context = organisation_panel.organisation_context(user, organisation)
    assert len(context["guides"]["figures"].counts) == organisation_panel.PANEL_LIMIT
    assert context["guides"]["figures"].counts_more


@pytest.mark.parametrize(
    "data",
    [
        {"as_of": "99999-99-99", "active": "1e309"},
        {"as_of": "2025-02-30", "active": "9" * 5000},
        {"as_of": "", "active": "", "note": "x" * 5000},
        {"as_of": "2025-01-01", "active": "\x00", "note": "<script>alert(1)</script>"},
    ],
)
def test_hostile_count_input_gets_a_german_message_never_a_500(client, people, project, data):
    client.force_login(people["advisor_lots"])
    response = client.post(reverse("casework:guide_count_create", kwargs={"pk": project.pk}), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not GuideCount.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "gala", "title": "T", "date": "2025-01-01", "teaching_units": "30", "participants": "10"},
        {"kind": "basic", "title": "T" * 300, "date": "2025-01-01", "teaching_units": "99999", "participants": "-3"},
        {"kind": "basic", "title": "T", "date": "1.1.1", "teaching_units": "3,5", "participants": "zehn"},
    ],
)
def test_hostile_training_input_gets_a_german_message_never_a_500(client, people, project, data):
    client.force_login(people["advisor_lots"])
    response = client.post(reverse("casework:guide_training_create", kwargs={"pk": project.pk}), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not GuideTraining.objects.exists()


def test_the_organisation_page_includes_the_panel_template(client, people, project, count):
    client.force_login(people["advisor_lots"])
    response = client.get(reverse("organisations:organisation_detail", kwargs={"pk": project.pk}))
    assert response.status_code == 200
    assert "casework/guides/organisation_panel.html" in [t.name for t in response.templates]


def test_merging_duplicate_projects_moves_their_figures(people, project, count, training, unit_lots):
    from organisations.services import organisation_merge

    duplicate = OrganisationFactory(units=[unit_lots], kind="guide_project", name="Lotsenprojekt Fulda (doppelt)")
    # A count of the same day on the duplicate: after the merge both are kept, the later one counts.
    same_day = GuideCount.objects.create(unit=unit_lots, organisation=duplicate, as_of=count.as_of, active=16)
    organisation_merge(keep=project, remove=duplicate, by=people["coordinator_lots"])
    assert set(GuideCount.objects.values_list("organisation", flat=True)) == {project.pk}
    figures = organisation_panel.organisation_context(people["advisor_lots"], project)["guides"]["figures"]
    assert figures.latest == same_day
    assert GuideTraining.objects.get().organisation == project
