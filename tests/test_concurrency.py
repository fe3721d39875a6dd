"""Forms sent concurrently or twice (casework/concurrency.py): no lost update, no duplicate record."""

import datetime
import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework import concurrency
from casework.cases import services as cases
from casework.concurrency import TOKEN_FIELD, VERSION_FIELD, save_or_refuse, submissions_purge
from casework.models import (
    Assessment,
    Case,
    CaseGoal,
    CaseOutcome,
    Consultation,
    Event,
    FollowUp,
    QualityArea,
    QualityCriterion,
    Submission,
    Topic,
)
from casework.quality import services as quality
from casework.ui.labels import person_label
from organisations import services as organisation_services
from organisations.forms import OrganisationForm
from organisations.models import ContactPerson, Organisation, Region
from reports.models import Report, Target
from tests.factories import OrganisationFactory
from tests.test_query_counts import real_queries

pytestmark = pytest.mark.django_db

HINT = "Ihre Eingaben stehen unten noch im Formular – bitte prüfen und erneut speichern."
ALREADY = "Dieser Eintrag wurde bereits gespeichert."


def form_data(form, **changes):
    """What the browser sends for `form` as rendered (its initial or bound values), with `changes`."""
    data = {}
    for bound in form:
        value = bound.field.prepare_value(bound.value())
        if value is None:
            value = [] if getattr(bound.field.widget, "allow_multiple_selected", False) else ""
        data[bound.html_name] = value
    return {**data, **changes}


def rate_all(data):
    """An assessment form is complete only with every criterion rated."""
    return {key: (value or "met") if key.startswith("rating_") else value for key, value in data.items()}


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def send(client, url, data):
    """POST as a browser does, following the redirect: (where it led, the messages shown there)."""
    response = client.post(url, data, follow=True)
    assert response.redirect_chain, response.status_code
    return response.redirect_chain[0][0], [str(message) for message in response.context["messages"]]


def login(people, role):
    client = Client()
    client.force_login(people[role])
    return client


@pytest.fixture
def env(people, records, unit_mo, unit_lots):
    """`records` plus a catalogue area and criterion created in the app (so with a history)."""
    coordinator = people["coordinator_lots"]
    area = quality.catalogue_entry_save(entry=QualityArea(unit=unit_lots, name="Öffentlichkeit"), by=coordinator)
    criterion = quality.catalogue_entry_save(
        entry=QualityCriterion(area=area, text="Das Projekt ist bekannt."), by=coordinator
    )
    return {**records, "area": area, "criterion": criterion, "unit_mo": unit_mo, "unit_lots": unit_lots}


def _values(model, key):
    return lambda env: model.objects.filter(pk=env[key].pk).values().get()


def _targets(env):
    return dict(Target.objects.filter(unit=env["unit_mo"], year=2025).values_list("metric", "value"))


# --- Edit: the second of two saves is refused ---------------------------------------------------------

# kind: (url, first person, second person, (field, value, label) of the first, (field, value) of the second, read)
EDITS = {
    "consultation": (
        lambda env: reverse("casework:consultation_edit", kwargs={"pk": env["own"].pk}),
        "advisor_mo",
        "coordinator_mo",
        ("summary", "Satzung beschlossen.", "Zusammenfassung"),
        ("agreements", "Eintragung beim Amtsgericht beantragen."),
        _values(Consultation, "own"),
    ),
    "organisation": (
        lambda env: reverse("organisations:organisation_edit", kwargs={"pk": env["org_own"].pk}),
        "advisor_mo",
        "coordinator_mo",
        ("name", "Kulturverein Anatolien Frankfurt e.V.", "Name"),
        ("municipality", "Offenbach am Main"),
        _values(Organisation, "org_own"),
    ),
    "contact": (
        lambda env: reverse("organisations:contact_edit", kwargs={"pk": env["contact_own"].pk}),
        "advisor_mo",
        "coordinator_mo",
        ("function", "Kasse", "Funktion"),
        ("phone", "069 123456"),
        _values(ContactPerson, "contact_own"),
    ),
    "case": (
        lambda env: reverse("casework:case_edit", kwargs={"pk": env["case_own"].pk}),
        "advisor_mo",
        "coordinator_mo",
        ("title", "Eintragung und Satzung", "Titel"),
        ("description", "Die Satzung liegt als Entwurf vor."),
        _values(Case, "case_own"),
    ),
    "event": (
        lambda env: reverse("casework:event_edit", kwargs={"pk": env["event_own"].pk}),
        "advisor_mo",
        "coordinator_mo",
        ("title", "Schulung Vereinsfinanzen II", "Titel"),
        ("participants", "30"),
        _values(Event, "event_own"),
    ),
    "assessment": (
        lambda env: reverse("casework:assessment_edit", kwargs={"pk": env["assessment_foreign"].pk}),
        "advisor_lots",
        "coordinator_lots",
        ("note", "Gut aufgestellt.", "Anmerkung"),
        ("date", "2026-03-03"),
        _values(Assessment, "assessment_foreign"),
    ),
    "targets": (
        lambda env: reverse("reports:targets") + f"?unit={env['unit_mo'].pk}&year=2025",
        "admin",
        "coordinator_mo",
        ("consultations", "400", "Beratungen"),
        ("events", "12"),
        _targets,
    ),
    "quality_area": (
        lambda env: reverse("casework:quality_area_edit", kwargs={"pk": env["area"].pk}),
        "coordinator_lots",
        "admin",
        ("name", "Öffentlichkeit und Presse", "Name"),
        ("position", "7"),
        _values(QualityArea, "area"),
    ),
    "quality_criterion": (
        lambda env: reverse("casework:quality_criterion_edit", kwargs={"pk": env["criterion"].pk}),
        "coordinator_lots",
        "admin",
        ("text", "Das Projekt ist in der Kommune bekannt.", "Kriterium"),
        ("position", "5"),
        _values(QualityCriterion, "criterion"),
    ),
}


@pytest.mark.parametrize("kind", EDITS)
def test_the_second_of_two_saves_is_refused_naming_who_changed_what(kind, env, people):
    url, first_role, second_role, (field, value, label), (their_field, their_value), read = EDITS[kind]
    url = url(env)
    first, second = login(people, first_role), login(people, second_role)
    first_form = first.get(url).context["form"]
    second_form = second.get(url).context["form"]

    assert first.post(url, rate_all(form_data(first_form, **{field: value}))).status_code == 302
    response = second.post(url, rate_all(form_data(second_form, **{their_field: their_value})))

    expected = f"Inzwischen hat {person_label(people[first_role])} diesen Datensatz geändert ({label}). {HINT}"
    form = response.context["form"]
    assert form.non_field_errors() == [expected]
    assert expected in response.content.decode()
    # Nothing of the first save is lost, nothing of the second is saved, and its input is still in the form.
    assert str(read(env)[field]) == value
    assert str(read(env).get(their_field)) != their_value
    assert str(form[their_field].value()) == their_value
    assert their_value in response.content.decode()
    # The form now carries the current version: a deliberate second save goes through.
    assert second.post(url, form_data(form)).status_code == 302
    assert str(read(env)[their_field]) == their_value


def test_the_refused_form_carries_the_current_version(env, people):
    organisation = env["org_own"]
    url = reverse("organisations:organisation_edit", kwargs={"pk": organisation.pk})
    first, second = login(people, "advisor_mo"), login(people, "coordinator_mo")
    stale = second.get(url).context["form"]
    first.post(url, form_data(first.get(url).context["form"], name="Anatolien e.V."))
    response = second.post(url, form_data(stale, municipality="Hanau"))
    organisation.refresh_from_db()
    assert organisation.version == 2
    assert response.context["form"][VERSION_FIELD].value() == "2"
    assert 'name="loaded_version" value="2"' in response.content.decode()


@pytest.mark.parametrize("version", [None, "", "abc", "-1"])
def test_a_missing_or_invalid_version_is_refused_too(env, people, version):
    organisation = env["org_own"]
    url = reverse("organisations:organisation_edit", kwargs={"pk": organisation.pk})
    first, second = login(people, "advisor_mo"), login(people, "coordinator_mo")
    first.post(url, form_data(first.get(url).context["form"], name="Anatolien e.V."))
    data = form_data(second.get(url).context["form"], municipality="Hanau")
    del data[VERSION_FIELD]
    if version is not None:
        data[VERSION_FIELD] = version
    response = second.post(url, data)
    assert response.status_code == 200
    # Without the version the page had, the latest change is named.
    assert response.context["form"].non_field_errors() == [
        f"Inzwischen hat Aylin Demir diesen Datensatz geändert (Name). {HINT}"
    ]
    organisation.refresh_from_db()
    assert (organisation.municipality, organisation.version) == ("Frankfurt am Main", 2)


def test_closing_a_case_changed_meanwhile_is_refused(env, people, unit_mo):
    case = env["case_own"]
    close_url = reverse("casework:case_close", kwargs={"pk": case.pk})
    edit_url = reverse("casework:case_edit", kwargs={"pk": case.pk})
    first, second = login(people, "advisor_mo"), login(people, "coordinator_mo")
    close_form = second.get(close_url).context["form"]
    first.post(edit_url, form_data(first.get(edit_url).context["form"], title="Eintragung und Satzung"))

    reached = CaseOutcome.objects.filter(unit=unit_mo).first()
    data = form_data(close_form, closed_on="2026-06-30", **{f"outcome_{reached.pk}": "2026-06-01"})
    response = second.post(close_url, data)
    form = response.context["form"]
    assert form.non_field_errors() == [f"Inzwischen hat Aylin Demir diesen Datensatz geändert (Titel). {HINT}"]
    assert form[f"outcome_{reached.pk}"].value() == "2026-06-01"
    case.refresh_from_db()
    assert (case.status, case.title) == ("open", "Eintragung und Satzung")
    assert not case.outcomes_reached.exists()

    assert second.post(close_url, form_data(form)).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closed_on, case.title) == ("closed", datetime.date(2026, 6, 30), "Eintragung und Satzung")


def test_reopening_a_case_changed_meanwhile_is_refused(env, people, unit_mo):
    case = env["case_own"]
    cases.case_close(
        case=case,
        by=None,
        closed_on=datetime.date(2026, 5, 1),
        outcomes={CaseOutcome.objects.filter(unit=unit_mo).first(): datetime.date(2026, 4, 1)},
    )
    detail_url = reverse("casework:case_detail", kwargs={"pk": case.pk})
    reopen_url = reverse("casework:case_reopen", kwargs={"pk": case.pk})
    edit_url = reverse("casework:case_edit", kwargs={"pk": case.pk})
    first, second = login(people, "advisor_mo"), login(people, "coordinator_mo")
    assert f'name="loaded_version" value="{case.version}"' in second.get(detail_url).content.decode()
    first.post(edit_url, form_data(first.get(edit_url).context["form"], title="Eintragung und Satzung"))

    response = second.post(reopen_url, {VERSION_FIELD: case.version})
    assert response.status_code == 302
    assert messages_of(response) == [
        "Inzwischen hat Aylin Demir diesen Datensatz geändert (Titel). "
        "Bitte den aktuellen Stand prüfen und dann erneut versuchen."
    ]
    case.refresh_from_db()
    assert case.status == "closed"

    assert second.post(reopen_url, {VERSION_FIELD: case.version}).status_code == 302
    case.refresh_from_db()
    assert case.status == "open"


def test_the_version_check_adds_at_most_two_queries(people, unit_mo):
    advisor = people["advisor_mo"]

    def bound_form(organisation):
        data = form_data(OrganisationForm(instance=organisation, user=advisor), name="Neuer Name e.V.")
        form = OrganisationForm(data, instance=organisation, user=advisor)
        assert form.is_valid()
        return form

    def save(form):
        return organisation_services.organisation_save(
            organisation=form.save(commit=False), by=advisor, unit_ids=form.unit_ids_to_save()
        )

    plain_form = bound_form(OrganisationFactory(units=[unit_mo]))
    checked_form = bound_form(OrganisationFactory(units=[unit_mo]))
    with CaptureQueriesContext(connection) as plain:
        save(plain_form)
    with CaptureQueriesContext(connection) as checked:
        assert save_or_refuse(checked_form, save=lambda: save(checked_form))
    added = len(real_queries(checked.captured_queries)) - len(real_queries(plain.captured_queries))
    assert 0 < added <= 2


# --- Create: the same form sent three times makes one record ------------------------------------------

# kind: (url, person, what the person fills in, count of the records)
CREATES = {
    "consultation": (
        lambda env: reverse("casework:consultation_create"),
        "advisor_mo",
        lambda env: {
            "unit": env["unit_mo"].pk,
            "organisation": env["org_own"].pk,
            "topics": [Topic.objects.filter(unit=env["unit_mo"]).first().pk],
            "summary": "Erstgespräch.",
        },
        Consultation.objects.count,
    ),
    "organisation": (
        lambda env: reverse("organisations:organisation_create"),
        "advisor_mo",
        lambda env: {
            "name": "Neuer Verein e.V.",
            "kind": "migrant_org",
            "legal_form": "ev",
            "region": Region.objects.get(name="Gießen").pk,
        },
        Organisation.objects.count,
    ),
    "contact": (
        lambda env: reverse("organisations:contact_create", kwargs={"pk": env["org_own"].pk}),
        "advisor_mo",
        lambda env: {"name": "Leyla Aydın", "consent_date": "2026-02-01"},
        ContactPerson.objects.count,
    ),
    "case": (
        lambda env: reverse("casework:case_create"),
        "advisor_mo",
        lambda env: {
            "unit": env["unit_mo"].pk,
            "organisation": env["org_own"].pk,
            "title": "Satzung überarbeiten",
            "goal": CaseGoal.objects.filter(unit=env["unit_mo"]).first().pk,
        },
        Case.objects.count,
    ),
    "event": (
        lambda env: reverse("casework:event_create"),
        "advisor_mo",
        lambda env: {
            "unit": env["unit_mo"].pk,
            "title": "Fachtag Ehrenamt",
            "place": "Wiesbaden, Rathaus",
            "region": Region.objects.get(name="Wiesbaden").pk,
        },
        Event.objects.count,
    ),
    "assessment": (
        lambda env: reverse("casework:assessment_create", kwargs={"pk": env["org_foreign"].pk}),
        "advisor_lots",
        lambda env: {"note": "Erste Standortbestimmung."},
        Assessment.objects.count,
    ),
    "quality_area": (
        lambda env: reverse("casework:quality_area_create"),
        "coordinator_lots",
        lambda env: {"unit": env["unit_lots"].pk, "name": "Vernetzung", "position": "9"},
        QualityArea.objects.count,
    ),
    "quality_criterion": (
        lambda env: reverse("casework:quality_criterion_create", kwargs={"pk": env["area"].pk}),
        "coordinator_lots",
        lambda env: {"text": "Das Projekt trifft sich regelmäßig.", "position": "2"},
        QualityCriterion.objects.count,
    ),
    "follow_up": (
        lambda env: reverse("casework:follow_up_add_consultation", kwargs={"pk": env["own"].pk}),
        "advisor_mo",
        lambda env: {"follow_up-due_on": "2026-12-01", "follow_up-what": "Anrufen"},
        FollowUp.objects.count,
    ),
}


@pytest.mark.parametrize("kind", CREATES)
def test_a_create_form_sent_three_times_makes_one_record(kind, env, people):
    url, role, filled_in, count = CREATES[kind]
    url = url(env)
    client = login(people, role)
    data = rate_all(form_data(client.get(url).context["form"], **filled_in(env)))
    assert data[next(key for key in data if key.endswith(TOKEN_FIELD))]
    before = count()
    (first, shown), *again = [send(client, url, data) for _ in range(3)]
    assert count() == before + 1
    assert ALREADY not in shown
    assert again == [(first, [ALREADY]), (first, [ALREADY])]


def test_a_report_requested_three_times_is_generated_once(env, people):
    client = login(people, "coordinator_mo")
    preview = client.get(reverse("reports:report_preview"), {"scope": "mo", "period_kind": "year", "year": "2025"})
    params = preview.context["params"]
    assert f'name="{TOKEN_FIELD}" value="{params[TOKEN_FIELD]}"' in preview.content.decode()
    before = Report.objects.count()
    (first, _shown), *again = [send(client, reverse("reports:report_create"), params) for _ in range(3)]
    assert Report.objects.count() == before + 1
    assert again == [(first, [ALREADY]), (first, [ALREADY])]


def test_a_parallel_second_request_fails_on_the_token_and_leads_to_the_first(env, people, monkeypatch):
    """The second request checked for the token before the first committed; the unique index stops it."""
    url = reverse("organisations:organisation_create")
    client = login(people, "advisor_mo")
    region = Region.objects.get(name="Gießen").pk
    data = form_data(
        client.get(url).context["form"], name="Paralleler Verein", kind="other", legal_form="ev", region=region
    )
    first, _shown = send(client, url, data)
    found_before_the_first_committed = []
    real = concurrency._created_with

    def racing(token, user):
        found_before_the_first_committed.append(token)
        return None if len(found_before_the_first_committed) == 1 else real(token, user)

    monkeypatch.setattr(concurrency, "_created_with", racing)
    second = send(client, url, data)
    assert len(found_before_the_first_committed) == 2  # checked before, looked up after the IntegrityError
    assert Organisation.objects.filter(name="Paralleler Verein").count() == 1
    assert second == (first, [ALREADY])


def test_without_a_token_the_form_creates_as_before(env, people):
    client = login(people, "advisor_mo")
    url = reverse("organisations:contact_create", kwargs={"pk": env["org_own"].pk})
    for _ in range(2):
        assert client.post(url, {"name": "Ohne Token", "consent_date": "2026-02-01"}).status_code == 302
    assert ContactPerson.objects.filter(name="Ohne Token").count() == 2


def test_a_token_of_another_person_is_refused(env, people):
    url = reverse("organisations:contact_create", kwargs={"pk": env["org_own"].pk})
    data = {"name": "Selma", "consent_date": "2026-02-01", TOKEN_FIELD: str(uuid.uuid4())}
    assert login(people, "advisor_mo").post(url, data).status_code == 302
    assert login(people, "coordinator_mo").post(url, data).status_code == 400
    assert ContactPerson.objects.filter(name="Selma").count() == 1


def test_old_tokens_are_purged(env, people):
    content_type = ContentType.objects.get_for_model(Organisation)
    old, fresh = (
        Submission.objects.create(
            token=uuid.uuid4(), user=people["advisor_mo"], content_type=content_type, object_id=env["org_own"].pk
        )
        for _ in range(2)
    )
    Submission.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    assert submissions_purge() == 1
    assert list(Submission.objects.all()) == [fresh]


# --- The hidden fields are rendered ------------------------------------------------------------------

PAGES = [
    (
        lambda env: reverse("casework:consultation_edit", kwargs={"pk": env["own"].pk}),
        "advisor_mo",
        VERSION_FIELD,
    ),
    (lambda env: reverse("casework:consultation_create"), "advisor_mo", TOKEN_FIELD),
    # (url, person, hidden field)
    (
        lambda env: reverse("organisations:organisation_edit", kwargs={"pk": env["org_own"].pk}),
        "advisor_mo",
        VERSION_FIELD,
    ),
    (
        lambda env: reverse("organisations:contact_edit", kwargs={"pk": env["contact_own"].pk}),
        "advisor_mo",
        VERSION_FIELD,
    ),
    (lambda env: reverse("casework:case_edit", kwargs={"pk": env["case_own"].pk}), "advisor_mo", VERSION_FIELD),
    (lambda env: reverse("casework:case_close", kwargs={"pk": env["case_own"].pk}), "advisor_mo", VERSION_FIELD),
    (lambda env: reverse("casework:event_edit", kwargs={"pk": env["event_own"].pk}), "advisor_mo", VERSION_FIELD),
    (
        lambda env: reverse("casework:assessment_edit", kwargs={"pk": env["assessment_foreign"].pk}),
        "advisor_lots",
        VERSION_FIELD,
    ),
    (
        lambda env: reverse("casework:quality_area_edit", kwargs={"pk": env["area"].pk}),
        "coordinator_lots",
        VERSION_FIELD,
    ),
    (
        lambda env: reverse("casework:quality_criterion_edit", kwargs={"pk": env["criterion"].pk}),
        "coordinator_lots",
        VERSION_FIELD,
    ),
    (lambda env: reverse("reports:targets"), "coordinator_mo", VERSION_FIELD),
    (lambda env: reverse("organisations:organisation_create"), "advisor_mo", TOKEN_FIELD),
    (lambda env: reverse("organisations:contact_create", kwargs={"pk": env["org_own"].pk}), "advisor_mo", TOKEN_FIELD),
    (lambda env: reverse("casework:case_create"), "advisor_mo", TOKEN_FIELD),
    (lambda env: reverse("casework:event_create"), "advisor_mo", TOKEN_FIELD),
    (
        lambda env: reverse("casework:assessment_create", kwargs={"pk": env["org_foreign"].pk}),
        "advisor_lots",
        TOKEN_FIELD,
    ),
    (lambda env: reverse("casework:quality_area_create"), "coordinator_lots", TOKEN_FIELD),
    (
        lambda env: reverse("casework:quality_criterion_create", kwargs={"pk": env["area"].pk}),
        "coordinator_lots",
        TOKEN_FIELD,
    ),
    (
        lambda env: reverse("casework:follow_up_add_case", kwargs={"pk": env["case_own"].pk}),
        "advisor_mo",
        f"follow_up-{TOKEN_FIELD}",
    ),
    # The quick follow-up form on a record's page.
    (
        lambda env: reverse("casework:consultation_detail", kwargs={"pk": env["own"].pk}),
        "advisor_mo",
        f"follow_up-{TOKEN_FIELD}",
    ),
    (lambda env: reverse("reports:report_detail", kwargs={"pk": env["report_own"].pk}), "coordinator_mo", TOKEN_FIELD),
]


@pytest.mark.parametrize(("url", "role", "name"), PAGES)
def test_forms_render_their_hidden_version_or_token(env, people, url, role, name):
    html = login(people, role).get(url(env)).content.decode()
    assert html.count(f'type="hidden" name="{name}" value="') == 1
