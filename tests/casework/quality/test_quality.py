"""Quality profiles of Lots*innen projects: catalogue, Standortbestimmungen, the profile matrix."""

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.models import Assessment, AssessmentRating, QualityArea
from casework.quality import demo as quality_demo
from casework.quality import services as quality
from organisations.models import Organisation
from tests.casework.quality.helpers import MET, NOT_MET, NOT_RELEVANT, PARTLY, assess, complete_post
from tests.factories import OrganisationFactory
from tests.test_query_counts import MAX_FORM_QUERIES, MAX_QUERIES, assert_max_queries, real_queries

pytestmark = pytest.mark.django_db


def latest_matrix(project):
    columns, baseline, ratings = quality.latest_with_ratings(Assessment.objects.filter(organisation=project), 6)
    return quality.build_matrix(columns, baseline=baseline, ratings=ratings)


def cell_map(matrix):
    return {row.criterion.pk: row.cells for group in matrix.groups for row in group.rows}


# --- The comparison ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (NOT_MET, PARTLY, quality.IMPROVED),
        (PARTLY, MET, quality.IMPROVED),
        (NOT_MET, MET, quality.IMPROVED),
        (MET, PARTLY, quality.WORSE),
        (PARTLY, NOT_MET, quality.WORSE),
        (MET, MET, None),
        (NOT_RELEVANT, MET, None),
        (MET, NOT_RELEVANT, None),
        (None, MET, None),
        (MET, None, None),
    ],
)
def test_trend(previous, current, expected):
    assert quality.trend(previous, current) == expected


def test_matrix_marks_improved_and_worse_against_the_previous_assessment(project, unit_lots, criteria):
    c1, c2, c3, c4 = criteria[:4]
    # Entered out of order: columns are sorted by date.
    third = assess(project, unit_lots, datetime.date(2025, 9, 1), {c1: MET, c2: PARTLY, c3: MET, c4: PARTLY})
    first = assess(project, unit_lots, datetime.date(2024, 9, 1), {c1: NOT_MET, c2: MET, c3: PARTLY})
    second = assess(project, unit_lots, datetime.date(2025, 3, 1), {c1: PARTLY, c2: PARTLY, c3: NOT_RELEVANT})

    matrix = quality.build_matrix([third, first, second])

    assert [a.pk for a in matrix.assessments] == [first.pk, second.pk, third.pk]
    cells = cell_map(matrix)
    assert [c.rating for c in cells[c1.pk]] == [NOT_MET, PARTLY, MET]
    assert [c.trend for c in cells[c1.pk]] == [None, quality.IMPROVED, quality.IMPROVED]
    assert [c.trend for c in cells[c2.pk]] == [None, quality.WORSE, None]
    # "nicht relevant" is skipped: the third assessment is compared with the first.
    assert [c.trend for c in cells[c3.pk]] == [None, None, quality.IMPROVED]
    # A criterion rated for the first time has nothing to compare with.
    assert [c.rating for c in cells[c4.pk]] == [None, None, PARTLY]
    assert [c.trend for c in cells[c4.pk]] == [None, None, None]
    # Every active criterion is a row, grouped by area in catalogue order.
    assert sum(len(g.rows) for g in matrix.groups) == len(criteria)
    assert [g.area.position for g in matrix.groups] == sorted(g.area.position for g in matrix.groups)


def test_latest_profile_counts_per_area(project, unit_lots, criteria):
    area_criteria = [c for c in criteria if c.area_id == criteria[0].area_id]
    ratings = dict.fromkeys(criteria, MET)
    ratings[area_criteria[0]] = NOT_MET
    ratings[area_criteria[1]] = PARTLY
    assess(project, unit_lots, datetime.date(2025, 1, 1), dict.fromkeys(criteria, NOT_MET))
    assess(project, unit_lots, datetime.date(2025, 6, 1), ratings)
    matrix = latest_matrix(project)
    counts = dict(matrix.latest_counts())
    first_area = matrix.groups[0].area
    assert counts[first_area] == {"met": len(area_criteria) - 2, "partly": 1, "not_met": 1}


def test_latest_columns_compare_the_first_with_the_one_before(project, unit_lots, criteria):
    c1 = criteria[0]
    for month, rating in enumerate([NOT_MET, NOT_MET, PARTLY, PARTLY, MET, MET, PARTLY, MET], start=1):
        assess(project, unit_lots, datetime.date(2025, month, 1), {c1: rating})
    matrix = latest_matrix(project)
    assert len(matrix.assessments) == 6 and matrix.has_earlier
    assert matrix.assessments[0].date == datetime.date(2025, 3, 1)
    cells = cell_map(matrix)[c1.pk]
    # March (partly) is compared with February (not met), which is not shown.
    assert [c.trend for c in cells] == [
        quality.IMPROVED,
        None,
        quality.IMPROVED,
        None,
        quality.WORSE,
        quality.IMPROVED,
    ]


# --- The organisation page and the profile page ------------------------------------------------------


def test_organisation_page_shows_matrix_and_button(client, people, project, unit_lots, criteria):
    assess(project, unit_lots, datetime.date(2025, 1, 10), dict.fromkeys(criteria, NOT_MET))
    assess(project, unit_lots, datetime.date(2025, 7, 10), dict.fromkeys(criteria, PARTLY))
    client.force_login(people["advisor_lots"])
    response = client.get(reverse("organisations:organisation_detail", kwargs={"pk": project.pk}))
    html = response.content.decode()
    assert "Qualitätsprofil" in html
    assert "Standortbestimmung erfassen" in html
    assert "10.07.2025" in html and "rating-partly" in html
    assert "besser als zuvor" in html and "▲" in html
    assert "Katalog der Qualitätsstandards pflegen" not in html  # advisors do not edit the catalogue
    matrix = response.context["quality"]["matrix"]
    assert matrix.latest_counts()[0][1]["partly"] > 0


def test_organisation_page_hides_quality_from_mo(client, people, records):
    client.force_login(people["advisor_mo"])
    response = client.get(reverse("organisations:organisation_detail", kwargs={"pk": records["org_shared"].pk}))
    assert "quality" not in response.context
    assert "Qualitätsprofil" not in response.content.decode()


def test_migrant_organisation_without_assessments_has_no_section(client, people, unit_lots):
    organisation = OrganisationFactory(units=[unit_lots])
    client.force_login(people["advisor_lots"])
    response = client.get(reverse("organisations:organisation_detail", kwargs={"pk": organisation.pk}))
    assert "quality" not in response.context


def test_profile_page_shows_all_assessments(client, people, project, unit_lots, criteria):
    for month in range(1, 9):
        assess(project, unit_lots, datetime.date(2025, month, 1), dict.fromkeys(criteria, PARTLY))
    client.force_login(people["coordinator_lots"])
    response = client.get(reverse("casework:quality_profile", kwargs={"pk": project.pk}))
    assert len(response.context["matrix"].assessments) == 8
    assert "Katalog pflegen" in response.content.decode()


# --- Creating, editing, deleting assessments ---------------------------------------------------------


def test_create_assessment_rates_every_active_criterion(client, people, project, criteria):
    client.force_login(people["advisor_lots"])
    url = reverse("casework:assessment_create", kwargs={"pk": project.pk})
    form = client.get(url).context["form"]
    assert [c.pk for c in form.criteria] == [c.pk for c in criteria]
    data = complete_post(criteria, rating=PARTLY)
    data[f"note_{criteria[0].pk}"] = "  Koordinationsstelle nur mit 5 Stunden besetzt.  "
    response = client.post(url, data)
    assessment = Assessment.objects.get(organisation=project)
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:assessment_detail", kwargs={"pk": assessment.pk})
    assert assessment.assessed_by == people["advisor_lots"]
    assert assessment.note == "Gesamteindruck gut."
    assert assessment.ratings.count() == len(criteria)
    assert assessment.ratings.get(criterion=criteria[0]).note == "Koordinationsstelle nur mit 5 Stunden besetzt."
    assert assessment.history.first().history_user == people["advisor_lots"]


def test_every_criterion_must_be_rated(client, people, project, criteria):
    client.force_login(people["advisor_lots"])
    data = complete_post(criteria)
    data[f"rating_{criteria[2].pk}"] = ""
    del data[f"rating_{criteria[3].pk}"]
    response = client.post(reverse("casework:assessment_create", kwargs={"pk": project.pk}), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bitte alle Kriterien bewerten – es fehlen noch 2." in html
    assert "Bitte dieses Kriterium bewerten." in html
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"date": "2999-01-01"}, "Eine Standortbestimmung kann nicht in der Zukunft liegen."),
        ({"date": "2026-02-30"}, "Bitte ein gültiges Datum eingeben."),
        ({"date": ""}, "Dieses Feld ist zwingend erforderlich."),
        ({"date": "2010-05-01"}, "erst seit 2017"),
        ({"rating_FIRST": "hervorragend"}, "Bitte eine gültige Auswahl treffen."),
        ({"note_FIRST": "x" * 501}, "höchstens 500 Zeichen"),
        ({"note": "x" * 5001}, "höchstens 5000 Zeichen"),
    ],
)
def test_bad_input_shows_german_message_and_saves_nothing(client, people, project, criteria, change, message):
    client.force_login(people["advisor_lots"])
    data = complete_post(criteria)
    data.update({key.replace("FIRST", str(criteria[0].pk)): value for key, value in change.items()})
    response = client.post(reverse("casework:assessment_create", kwargs={"pk": project.pk}), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Assessment.objects.exists()


def test_ratings_for_unknown_or_foreign_criteria_are_ignored(client, people, project, criteria):
    client.force_login(people["advisor_lots"])
    data = complete_post(criteria, rating_99999999=MET, rating_abc=MET)
    response = client.post(reverse("casework:assessment_create", kwargs={"pk": project.pk}), data)
    assert response.status_code == 302
    assert AssessmentRating.objects.count() == len(criteria)


@pytest.mark.parametrize(
    "path",
    [
        "/qualitaet/projekte/abc/standortbestimmung/neu/",
        "/qualitaet/projekte/99999999/standortbestimmung/neu/",
        "/qualitaet/projekte/99999999999999999999999/",
        "/qualitaet/standortbestimmungen/0/",
        "/qualitaet/katalog/bereiche/99999999/bearbeiten/",
        "/qualitaet/katalog/kriterien/99999999/ausmustern/",
    ],
)
def test_malformed_or_unknown_ids_are_404(client, people, path):
    client.force_login(people["coordinator_lots"])
    assert client.get(path).status_code == 404


def test_unit_parameter_cannot_pick_a_unit_without_criteria(client, people, unit_mo, unit_lots, criteria):
    joint_project = OrganisationFactory(units=[unit_mo, unit_lots], kind="guide_project")
    client.force_login(people["admin"])
    url = reverse("casework:assessment_create", kwargs={"pk": joint_project.pk})
    response = client.post(f"{url}?fachstelle={unit_mo.pk}", complete_post(criteria))
    assert response.status_code == 302
    assert Assessment.objects.get(organisation=joint_project).unit == unit_lots


def test_only_guide_projects_are_assessed(client, people, records, criteria):
    client.force_login(people["advisor_lots"])
    url = reverse("casework:assessment_create", kwargs={"pk": records["org_shared"].pk})
    response = client.post(url, complete_post(criteria))
    assert response.status_code == 403
    assert not Assessment.objects.filter(organisation=records["org_shared"]).exists()


def test_edit_changes_only_changed_ratings(client, people, project, unit_lots, criteria):
    assessment = assess(project, unit_lots, datetime.date(2025, 5, 5), dict.fromkeys(criteria, PARTLY))
    client.force_login(people["advisor_lots"])
    url = reverse("casework:assessment_edit", kwargs={"pk": assessment.pk})
    form = client.get(url).context["form"]
    assert form.initial[f"rating_{criteria[0].pk}"] == PARTLY
    data = complete_post(criteria, rating=PARTLY, date="2025-05-06")
    data[f"rating_{criteria[0].pk}"] = MET
    data["loaded_version"] = assessment.version
    assert client.post(url, data).status_code == 302
    assessment.refresh_from_db()
    assert assessment.date == datetime.date(2025, 5, 6)
    changed = assessment.ratings.get(criterion=criteria[0])
    assert changed.rating == MET
    assert changed.history.count() == 2
    assert assessment.ratings.get(criterion=criteria[1]).history.count() == 1


def test_foreign_edit_and_delete_change_nothing(client, people, records):
    assessment = records["assessment_foreign"]
    client.force_login(people["coordinator_mo"])
    url = reverse("casework:assessment_edit", kwargs={"pk": assessment.pk})
    assert client.post(url, {"date": "2026-01-01"}).status_code == 404
    assert client.post(reverse("casework:assessment_delete", kwargs={"pk": assessment.pk})).status_code == 404
    client.force_login(people["advisor_lots"])
    assert client.post(reverse("casework:assessment_delete", kwargs={"pk": assessment.pk})).status_code == 403
    assessment.refresh_from_db()
    assert assessment.date == datetime.date(2026, 3, 2)


def test_coordinator_deletes_assessment_with_ratings(client, people, records):
    assessment = records["assessment_foreign"]
    client.force_login(people["coordinator_lots"])
    url = reverse("casework:assessment_delete", kwargs={"pk": assessment.pk})
    assert "Standortbestimmung löschen?" in client.get(url).content.decode()
    response = client.post(url)
    assert response["Location"] == reverse("casework:quality_profile", kwargs={"pk": assessment.organisation_id})
    assert not Assessment.objects.filter(pk=assessment.pk).exists()
    assert not AssessmentRating.objects.filter(assessment_id=assessment.pk).exists()


def test_detail_shows_ratings_trend_and_notes(client, people, project, unit_lots, criteria):
    c1 = criteria[0]
    assess(project, unit_lots, datetime.date(2025, 1, 1), {c1: PARTLY})
    later = quality.assessment_create(
        organisation=project,
        unit=unit_lots,
        date=datetime.date(2025, 6, 1),
        note="Neue Koordinatorin.",
        ratings={c1: (NOT_MET, "Stelle unbesetzt")},
        by=people["coordinator_lots"],
    )
    client.force_login(people["coordinator_lots"])
    response = client.get(reverse("casework:assessment_detail", kwargs={"pk": later.pk}))
    html = response.content.decode()
    assert "Neue Koordinatorin." in html and "Stelle unbesetzt" in html
    assert "schlechter als zuvor" in html
    assert "01.01.2025" in html  # the comparison names the previous assessment
    assert response.context["history"] is not None


# --- Catalogue ---------------------------------------------------------------------------------------


def test_catalogue_editing_permissions(client, people, records):
    area = records["quality_area_foreign"]
    url = reverse("casework:quality_area_edit", kwargs={"pk": area.pk})
    data = {"unit": area.unit_id, "name": "Koordination und Steuerung", "position": 1, "loaded_version": area.version}

    client.force_login(people["advisor_lots"])
    assert client.post(url, data).status_code == 403
    client.force_login(people["coordinator_mo"])
    assert client.post(url, data).status_code == 404
    area.refresh_from_db()
    assert area.name == "Koordination und Struktur"

    client.force_login(people["coordinator_lots"])
    assert client.post(url, data).status_code == 302
    area.refresh_from_db()
    assert area.name == "Koordination und Steuerung"
    assert area.history.first().history_user == people["coordinator_lots"]


def test_coordinator_adds_area_and_criterion_and_reorders(client, people, unit_lots, unit_mo):
    client.force_login(people["coordinator_lots"])
    form = client.get(reverse("casework:quality_area_create")).context["form"]
    assert list(form.fields["unit"].queryset) == [unit_lots]
    response = client.post(
        reverse("casework:quality_area_create"), {"unit": unit_mo.pk, "name": "Fremd", "position": 1}
    )
    assert response.status_code == 200 and not QualityArea.objects.filter(name="Fremd").exists()
    response = client.post(
        reverse("casework:quality_area_create"), {"unit": unit_lots.pk, "name": "Öffentlichkeitsarbeit", "position": 0}
    )
    assert response.status_code == 302
    area = QualityArea.objects.get(name="Öffentlichkeitsarbeit")
    response = client.post(
        reverse("casework:quality_criterion_create", kwargs={"pk": area.pk}),
        {"area": area.pk, "text": "Das Projekt ist in der Kommune sichtbar.", "position": 1},
    )
    assert response.status_code == 302
    criterion = area.criteria.get()
    # Position 0 puts the new area first in the assessment form and the matrix.
    project = OrganisationFactory(units=[unit_lots], kind="guide_project")
    form = client.get(reverse("casework:assessment_create", kwargs={"pk": project.pk})).context["form"]
    assert form.criteria[0] == criterion
    assert [g[0] for g in form.groups()][0] == area


def test_duplicate_area_name_is_refused_in_german(client, people, unit_lots):
    client.force_login(people["coordinator_lots"])
    response = client.post(
        reverse("casework:quality_area_create"), {"unit": unit_lots.pk, "name": "gewinnung", "position": 3}
    )
    assert response.status_code == 200
    assert "Diesen Bereich gibt es in der Fachstelle schon." in response.content.decode()


def test_criterion_cannot_move_to_another_units_area(client, people, records, unit_mo):
    criterion = records["quality_criterion_foreign"]
    foreign_area = QualityArea.objects.create(unit=unit_mo, name="MO-Bereich")
    client.force_login(people["admin"])
    response = client.post(
        reverse("casework:quality_criterion_edit", kwargs={"pk": criterion.pk}),
        {"area": foreign_area.pk, "text": criterion.text, "position": 1},
    )
    assert response.status_code == 200
    criterion.refresh_from_db()
    assert criterion.area_id == records["quality_area_foreign"].pk


def test_retired_criteria_are_not_offered_but_kept(client, people, records, project, criteria):
    old = records["assessment_foreign"]
    retired = records["quality_criterion_foreign"]
    client.force_login(people["coordinator_lots"])
    response = client.post(reverse("casework:quality_criterion_retire", kwargs={"pk": retired.pk}))
    assert response.status_code == 302
    retired.refresh_from_db()
    assert retired.retired_at == timezone.localdate()
    # A whole area retired: its criteria are not offered either.
    retired_area = QualityArea.objects.get(name="Anerkennung")
    client.post(reverse("casework:quality_area_retire", kwargs={"pk": retired_area.pk}))

    url = reverse("casework:assessment_create", kwargs={"pk": project.pk})
    offered = {c.pk for c in client.get(url).context["form"].criteria}
    assert retired.pk not in offered
    assert not offered & set(retired_area.criteria.values_list("pk", flat=True))
    assert len(offered) == len(criteria) - 1 - retired_area.criteria.count()

    # The old assessment keeps its rating of the retired criterion: detail, edit form and profile.
    response = client.get(reverse("casework:assessment_detail", kwargs={"pk": old.pk}))
    assert retired.text in response.content.decode() and "ausgemustert" in response.content.decode()
    form = client.get(reverse("casework:assessment_edit", kwargs={"pk": old.pk})).context["form"]
    assert retired.pk in {c.pk for c in form.criteria}
    response = client.get(reverse("casework:quality_profile", kwargs={"pk": old.organisation_id}))
    assert cell_map(response.context["matrix"])[retired.pk][0].rating == PARTLY
    assert AssessmentRating.objects.filter(criterion=retired).exists()

    # And it comes back.
    client.post(reverse("casework:quality_criterion_retire", kwargs={"pk": retired.pk}))
    retired.refresh_from_db()
    assert retired.retired_at is None


def test_catalogue_lists_only_own_units_areas(client, people, unit_lots):
    client.force_login(people["coordinator_mo"])
    assert list(client.get(reverse("casework:quality_catalogue")).context["areas"]) == []
    client.force_login(people["coordinator_lots"])
    areas = list(client.get(reverse("casework:quality_catalogue")).context["areas"])
    assert areas and {a.unit_id for a in areas} == {unit_lots.pk}


# --- Query bounds ------------------------------------------------------------------------------------


def _count_queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(real_queries(captured.captured_queries))


@pytest.mark.parametrize(
    ("name", "target", "limit"),
    [
        ("casework:quality_profile", "project", MAX_QUERIES),
        ("organisations:organisation_detail", "project", None),
        ("casework:assessment_detail", "assessment", MAX_QUERIES),
        ("casework:assessment_edit", "assessment", MAX_FORM_QUERIES),
        ("casework:assessment_create", "project", MAX_FORM_QUERIES),
        ("casework:quality_catalogue", None, MAX_QUERIES),
    ],
)
def test_queries_do_not_grow_with_assessments(client, people, project, unit_lots, criteria, name, target, limit):
    client.force_login(people["coordinator_lots"])
    counts = []
    latest = None
    for batch in (2, 9):
        for _index in range(batch):
            day = datetime.date(2020, 1, 1) + datetime.timedelta(days=30 * Assessment.objects.count())
            latest = assess(project, unit_lots, day, dict.fromkeys(criteria, PARTLY))
        pk = {"project": project.pk, "assessment": latest.pk, None: None}[target]
        url = reverse(name, kwargs={"pk": pk} if pk else None)
        counts.append(_count_queries(client, url))
    assert counts[0] == counts[1]
    if limit:
        client.get(url)
        with assert_max_queries(limit):
            client.get(url)


def test_organisation_page_quality_section_costs_few_queries(people, project, unit_lots, criteria):
    for month in range(1, 10):
        assess(project, unit_lots, datetime.date(2025, month, 1), dict.fromkeys(criteria, PARTLY))
    user = people["advisor_lots"]
    organisation = Organisation.objects.prefetch_related("units").get(pk=project.pk)
    from casework.access import Action, unit_ids_for

    unit_ids_for(user, Action.VIEW)  # grants are loaded once per request anyway
    with assert_max_queries(2):
        from casework.quality import organisation_panel as org_quality

        context = org_quality.organisation_context(user, organisation)
    assert len(context["quality"]["matrix"].assessments) == 6


# --- Demo data ---------------------------------------------------------------------------------------


def test_demo_seed_assesses_most_guide_projects_with_an_improving_trend(people, unit_lots, unit_mo, criteria):
    today = datetime.date(2026, 3, 1)
    projects = [OrganisationFactory(units=[unit_lots], kind="guide_project") for _ in range(30)]
    OrganisationFactory.create_batch(5, units=[unit_mo], kind="guide_project")  # not the unit's projects
    Organisation.objects.update(created_at=timezone.make_aware(datetime.datetime(2023, 5, 1)))
    lines = []
    quality_demo.seed(rng=random.Random(7), today=today, log=lines.append)

    assessed = set(Assessment.objects.values_list("organisation_id", flat=True))
    assert assessed <= {p.pk for p in projects}
    assert 0.5 * len(projects) <= len(assessed) <= 0.9 * len(projects)
    assert lines and "Standortbestimmungen" in lines[0]
    level = {MET: 2, PARTLY: 1, NOT_MET: 0}
    first_scores, last_scores = [], []
    for organisation_id in assessed:
        assessments = list(Assessment.objects.filter(organisation_id=organisation_id).order_by("date"))
        assert 1 <= len(assessments) <= 4
        for assessment in assessments:
            assert today - datetime.timedelta(days=731) <= assessment.date <= today
            assert assessment.ratings.count() == len(criteria)
            assert assessment.unit == unit_lots
        if len(assessments) > 1:
            for bucket, assessment in ((first_scores, assessments[0]), (last_scores, assessments[-1])):
                bucket.append(sum(level.get(r, 0) for r in assessment.ratings.values_list("rating", flat=True)))
    assert sum(last_scores) > sum(first_scores)
    assert Assessment.history.count() == Assessment.objects.count()
    assert AssessmentRating.history.count() == AssessmentRating.objects.count()
    entry = AssessmentRating.history.select_related("history_user").first()
    rated = Assessment.objects.get(pk=entry.assessment_id)
    assert timezone.localtime(entry.history_date).date() == rated.date
    assert entry.history_user == rated.assessed_by
