"""Hostile text in the records reaches a report only as text; archived files never change; query bounds."""

import datetime
import io
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from casework.models import Assessment, Case, CaseGoal, CaseOutcome, QualityArea, Topic, Unit
from reports import generation, pdf, periods
from reports.figures import report_figures
from reports.models import Report, ReportFile
from tests.factories import ConsultationFactory, OrganisationFactory
from tests.test_query_counts import assert_max_queries

pytestmark = pytest.mark.django_db

IMG = '<img src="file:///etc/passwd">'
LINK = '<link rel="attachment" href="file:///etc/passwd">'
IFRAME = '<iframe src="http://example.org/"></iframe>'
STYLE = "<style>body{background:url(http://127.0.0.1/)}</style>"
PAYLOAD = IMG + LINK + IFRAME + STYLE
# As much of the payload as a field holds (PostgreSQL enforces the lengths).
SHORT, MEDIUM = IMG, IMG + LINK + IFRAME


@pytest.fixture
def hostile(people, unit_mo, unit_lots):
    """The payload in every free text a report can show: names of units, catalogues, organisations, people."""
    Unit.objects.filter(pk=unit_mo.pk).update(short_name=f"MO {SHORT}", name=f"Fachstelle {IMG}{LINK}", host=IMG + LINK)
    topic = Topic.objects.create(unit=unit_mo, name=f"Thema {IMG}{LINK}")
    organisation = OrganisationFactory(units=[unit_mo], name=f"Verein {PAYLOAD}", may_be_named=True)
    for month in range(1, 5):
        ConsultationFactory(unit=unit_mo, organisation=organisation, date=datetime.date(2025, month, 2), topics=[topic])
    goal, outcome = CaseGoal.objects.filter(unit=unit_mo).first(), CaseOutcome.objects.filter(unit=unit_mo).first()
    CaseGoal.objects.filter(pk=goal.pk).update(name=f"Ziel {MEDIUM}")
    CaseOutcome.objects.filter(pk=outcome.pk).update(name=f"Ergebnis {MEDIUM}")
    day = datetime.date(2025, 6, 1)
    case = Case.objects.create(
        unit=unit_mo,
        organisation=organisation,
        title=PAYLOAD,
        goal=goal,
        opened_on=day,
        responsible=people["advisor_mo"],
    )
    case.outcomes_reached.create(outcome=outcome, reached_on=day)
    area = QualityArea.objects.filter(unit=unit_lots).first()
    QualityArea.objects.filter(pk=area.pk).update(name=f"Bereich {MEDIUM}")
    project = OrganisationFactory(units=[unit_lots], kind="guide_project")
    assessment = Assessment.objects.create(unit=unit_lots, organisation=project, date=day, note=PAYLOAD)
    assessment.ratings.create(criterion=area.criteria.first(), rating="met", note=PAYLOAD)
    people["coordinator_mo"].first_name = MEDIUM
    people["coordinator_mo"].save()
    return people["coordinator_mo"]


def test_nothing_is_fetched_and_the_text_shows_escaped(hostile, unit_mo, unit_lots, monkeypatch):
    fetchers = []

    class InProcessJob:
        """The PDF job, rendered here with a fetcher the test can inspect (a child's would be lost)."""

        def __init__(self, html, *, title, attachments, **limits):
            fetchers.append(pdf.SafeURLFetcher())
            self.document = pdf.render_pdf(html, title=title, attachments=attachments, url_fetcher=fetchers[-1])

        def result(self):
            return self.document

    monkeypatch.setattr(generation.pdf, "PdfJob", InProcessJob)
    units = list(Unit.objects.filter(pk__in=[unit_mo.pk, unit_lots.pk]))
    report = generation.request_report(hostile, units, periods.year(2025))
    assert report.status == Report.Status.DONE

    (fetcher,) = fetchers
    assert fetcher.refused == []  # the payload never became markup, so nothing was even asked for
    assert all(url.startswith(("data:", "https://report.invalid/static/")) for url in fetcher.served)
    document = bytes(report.files.get(format="pdf").content)
    reader = PdfReader(io.BytesIO(document))
    text = " ".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert 'Verein <img src="file:///etc/passwd">' in text
    # Table cells come out of the PDF without their spaces; compare without whitespace.
    squashed = re.sub(r"\s+", "", text)
    for label in ("Thema", "Ziel", "Ergebnis", "Bereich", "Verein"):
        assert f'{label}<imgsrc="file:///etc/passwd"><linkrel="attachment"' in squashed, label
    assert 'MO<imgsrc="file:///etc/passwd">' in squashed
    assert "<style>body{background:url(http://127.0.0.1/)}</style>" in squashed
    assert '<iframe src="http://example.org/">' in text
    assert "root:" not in text and b"root:x:0:0" not in document
    assert set(reader.attachments) == {"Bericht_all_2025-01-01_2025-12-31.csv"}

    html = client_preview(hostile)
    assert PAYLOAD not in html
    assert "Verein &lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html


def client_preview(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(reverse("reports:report_preview"), {"scope": "mo", "period_kind": "year", "year": "2025"})
    assert response.status_code == 200
    return response.content.decode()


def test_archived_files_cannot_be_changed(people, unit_mo):
    report = generation.request_report(people["coordinator_mo"], [unit_mo], periods.year(2025))
    file = report.files.get(format="csv")
    file.content = b"changed"
    with pytest.raises(ValidationError):
        file.save()
    assert bytes(ReportFile.objects.get(pk=file.pk).content) != b"changed"


def test_generated_at_is_berlin_time_across_the_year_boundary(unit_mo):
    with time_machine.travel(datetime.datetime(2025, 12, 31, 23, 30, tzinfo=datetime.UTC)):
        figures = report_figures([unit_mo], periods.year(2025), generated_by="Test")
    assert figures["meta"]["generated_at"] == "2026-01-01T00:30:00+01:00"


def test_report_pages_make_a_bounded_number_of_queries(client, people, unit_mo):
    for _ in range(30):
        report = Report.objects.create(
            scope="mo", period_kind="year", first_day=datetime.date(2025, 1, 1), last_day=datetime.date(2025, 12, 31)
        )
        report.units.set([unit_mo])
    done = generation.request_report(people["coordinator_mo"], [unit_mo], periods.year(2025))
    client.force_login(people["coordinator_mo"])
    for url, limit in [
        (reverse("reports:report_list"), 12),
        (reverse("reports:report_detail", args=[done.pk]), 12),
        (reverse("reports:report_download", args=[done.pk, "pdf"]), 12),
        (reverse("reports:targets"), 12),
        # The preview computes the figures live: the page's queries plus report_figures' ~20.
        (reverse("reports:report_preview") + "?scope=mo&period_kind=year&year=2025", 32),
    ]:
        with assert_max_queries(limit):
            assert client.get(url).status_code == 200
