"""The Sachbericht's texts: writing, saving (also while typing), taking over, freezing into the archive."""

import datetime
import hashlib
import io
import json

import pypdf
import pytest
from django.urls import reverse

from reports import generation, narrative, periods
from reports.models import NarrativeDraft, Report, ReportNarrative

pytestmark = pytest.mark.django_db

YEAR_2025 = {"scope": "mo", "period_kind": "year", "year": "2025"}
QUERY_2025 = "?scope=mo&period_kind=year&year=2025"


def edit_url(query=QUERY_2025):
    return reverse("reports:narrative_edit") + query


def autosave_url(query=QUERY_2025):
    return reverse("reports:narrative_autosave") + query


def make_draft(texts, scope="mo", period=None, user=None):
    draft = narrative.draft_for(scope, period or periods.year(2025))
    draft.texts = texts
    draft.updated_by = user
    draft.save()
    return draft


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


# --- Plain text → paragraphs and lists ---------------------------------------------------------------


def test_paragraphs_split_on_blank_lines_and_lists_on_markers():
    text = (
        "Erster Absatz,\nzweite Zeile.\n\n"
        "- Punkt eins\n"
        "  weiter eingerückt\n"
        "• Punkt zwei\n"
        "Danach ein Absatz.\r\n\r\n\r\n"
        "Letzter <b>Absatz</b>   \n"
    )
    assert narrative.paragraphs(text) == [
        "Erster Absatz,\nzweite Zeile.",
        {"list": ["Punkt eins weiter eingerückt", "Punkt zwei"]},
        "Danach ein Absatz.",
        "Letzter <b>Absatz</b>",
    ]
    assert narrative.paragraphs("") == [] and narrative.paragraphs(" \n\n ") == []
    assert narrative.paragraphs("-kein Punkt") == ["-kein Punkt"]  # a marker needs its blank


def test_outline_is_the_german_default_with_hints():
    assert [str(s.title) for s in narrative.OUTLINE] == [
        "Ausgangslage",
        "Ziele und Zielgruppen",
        "Umsetzung der Maßnahmen",
        "Ergebnisse und Wirkungen",
        "Kooperationen und Vernetzung",
        "Abweichungen vom Plan und Gründe",
        "Ausblick",
    ]
    assert all(str(s.hint) for s in narrative.OUTLINE)


def test_report_blocks_place_figures_after_their_narrative_section():
    sections = [{"key": k, "title": k, "tables": []} for k in ("consultations", "quality", "events", "new_one")]
    figures = {"sections": sections, "narrative": narrative.frozen_sections({"ausblick": "Text"})}
    order = [b["key"] for b in narrative.report_blocks(figures)]
    assert order == [
        "ausgangslage",
        "ziele",
        "umsetzung",
        "consultations",
        "events",
        "ergebnisse",
        "quality",
        "new_one",  # not named by the outline: after „Ergebnisse und Wirkungen“
        "kooperationen",
        "abweichungen",
        "ausblick",
    ]
    # Without any text (or before this feature) the figures keep their own order.
    figures["narrative"] = narrative.frozen_sections({})
    assert narrative.report_blocks(figures) == sections
    assert narrative.report_blocks({"sections": sections}) == sections


# --- The editor ---------------------------------------------------------------------------------------


def test_editor_opens_the_draft_of_the_chosen_scope_and_period(client, people):
    client.force_login(people["coordinator_mo"])
    response = client.get(edit_url())
    assert response.status_code == 200
    page = response.content.decode()
    for title in ("Ausgangslage", "Umsetzung der Maßnahmen", "Ausblick"):
        assert title in page
    assert "js/narrative.js" in page and 'name="loaded_version"' in page
    assert "data-narrative-autosave" in page
    draft = NarrativeDraft.objects.get()
    assert (draft.scope, draft.period_kind, draft.first_day, draft.last_day) == (
        "mo",
        "year",
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
    )


@pytest.mark.parametrize(
    ("role", "query", "status"),
    [
        ("coordinator_mo", "?scope=lots&period_kind=year&year=2025", 404),
        ("coordinator_mo", "?scope=all&period_kind=year&year=2025", 404),
        ("coordinator_lots", QUERY_2025, 404),
        ("advisor_mo", QUERY_2025, 403),
        ("admin", "?scope=all&period_kind=year&year=2025", 200),
        ("coordinator_mo", "?scope=mo&period_kind=quarter&year=2025", 400),  # no quarter chosen
        ("coordinator_mo", "?scope=unbekannt&period_kind=year&year=2025", 400),
    ],
)
def test_who_may_open_which_texts(client, people, role, query, status):
    client.force_login(people[role])
    assert client.get(edit_url(query)).status_code == status
    if status != 200:
        assert client.post(autosave_url(query), {}).status_code == status


def test_other_units_coordinator_cannot_save_into_a_draft(client, people):
    draft = make_draft({"ausblick": "Geplant."})
    client.force_login(people["coordinator_lots"])
    data = {"loaded_version": draft.version, "ausblick": "Überschrieben"}
    assert client.post(edit_url(), data).status_code == 404
    assert client.post(autosave_url(), data).status_code == 404
    draft.refresh_from_db()
    assert draft.texts == {"ausblick": "Geplant."}


def test_save_button_works_without_javascript(client, people):
    draft = make_draft({})
    client.force_login(people["coordinator_mo"])
    data = {"loaded_version": draft.version, "ausgangslage": "Viele neue Vereine.\n\n- Punkt", "ziele": "   "}
    response = client.post(edit_url(), data)
    assert response.status_code == 302 and response.url == edit_url()
    draft.refresh_from_db()
    assert draft.texts == {"ausgangslage": "Viele neue Vereine.\n\n- Punkt"}  # empty sections are left out
    assert draft.version == 2 and draft.updated_by == people["coordinator_mo"]


def test_too_long_section_is_refused_with_a_german_message(client, people):
    draft = make_draft({})
    client.force_login(people["coordinator_mo"])
    data = {"loaded_version": draft.version, "ausblick": "x" * (narrative.MAX_SECTION_CHARS + 1)}
    response = client.post(edit_url(), data)
    assert response.status_code == 400 and "höchstens 20000 Zeichen" in response.content.decode()
    response = client.post(autosave_url(), data)
    assert response.status_code == 400 and "höchstens 20000 Zeichen" in response.json()["message"]


def test_autosave_saves_and_returns_the_new_version(client, people):
    draft = make_draft({})
    client.force_login(people["coordinator_mo"])
    response = client.post(autosave_url(), {"loaded_version": "1", "umsetzung": "42 Beratungen"})
    assert response.status_code == 200
    assert response.json()["version"] == "2" and "Automatisch gespeichert um" in response.json()["message"]
    response = client.post(autosave_url(), {"loaded_version": "2", "umsetzung": "43 Beratungen"})
    assert response.json()["version"] == "3"
    draft.refresh_from_db()
    assert draft.texts == {"umsetzung": "43 Beratungen"} and draft.version == 3


def test_autosave_with_an_old_version_is_refused_with_a_german_message(client, people):
    people["admin"].first_name, people["admin"].last_name = "Petra", "Schulz"
    people["admin"].save()
    draft = make_draft({"ausblick": "Alt"})
    client.force_login(people["admin"])
    assert client.post(autosave_url(), {"loaded_version": "1", "ausblick": "Von Petra"}).status_code == 200

    client.force_login(people["coordinator_mo"])
    response = client.post(autosave_url(), {"loaded_version": "1", "ausblick": "Von der Koordination"})
    assert response.status_code == 409
    body = response.json()
    assert body["message"].startswith("Inzwischen hat Petra Schulz diesen Datensatz geändert.")
    assert body["version"] == "2"
    draft.refresh_from_db()
    assert draft.texts == {"ausblick": "Von Petra"}
    # The same refusal without JavaScript keeps the input; a deliberate second save goes through.
    response = client.post(edit_url(), {"loaded_version": "1", "ausblick": "Von der Koordination"})
    assert response.status_code == 400
    assert "Inzwischen hat Petra Schulz" in response.content.decode()
    assert "Von der Koordination" in response.content.decode()
    assert client.post(autosave_url(), {"loaded_version": "2", "ausblick": "Von der Koordination"}).status_code == 200
    assert json.loads(json.dumps(NarrativeDraft.objects.get().texts)) == {"ausblick": "Von der Koordination"}


def test_autosave_needs_the_csrf_token(people):
    from django.test import Client

    draft = make_draft({})
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["coordinator_mo"])
    assert client.post(autosave_url(), {"loaded_version": draft.version}).status_code == 403
    token = client.get(edit_url()).context["csrf_token"]
    response = client.post(autosave_url(), {"loaded_version": draft.version}, headers={"X-CSRFToken": str(token)})
    assert response.status_code == 200


# --- Taking over the previous period's texts ----------------------------------------------------------


def test_take_over_fills_only_empty_sections_unless_confirmed(client, people):
    make_draft(
        {"ausgangslage": "Lage 2024", "ziele": "Ziele 2024", "ausblick": "Ausblick 2024"}, period=periods.year(2024)
    )
    draft = make_draft({"ausgangslage": "Lage 2025, schon geschrieben"})
    client.force_login(people["coordinator_mo"])
    url = reverse("reports:narrative_take_over") + QUERY_2025

    assert "Texte aus dem letzten Zeitraum übernehmen" in client.get(edit_url()).content.decode()
    response = client.post(url, {"loaded_version": draft.version}, follow=True)
    assert "2 Abschnitt(e) aus dem Zeitraum davor übernommen" in response.content.decode()
    draft.refresh_from_db()
    assert draft.texts == {
        "ausgangslage": "Lage 2025, schon geschrieben",
        "ziele": "Ziele 2024",
        "ausblick": "Ausblick 2024",
    }

    response = client.post(url, {"loaded_version": draft.version}, follow=True)
    assert "Nichts übernommen" in response.content.decode()

    draft.refresh_from_db()
    client.post(url, {"loaded_version": draft.version, "overwrite": "on"})
    draft.refresh_from_db()
    assert draft.texts["ausgangslage"] == "Lage 2024"


def test_take_over_with_a_stale_version_changes_nothing(client, people):
    make_draft({"ziele": "Ziele 2024"}, period=periods.year(2024))
    draft = make_draft({})
    client.force_login(people["coordinator_mo"])
    url = reverse("reports:narrative_take_over") + QUERY_2025
    response = client.post(url, {"loaded_version": draft.version + 5}, follow=True)
    assert "Inzwischen wurde dieser Datensatz geändert" in response.content.decode()
    draft.refresh_from_db()
    assert draft.texts == {}


def test_take_over_falls_back_to_the_last_report_of_the_period_before(people, unit_mo):
    old = generation._new_report(people["coordinator_mo"], [unit_mo], periods.year(2024))
    ReportNarrative.objects.create(
        report=old,
        sections=narrative.frozen_sections({"ausblick": "Absatz\n\n- eins\n- zwei"}),
        title_page={},
    )
    assert narrative.previous_texts("mo", periods.year(2025)) == {"ausblick": "Absatz\n\n- eins\n- zwei"}
    assert narrative.previous_texts("lots", periods.year(2025)) == {}


# --- Freezing into the archive --------------------------------------------------------------------------


def test_requesting_freezes_the_texts_and_editing_later_changes_nothing(client, people, unit_mo):
    make_draft({"ausgangslage": "Stand der Dinge.", "ergebnisse": "- Wirkung A\n- Wirkung B"})
    client.force_login(people["coordinator_mo"])
    assert client.post(reverse("reports:report_create"), YEAR_2025).status_code == 302
    report = Report.objects.get()
    assert report.status == Report.Status.DONE
    frozen = {s["key"]: s["paragraphs"] for s in report.figures["narrative"]}
    assert frozen["ausgangslage"] == ["Stand der Dinge."]
    assert frozen["ergebnisse"] == [{"list": ["Wirkung A", "Wirkung B"]}]
    pdf = bytes(report.files.get(format="pdf").content)
    sha = hashlib.sha256(pdf).hexdigest()
    assert "Stand der Dinge." in pdf_text(pdf)

    client.post(edit_url(), {"loaded_version": NarrativeDraft.objects.get().version, "ausgangslage": "Neu."})
    report.refresh_from_db()
    assert {s["key"]: s["paragraphs"] for s in report.figures["narrative"]} == frozen
    download = client.get(reverse("reports:report_download", args=[report.pk, "pdf"])).content
    assert hashlib.sha256(download).hexdigest() == sha
    detail = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "Stand der Dinge." in detail and "Neu." not in detail


def test_texts_are_frozen_at_the_request_not_at_generation(monkeypatch, people, unit_mo):
    draft = make_draft({"ausblick": "Wie beantragt."})
    monkeypatch.setattr(generation, "enqueue", lambda report: None)  # a worker picks it up later
    report = generation.request_report(people["coordinator_mo"], [unit_mo], periods.year(2025))
    assert report.status == Report.Status.QUEUED
    draft.texts = {"ausblick": "Später geändert."}
    draft.save()
    generation.generate(report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE
    ausblick = next(s for s in report.figures["narrative"] if s["key"] == "ausblick")
    assert ausblick["paragraphs"] == ["Wie beantragt."]


def test_command_line_report_takes_the_texts_as_they_are(people, unit_mo):
    make_draft({"ziele": "Ziele für die Kommandozeile."})
    report = generation.generate_now(None, [unit_mo], periods.year(2025))
    assert "Ziele für die Kommandozeile." in pdf_text(bytes(report.files.get(format="pdf").content))


def test_report_list_links_to_the_texts(client, people):
    client.force_login(people["coordinator_mo"])
    assert reverse("reports:narrative_edit") in client.get(reverse("reports:report_list")).content.decode()
