"""The funder report PDF: content, PDF/A-3b, the embedded CSV, and that rendering fetches nothing."""

import builtins
import http.server
import io
import re
import socket
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pypdf
import pytest
from django.template.loader import render_to_string
from pypdf.generic import StreamObject

from reports.document import LEGEND, SMALL, SUPPRESSED
from reports.pdf import RefusedURLError, RenderError, SafeURLFetcher, render_pdf, render_pdf_limited
from reports.templatetags.report_tags import PDF_NAME_LIMIT, de_change, de_date, de_datetime, de_number

TITLE = "Bericht für den Fördergeber – Landesprogramm WIR"
CSV = "Abschnitt;Tabelle;Format;Beratungen\r\nBeratungen;nach Format;vor Ort;1234\r\nÄ;ö;ü;ß\r\n".encode()
PAYLOAD = (
    '<img src="file:///etc/passwd">'
    '<link rel="attachment" href="file:///etc/passwd">'
    '<iframe src="http://example.org/"></iframe>'
    "<style>body{background:url(http://127.0.0.1/)}</style>"
    " url(http://127.0.0.1/)"
)
PAYLOAD_URLS = ["file:///etc/passwd", "http://example.org/", "http://127.0.0.1/"]
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"


def make_figures(text=lambda s: s):
    """A small report conforming to reports/document.py; `text` is applied to every free text."""
    t = text
    return {
        "version": 1,
        "meta": {
            "scope": "all",
            "scope_label": t("Kompetenzzentrum Vielfalt Hessen"),
            "units": [
                {
                    "code": "mo",
                    "name": t("Fachstelle Migrant*innenorganisationen"),
                    "short_name": t("Fachstelle MO"),
                    "colour": "orange",
                    "host": t("Träger Nord"),
                },
                {
                    "code": "lots",
                    "name": t("Fachstelle Lots*innen"),
                    "short_name": t("Lots*innen"),
                    "colour": "green",
                    "host": t("Träger Süd"),
                },
            ],
            "period": {"kind": "year", "first": "2025-01-01", "last": "2025-12-31", "label": t("Jahr 2025")},
            "previous": {"first": "2024-01-01", "last": "2024-12-31", "label": t("Jahr 2024")},
            "generated_at": "2026-11-24T23:10:00+01:00",
            "generated_by": t("Thomas Becker"),
        },
        "totals": [
            {"key": "consultations", "label": t("Beratungen"), "value": 1234, "previous": 980, "change": 26},
            {"key": "hours", "label": t("Beratungsstunden"), "value": 30.5, "previous": None, "change": None},
        ],
        "sections": [
            {
                "key": "consultations",
                "title": t("Beratungen"),
                "tables": [
                    {
                        "key": "by_format",
                        "title": t("Beratungen nach Format"),
                        "columns": [t("Format"), t("Anzahl"), t("Stunden")],
                        "rows": [[t("vor Ort"), 1234, 30.5], [t("telefonisch"), SMALL, SUPPRESSED]],
                        "total": [t("Summe"), 1236, 33.0],
                        "note": t("Gezählt werden abgeschlossene Beratungen."),
                        "chart": {
                            "kind": "bars",
                            "categories": [t("Jan"), t("Feb"), t("Mär")],
                            "series": [
                                {"label": t("2025"), "values": [3, 7, 5], "colour": "orange"},
                                {"label": t("2024"), "values": [2, SMALL, None], "colour": "green"},
                            ],
                        },
                    }
                ],
            },
            {
                "key": "events",
                "title": t("Veranstaltungen"),
                "tables": [
                    {
                        "key": "by_kind",
                        "title": t("Veranstaltungen nach Art"),
                        "columns": [t("Art"), t("Veranstaltungen")],
                        "rows": [[t("Schulung"), 12], [t("Fachtag"), 4]],
                        "total": None,
                        "note": "",
                        "chart": None,
                    }
                ],
            },
        ],
        "named_organisations": [t("Kulturverein Anatolien e. V.")],
    }


@pytest.fixture
def figures():
    return make_figures()


@pytest.fixture
def spy(monkeypatch):
    """Records every network connection, urllib open and file open during the test."""
    seen = {"connect": [], "urlopen": [], "open": []}

    def refuse_connect(self, address):
        seen["connect"].append(address)
        raise OSError("network disabled in this test")

    def record_urlopen(self, url, *args, **kwargs):
        seen["urlopen"].append(getattr(url, "full_url", url))
        raise OSError("urllib disabled in this test")

    real_open = builtins.open

    def record_open(file, *args, **kwargs):
        seen["open"].append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", refuse_connect)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", record_urlopen)
    monkeypatch.setattr(builtins, "open", record_open)
    return seen


def render(figures, fetcher=None):
    html = render_to_string("reports/report_pdf.html", {"figures": figures})
    pdf = render_pdf(html, title=TITLE, attachments=[("bericht.csv", CSV, "text/csv")], url_fetcher=fetcher)
    return pypdf.PdfReader(io.BytesIO(pdf)), pdf


def page_texts(reader):
    return [page.extract_text() for page in reader.pages]


def squeeze(text):
    """Text without any whitespace: line breaks in narrow cells do not matter then."""
    return re.sub(r"\u2010\s+|\s+", "", text)  # also WeasyPrint's hyphens (U+2010) at line ends


def stream_contents(reader):
    """The decoded data of every stream object in the PDF (pages, fonts, attachments …)."""
    contents = []
    for number in range(1, reader.trailer["/Size"]):
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: S112 - free or broken entries in the xref table
            continue
        if isinstance(obj, StreamObject):
            contents.append(obj.get_data())
    return contents


# German formatting


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1234, "1.234"), (1234567, "1.234.567"), (7, "7"), (-1234, "-1.234"), (30.5, "30,5"), (1234.5, "1.234,5")]
    + [(33.0, "33,0"), (SMALL, "< 3"), (SUPPRESSED, "x"), ("vor Ort", "vor Ort"), (None, "–")],
)
def test_de_number(value, shown):
    assert de_number(value) == shown


def test_de_change_date_and_datetime():
    assert [de_change(v) for v in (26, -5, 0, None)] == ["+26 %", "-5 %", "±0 %", "–"]
    assert de_date("2025-01-31") == "31.01.2025"
    assert de_date("kein Datum") == "kein Datum"
    # Berlin time, whatever the offset of the ISO string.
    assert de_datetime("2026-11-24T22:10:00+00:00") == "24.11.2026, 23:10 Uhr"
    assert de_datetime("2026-07-01T08:05:00+02:00") == "01.07.2026, 08:05 Uhr"


# The shared body (also used by the web preview)


def test_report_body_is_semantic_html_without_inline_styles_or_scripts(figures):
    body = render_to_string("reports/includes/report_body.html", {"figures": figures})
    assert "style=" not in body.replace('class="', "")  # the site's CSP forbids inline styles
    assert "<style" not in body
    assert "<script" not in body
    assert "<caption>Beratungen nach Format</caption>" in body
    assert '<th scope="col">Format</th>' in body
    assert '<th scope="row">vor Ort</th>' in body
    assert '<td class="num">1.234</td>' in body
    assert '<td class="num">30,5</td>' in body
    assert '<td class="num">&lt; 3</td>' in body
    assert "<tfoot>" in body and "33,0" in body
    # The chart as SVG in the unit colours; the "< 3" of the chart's data is not drawn.
    assert body.count("<svg") == 1
    assert 'fill="#e8730c"' in body and 'fill="#2e7d32"' in body
    assert body.count("<rect") == 3 + 1 + 2  # 2025: three bars, 2024: one bar, two legend squares
    # The legend wherever a marker occurs (the first table) and once at the end.
    assert body.count(LEGEND[SMALL]) == 2
    assert body.count(LEGEND[SUPPRESSED]) == 2
    assert "Kulturverein Anatolien e. V." in body


def test_unknown_chart_colour_never_reaches_the_svg(figures):
    figures["sections"][0]["tables"][0]["chart"]["series"][0]["colour"] = 'red" onload="alert(1)'
    body = render_to_string("reports/includes/report_body.html", {"figures": figures})
    assert "onload" not in body
    assert 'fill="#6c757d"' in body


def test_named_organisations_section_only_when_there_are_any(figures):
    figures["named_organisations"] = []
    html = render_to_string("reports/report_pdf.html", {"figures": figures})
    assert "Genannte Organisationen" not in html


# The PDF


def test_pdf_is_pdfa_3b_tagged_german_and_titled(figures):
    reader, _ = render(figures)
    descriptions = reader.xmp_metadata.rdf_root.getElementsByTagNameNS(RDF, "Description")
    identification = {
        (d.getAttributeNS(PDFAID, "part"), d.getAttributeNS(PDFAID, "conformance"))
        for d in descriptions
        if d.hasAttributeNS(PDFAID, "part")
    }
    assert identification == {("3", "B")}
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "de"
    assert "/StructTreeRoot" in catalog  # tagged, for screen readers
    assert catalog["/MarkInfo"]["/Marked"]
    assert catalog["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert reader.metadata.title == TITLE
    assert reader.pdf_header == "%PDF-1.7"
    assert all(page.mediabox.width == pytest.approx(595.28, abs=0.1) for page in reader.pages)  # A4


def test_csv_is_embedded_byte_identical_as_pdfa3_data(figures):
    reader, _ = render(figures)
    assert dict(reader.attachments) == {"bericht.csv": [CSV]}
    filespec = reader.trailer["/Root"]["/AF"][0].get_object()
    assert filespec["/UF"] == "bericht.csv"
    assert filespec["/AFRelationship"] == "/Data"
    assert filespec["/EF"]["/F"].get_object()["/Subtype"] == "/text/csv"


def test_pdf_text_cover_contents_sections_and_german_numbers(figures):
    reader, _ = render(figures)
    pages = page_texts(reader)
    text = "\n".join(pages)
    flat = " ".join(text.split())
    assert TITLE in flat
    assert "Kompetenzzentrum Vielfalt Hessen" in pages[0]
    assert "Jahr 2025: 01.01.2025 bis 31.12.2025" in pages[0]
    assert "Jahr 2024: 01.01.2024 bis 31.12.2024" in pages[0]
    assert "am 24.11.2026, 23:10 Uhr von Thomas Becker" in flat
    assert f"Seite 1 von {len(pages)}" in pages[0]
    assert all(f"Seite {n} von {len(pages)}" in page for n, page in enumerate(pages, 1))
    for title in ("Kennzahlen", "Beratungen", "Veranstaltungen", "Zeichenerklärung", "Genannte Organisationen"):
        # The table of contents names the page the section starts on (CSS target-counter).
        listed = re.search(rf"^{title} \.+\s*(\d+)$", pages[1], re.MULTILINE)
        assert listed, title
        first_page = next(n for n, page in enumerate(pages[2:], 3) if re.search(rf"^{title}$", page, re.MULTILINE))
        assert int(listed[1]) == first_page
    assert "Beratungen 1.234 980 +26 %" in text
    assert "Beratungsstunden 30,5 – –" in text
    assert "vor Ort 1.234 30,5" in text
    assert "telefonisch < 3 x" in text
    assert "Summe 1.236 33,0" in text
    assert "< 3 weniger als 3 (statistische Geheimhaltung)" in text
    assert "Kulturverein Anatolien e. V." in text
    assert "Gezählt werden abgeschlossene Beratungen." in text


def test_long_table_repeats_its_header_on_every_page(figures):
    table = figures["sections"][1]["tables"][0]
    table["rows"] = [[f"Veranstaltung {n}", n] for n in range(1, 121)]
    reader, _ = render(figures)
    spanned = [p for p in page_texts(reader) if re.search(r"^Veranstaltung \d+ \d+$", p, re.MULTILINE)]
    assert len(spanned) >= 2
    assert all("Art Veranstaltungen" in page for page in spanned)
    rows = [re.findall(r"^Veranstaltung (\d+) ", page, re.MULTILINE) for page in spanned]
    assert [int(n) for page_rows in rows for n in page_rows] == list(range(1, 121))  # no row lost or split


# Safety: free text is text, and nothing is fetched from outside


def test_hostile_free_text_is_printed_literally_and_fetches_nothing(spy):
    figures = make_figures(lambda s: s + " " + PAYLOAD)
    fetcher = SafeURLFetcher()
    reader, pdf = render(figures, fetcher)

    # (a) Only the stylesheet and the attachment's data: URL were fetched; nothing was even tried.
    assert fetcher.served[0] == "https://report.invalid/static/css/report_print.css"
    assert all(url.startswith("data:text/csv;base64,") for url in fetcher.served[1:])
    assert fetcher.refused == []
    assert spy["connect"] == [] and spy["urlopen"] == []
    assert not [path for path in spy["open"] if "passwd" in path]

    # (b) The markup is shown as text wherever free text is printed. Long texts run on to the
    # next page, so the text is read without the running header and the footer.
    header = squeeze(f"{figures['meta']['scope_label']} – {figures['meta']['period']['label']}")
    text = "".join(re.sub(r"Seite\d+von\d+$", "", squeeze(page)).replace(header, "") for page in page_texts(reader))
    for label in (
        "Kompetenzzentrum Vielfalt Hessen",
        "Fachstelle Migrant*innenorganisationen",
        "Träger Süd",
        "Jahr 2025",
        "Thomas Becker",
        "Beratungsstunden",
        "Veranstaltungen nach Art",
        "Stunden",
        "telefonisch",
        "Summe",
        "Gezählt werden abgeschlossene Beratungen.",
        "Kulturverein Anatolien e. V.",
    ):
        assert squeeze(f"{label} {PAYLOAD}") in text, label

    # (c) No file of the machine made it into the PDF.
    assert dict(reader.attachments) == {"bericht.csv": [CSV]}
    passwd = Path("/etc/passwd").read_bytes().splitlines()[0]
    assert passwd not in pdf
    assert not [data for data in stream_contents(reader) if passwd in data]


def test_raw_markup_cannot_fetch_through_the_renderer(spy):
    """Even HTML that was not escaped cannot read local files or reach the network."""
    html = f"""<!DOCTYPE html><html lang="de"><head>
      <link rel="stylesheet" href="/static/css/report_print.css">
      <link rel="attachment" href="file:///etc/passwd">
      <link rel="attachment" href="/static/css/report_print.css">
      <style>body {{ background: url(http://127.0.0.1/) }} p {{ background: url(/static/../../etc/passwd) }}</style>
      </head><body><p>Text</p>{PAYLOAD}<img src="http://127.0.0.1:9/x.png"><object data="file:///etc/passwd"></object>
      <a rel="attachment" href="file:///etc/passwd">Anhang</a></body></html>"""
    fetcher = SafeURLFetcher()
    pdf = render_pdf(html, title="Test", url_fetcher=fetcher)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert "file:///etc/passwd" in fetcher.refused
    assert "http://127.0.0.1/" in fetcher.refused
    assert "http://127.0.0.1:9/x.png" in fetcher.refused
    assert "https://report.invalid/etc/passwd" in fetcher.refused  # the ".." resolved, outside /static/
    assert fetcher.served == ["https://report.invalid/static/css/report_print.css"]
    assert spy["connect"] == [] and spy["urlopen"] == []
    assert not [path for path in spy["open"] if "passwd" in path]
    assert dict(reader.attachments) == {}  # <link rel="attachment"> is never embedded
    passwd = Path("/etc/passwd").read_bytes().splitlines()[0]
    assert not [data for data in stream_contents(reader) if passwd in data]


# The fetcher on its own


def test_fetcher_serves_data_urls():
    fetcher = SafeURLFetcher()
    response = fetcher.fetch("data:text/plain;base64,SGFsbG8=")
    assert response.read() == b"Hallo"
    assert response.content_type == "text/plain"
    assert fetcher.refused == []


def test_fetcher_serves_the_projects_static_files():
    fetcher = SafeURLFetcher()
    expected = Path(__file__).resolve().parents[2].joinpath("static/css/report_print.css").read_bytes()
    for url in ("https://report.invalid/static/css/report_print.css", "/static/css/report_print.css"):
        response = fetcher.fetch(url)
        assert response.read() == expected
        assert response.content_type == "text/css"
    assert fetcher.refused == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://127.0.0.1/",
        "https://example.org/static/css/report_print.css",
        "ftp://example.org/x",
        "/static/../../etc/passwd",
        "https://report.invalid/static/%2e%2e/%2e%2e/etc/passwd",
        "https://report.invalid/static/css/..%2f..%2f..%2fconfig%2fsettings.py",
        "https://report.invalid/static//etc/passwd",
        "https://report.invalid/static/css/missing.css",
        "https://report.invalid/etc/passwd",
        "//127.0.0.1/static/css/report_print.css",
        "https://report.invalid@127.0.0.1/static/css/report_print.css",
        "../config/settings.py",
    ],
)
def test_fetcher_refuses_everything_else(url, spy, caplog):
    fetcher = SafeURLFetcher()
    with pytest.raises(RefusedURLError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert fetcher.served == []
    assert spy["connect"] == [] and spy["urlopen"] == []
    assert not [path for path in spy["open"] if "passwd" in path or "settings.py" in path]
    assert [r.levelname for r in caplog.records if r.name == "reports.pdf"] == ["WARNING"]
    assert url in caplog.text


def test_fetcher_refuses_symlinks_out_of_a_static_directory(tmp_path, settings):
    static = tmp_path / "static"
    static.mkdir()
    (static / "ok.css").write_text("p { color: red }")
    (static / "leak.css").symlink_to("/etc/passwd")
    settings.STATICFILES_DIRS = [static]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    from django.contrib.staticfiles import finders

    finders.get_finder.cache_clear()
    try:
        fetcher = SafeURLFetcher()
        assert fetcher.fetch("/static/ok.css").read() == b"p { color: red }"
        with pytest.raises(RefusedURLError):
            fetcher.fetch("/static/leak.css")
        assert fetcher.refused == ["/static/leak.css"]
    finally:
        finders.get_finder.cache_clear()


@pytest.fixture
def redirecting_server():
    """A local HTTP server that redirects every request to /etc/passwd, counting requests."""
    hits = []

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/static/css/report_print.css", hits
    server.shutdown()
    server.server_close()


def test_fetcher_refuses_a_redirecting_url_without_requesting_it(redirecting_server):
    url, hits = redirecting_server
    # The server works: a plain request reaches it (and is redirected).
    with pytest.raises(urllib.error.URLError):
        urllib.request.build_opener(urllib.request.HTTPRedirectHandler).open(url, timeout=5)
    assert len(hits) == 1
    fetcher = SafeURLFetcher()
    with pytest.raises(RefusedURLError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert len(hits) == 1  # never requested by the fetcher


# Limits


def test_render_pdf_limited_renders_in_a_child(figures):
    html = render_to_string("reports/report_pdf.html", {"figures": figures})
    pdf = render_pdf_limited(html, title=TITLE, attachments=[("bericht.csv", CSV, "text/csv")], timeout_s=30)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert dict(reader.attachments) == {"bericht.csv": [CSV]}
    assert "Beratungen nach Format" in "\n".join(page_texts(reader))


def test_render_pdf_limited_stops_at_the_time_limit():
    rows = "".join(f"<tr><td>Zeile {n}</td><td>{n}</td></tr>" for n in range(5000))
    html = f'<!DOCTYPE html><html lang="de"><body><table>{rows}</table></body></html>'
    with pytest.raises(RenderError, match=r"^Die PDF-Erzeugung hat das Zeitlimit von 0,01 s überschritten\.$"):
        render_pdf_limited(html, title="Test", timeout_s=0.01)


def test_render_pdf_limited_stops_at_the_memory_limit():
    # The limit is what the child inherits from this process plus the room given to it.
    limit_mb = 32
    # 20 MB of text to parse and lay out: far more than 32 MB of room.
    html = '<!DOCTYPE html><html lang="de"><body><p>' + "Wort " * 4_000_000 + "</p></body></html>"
    with pytest.raises(RenderError) as raised:
        render_pdf_limited(html, title="Test", memory_mb=limit_mb, timeout_s=30)
    assert str(raised.value) == f"Die PDF-Erzeugung hat das Speicherlimit von {limit_mb} MB überschritten."


def test_render_pdf_limited_reports_a_failure_in_german(caplog):
    with pytest.raises(RenderError, match=r"^Die PDF-Erzeugung ist fehlgeschlagen\.$"):
        render_pdf_limited(None, title="Test", timeout_s=30)
    assert "Expected exactly one source" in caplog.text  # the child's traceback, logged by the parent


def test_a_long_list_of_named_organisations_is_left_to_the_attachment(figures):
    many = dict(figures, named_organisations=[f"Verein {i:04d} e. V." for i in range(PDF_NAME_LIMIT + 1)])
    printed = " ".join(render_to_string("reports/report_pdf.html", {"figures": many}).split())
    assert "301 erreichte Organisationen haben einer Nennung im Bericht zugestimmt" in printed
    assert "Verein 0000 e. V." not in printed
    preview = render_to_string("reports/includes/report_body.html", {"figures": many})
    assert "Verein 0000 e. V." in preview and f"Verein {PDF_NAME_LIMIT:04d} e. V." in preview
    few = dict(figures, named_organisations=["Verein A e. V."])
    assert "<li>Verein A e. V.</li>" in render_to_string("reports/report_pdf.html", {"figures": few})
