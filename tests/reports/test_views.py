"""Requesting, previewing, archiving and downloading reports; the command line; stale workers."""

import csv
import datetime
import hashlib
import io

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from casework.models import Consultation
from reports import generation, periods
from reports.models import Report, Target
from tests.factories import ConsultationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
D = datetime.date
YEAR_2025 = {"scope": "mo", "period_kind": "year", "year": "2025"}


@pytest.fixture
def consultations(unit_mo, unit_lots):
    named = OrganisationFactory(units=[unit_mo], name="Verein Sonnenblume e. V.", may_be_named=True)
    unnamed = OrganisationFactory(units=[unit_mo], name="Geheimer Verein e. V.")
    for month in range(1, 8):
        ConsultationFactory(unit=unit_mo, organisation=named, date=datetime.date(2025, month, 3), duration_minutes=60)
    ConsultationFactory(unit=unit_mo, organisation=unnamed, date=datetime.date(2025, 8, 3), duration_minutes=60)
    ConsultationFactory(unit=unit_lots, date=datetime.date(2025, 8, 3))
    return named


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_preview_shows_the_figures_without_archiving(client, people, consultations):
    client.force_login(people["coordinator_mo"])
    response = client.get(reverse("reports:report_preview"), YEAR_2025)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Jahr 2025" in text and "Verein Sonnenblume e. V." in text
    assert "Geheimer Verein" not in text  # not agreed to be named
    assert not Report.objects.exists()


def test_generate_archive_download_identical_after_records_change(client, people, consultations, unit_mo):
    client.force_login(people["coordinator_mo"])
    response = client.post(reverse("reports:report_create"), YEAR_2025)
    report = Report.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:report_detail", args=[report.pk])
    assert report.status == Report.Status.DONE and report.attempts == 1
    assert list(report.units.all()) == [unit_mo]
    assert report.requested_by == people["coordinator_mo"]

    downloads = {}
    for fmt in ("pdf", "csv", "xlsx"):
        response = client.get(reverse("reports:report_download", args=[report.pk, fmt]))
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="Bericht_mo_2025-01-01_2025-12-31.{fmt}"'
        downloads[fmt] = response.content
        assert hashlib.sha256(response.content).hexdigest() == report.files.get(format=fmt).sha256

    # The three renderings show the same figures: 8 consultations of MO in 2025.
    assert "Beratungen" in pdf_text(downloads["pdf"]) and "Jahr 2025" in pdf_text(downloads["pdf"])
    rows = list(csv.reader(io.StringIO(downloads["csv"].decode("utf-8-sig")), delimiter=";"))
    assert ["Beratungen", "8", "0", ""] in [row[:4] for row in rows]
    sheet = openpyxl.load_workbook(io.BytesIO(downloads["xlsx"]))["Übersicht"]
    assert any(row[:2] == ("Beratungen", 8) for row in sheet.iter_rows(values_only=True))

    Consultation.objects.filter(organisation=consultations).delete()
    for fmt, content in downloads.items():
        assert client.get(reverse("reports:report_download", args=[report.pk, fmt])).content == content
    detail = client.get(reverse("reports:report_detail", args=[report.pk]))
    assert "Verein Sonnenblume e. V." in detail.content.decode()  # the frozen figures


def test_generating_the_same_report_twice_is_harmless(people, consultations, unit_mo):
    report = generation.request_report(people["coordinator_mo"], [unit_mo], periods.year(2025))
    files = {f.format: f.sha256 for f in report.files.all()}
    generation.generate(report.pk)  # a duplicate task: nothing to claim
    report.refresh_from_db()
    assert report.attempts == 1 and {f.format: f.sha256 for f in report.files.all()} == files


def test_a_report_whose_worker_died_is_queued_again_and_gives_up_after_three_attempts(people, unit_mo):
    report = generation.request_report(people["coordinator_mo"], [unit_mo], periods.year(2025))
    report.files.all().delete()
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, attempts=1)
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + generation.STALE_AFTER / 2):
        assert generation.requeue_stale() == 0  # still within its time
    Report.objects.filter(pk=report.pk).update(started_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
    assert generation.requeue_stale() == 1  # the immediate backend generates it at once
    report.refresh_from_db()
    assert report.status == Report.Status.DONE and report.attempts == 2 and report.files.count() == 3

    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.RUNNING, attempts=3, started_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    )
    assert generation.requeue_stale() == 0
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and "mehrfach abgebrochen" in report.error


def test_advisors_cannot_generate_and_nothing_is_archived(client, people, consultations):
    client.force_login(people["advisor_mo"])
    assert client.post(reverse("reports:report_create"), YEAR_2025).status_code == 403
    assert not Report.objects.exists()


def test_both_units_need_both_rights(client, people, consultations):
    client.force_login(people["coordinator_mo"])
    response = client.post(reverse("reports:report_create"), {**YEAR_2025, "scope": "all"})
    assert response.status_code == 400 and not Report.objects.exists()
    client.force_login(people["admin"])
    assert client.post(reverse("reports:report_create"), {**YEAR_2025, "scope": "all"}).status_code == 302
    assert Report.objects.get().scope == "all"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**YEAR_2025, "year": "1800"}, "Bitte ein Jahr zwischen"),
        ({**YEAR_2025, "year": "zwanzig"}, "ganze Zahl"),
        ({**YEAR_2025, "period_kind": "quarter"}, "Bitte das Quartal wählen."),
        ({**YEAR_2025, "period_kind": "half", "half": "3"}, "gültige Auswahl"),
        (
            {"scope": "mo", "period_kind": "custom", "first_day": "2025-05-01", "last_day": "2025-04-01"},
            "Das Ende des Zeitraums liegt vor seinem Anfang.",
        ),
        ({"scope": "mo", "period_kind": "custom", "first_day": "2025-05-01"}, "Anfang und Ende angeben"),
        ({"scope": "mo", "period_kind": "custom", "first_day": "2010-01-01", "last_day": "2025-12-31"}, "fünf Jahre"),
        ({**YEAR_2025, "scope": "../etc"}, "gültige Auswahl"),
    ],
)
def test_bad_input_gets_a_german_message_and_changes_nothing(client, people, data, message):
    client.force_login(people["coordinator_mo"])
    for response in (
        client.get(reverse("reports:report_preview"), data),
        client.post(reverse("reports:report_create"), data),
    ):
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Report.objects.exists()


def test_unknown_download_format_and_pending_report_are_not_found(client, people, unit_mo):
    client.force_login(people["coordinator_mo"])
    report = Report.objects.create(
        scope="mo", period_kind="year", first_day=datetime.date(2025, 1, 1), last_day=datetime.date(2025, 12, 31)
    )
    report.units.set([unit_mo])
    assert client.get(reverse("reports:report_download", args=[report.pk, "pdf"])).status_code == 404
    assert client.get(reverse("reports:report_download", args=[report.pk, "exe"])).status_code == 404
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "wartet" in page


def test_targets_are_saved_per_unit_and_year(client, people, unit_mo, unit_lots):
    client.force_login(people["coordinator_mo"])
    url = reverse("reports:targets") + f"?unit={unit_mo.pk}&year=2025"
    loaded = client.get(url).context["form"]["loaded_version"].value()
    assert client.post(url, {"consultations": "400", "events": "12", "loaded_version": loaded}).status_code == 302
    assert dict(Target.objects.filter(unit=unit_mo, year=2025).values_list("metric", "value")) == {
        "consultations": 400,
        "events": 12,
    }
    assert client.post(url, {"consultations": "-5"}).status_code == 400
    loaded = client.get(url).context["form"]["loaded_version"].value()
    assert client.post(url, {"consultations": "", "events": "12", "loaded_version": loaded}).status_code == 302
    assert dict(Target.objects.filter(unit=unit_mo).values_list("metric", "value")) == {"events": 12}
    # The other unit's targets are out of reach.
    assert client.get(reverse("reports:targets") + f"?unit={unit_lots.pk}").status_code == 404


def test_command_line_archives_and_writes_the_file(tmp_path, consultations):
    output = tmp_path / "bericht.csv"
    call_command(
        "funder_report", "--scope", "mo", "--year", "2025", "--quarter", "1", "--format", "csv", "--output", output
    )
    report = Report.objects.get()
    assert (report.first_day, report.last_day) == (datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))
    assert report.requested_by_name == "Kommandozeile"
    assert output.read_bytes() == bytes(report.files.get(format="csv").content)
    assert "1. Quartal 2025" in output.read_bytes().decode("utf-8-sig")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--scope", "xy", "--year", "2025"], "Unbekannter Bereich"),
        (["--scope", "mo"], "Bitte --year angeben"),
        (["--scope", "mo", "--from", "2025-02-01"], "--from und --to"),
        (["--scope", "mo", "--from", "2025-02-01", "--to", "2025-01-01"], "vor seinem Anfang"),
    ],
)
def test_command_line_rejects_bad_arguments(tmp_path, unit_mo, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("funder_report", *arguments, "--format", "pdf", "--output", tmp_path / "x.pdf")
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("advisor_mo", 403), ("advisor_lots", 403), ("coordinator_lots", 404)],
)
def test_denied_target_changes_change_nothing(client, people, unit_mo, role, expected):
    Target.objects.create(unit=unit_mo, year=2025, metric="consultations", value=100)
    if role != "anonymous":
        client.force_login(people[role])
    response = client.post(reverse("reports:targets") + f"?unit={unit_mo.pk}&year=2025", {"consultations": "1"})
    assert response.status_code == expected
    assert list(Target.objects.values_list("value", flat=True)) == [100]


@pytest.mark.parametrize(
    ("role", "scopes"),
    [
        ("coordinator_mo", ["mo"]),
        ("coordinator_lots", ["lots"]),
        ("admin", ["all", "lots", "mo"]),
    ],
)
def test_the_archive_lists_only_what_the_person_may_read(client, people, records, role, scopes):
    client.force_login(people[role])
    page = client.get(reverse("reports:report_list")).context["page"]
    assert sorted(report.scope for report in page) == scopes


@pytest.mark.parametrize(
    "period",
    [periods.year(2025), periods.half(2025, 2), periods.quarter(2025, 3), periods.custom(D(2025, 2, 3), D(2025, 5, 6))],
)
def test_a_report_can_be_requested_again_with_the_same_parameters(client, people, unit_mo, period):
    first = generation.request_report(people["coordinator_mo"], [unit_mo], period)
    client.force_login(people["coordinator_mo"])
    again = client.get(reverse("reports:report_detail", args=[first.pk])).context["again"]
    assert client.post(reverse("reports:report_create"), again).status_code == 302
    second = Report.objects.exclude(pk=first.pk).get()
    assert (second.scope, second.period_kind, second.first_day, second.last_day) == (
        first.scope,
        first.period_kind,
        first.first_day,
        first.last_day,
    )


def test_the_report_form_offers_the_publication_variant(client, people, consultations):
    client.force_login(people["coordinator_mo"])
    exact = client.get(reverse("reports:report_preview"), YEAR_2025)
    assert exact.context["figures"]["meta"]["variant"] == "funder"
    assert "Fassung für den Fördergeber: genaue Zahlen" in exact.content.decode()
    published = client.get(reverse("reports:report_preview"), {**YEAR_2025, "variant": "publication"})
    assert published.status_code == 200
    assert published.context["figures"]["meta"]["variant"] == "publication"
    assert published.context["params"]["variant"] == "publication"  # the button archives the same variant
    assert "zur Veröffentlichung" in published.content.decode()
    assert client.get(reverse("reports:report_preview"), {**YEAR_2025, "variant": "press"}).status_code == 400


def test_the_variant_is_archived_and_named_in_the_file_names(client, people, consultations):
    client.force_login(people["coordinator_mo"])
    assert client.post(reverse("reports:report_create"), {**YEAR_2025, "variant": "publication"}).status_code == 302
    report = Report.objects.get()
    assert report.variant == Report.Variant.PUBLICATION
    response = client.get(reverse("reports:report_download", args=[report.pk, "csv"]))
    assert 'filename="Bericht_mo_2025-01-01_2025-12-31_Veroeffentlichung.csv"' in response["Content-Disposition"]
    again = client.get(reverse("reports:report_detail", args=[report.pk])).context["again"]
    assert again["variant"] == "publication"
    # The archive holds what the preview showed: the publication variant's figures, not the exact ones.
    report.refresh_from_db()
    assert report.figures["meta"]["variant"] == "publication"


def test_a_target_far_from_last_year_is_saved_only_when_confirmed(client, people, unit_mo):
    organisation = OrganisationFactory(units=[unit_mo])
    for month in range(1, 11):  # ten consultations in 2024
        ConsultationFactory(unit=unit_mo, organisation=organisation, date=D(2024, month, 5))
    client.force_login(people["coordinator_mo"])
    url = reverse("reports:targets") + f"?unit={unit_mo.pk}&year=2025"
    page = client.get(url)
    assert "Vorjahr: 10" in page.content.decode()
    loaded = page.context["form"]["loaded_version"].value()

    # 4 is below half of 10: a warning, nothing saved.
    response = client.post(url, {"consultations": "4", "loaded_version": loaded})
    assert response.status_code == 400
    assert "Der Wert weicht stark vom Vorjahr ab (Vorjahr: 10). Tippfehler?" in response.content.decode()
    assert not Target.objects.exists()
    # Ticked "Werte trotzdem speichern": saved.
    response = client.post(url, {"consultations": "4", "confirm_unusual": "on", "loaded_version": loaded})
    assert response.status_code == 302
    assert Target.objects.get(unit=unit_mo, year=2025, metric="consultations").value == 4

    # 20 (twice 10) is still plausible; 21 is not; a metric without last year's figure never warns.
    loaded = client.get(url).context["form"]["loaded_version"].value()
    assert client.post(url, {"consultations": "20", "events": "7", "loaded_version": loaded}).status_code == 302
    loaded = client.get(url).context["form"]["loaded_version"].value()
    assert client.post(url, {"consultations": "21", "events": "7", "loaded_version": loaded}).status_code == 400
    assert dict(Target.objects.values_list("metric", "value")) == {"consultations": 20, "events": 7}
