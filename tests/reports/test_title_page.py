"""The Sachbericht's title page and narrative in the PDF; the administrators' page for notice, Aktenzeichen, logos."""

import base64
import io

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from PIL import Image

from reports import narrative
from reports.models import DEFAULT_FUNDING_NOTICE, FundingReference, ReportLogo, TitlePageSettings
from reports.pdf import SafeURLFetcher, render_pdf
from tests.reports.test_pdf import CSV, PDFAID, RDF, make_figures, squeeze

HOSTILE = '<script>alert("x")</script><img src="file:///etc/passwd">'


def png(width=240, height=80, colour=(232, 115, 12)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def sachbericht_figures():
    figures = make_figures()
    figures["meta"]["units"][0]["host"] = "beramí e.V."
    figures["meta"]["units"][1]["host"] = "LAGFA Hessen e.V."
    figures["meta"]["as_of"] = "2026-01-15"
    figures["narrative"] = narrative.frozen_sections(
        {
            "ausgangslage": f"Die Lage war gut.\n\nZweiter Absatz mit {HOSTILE}",
            "umsetzung": "- Beratungen vor Ort\n- Schulungen",
            "ausblick": "Weiter so.",
        }
    )
    figures["title_page"] = {
        "funding_notice": DEFAULT_FUNDING_NOTICE,
        "references": [{"unit": "Fachstelle MO", "reference": "III 4 – 71b 12/2025"}],
        "logos": [],
    }
    return figures


def render(figures, logos=()):
    fetcher = SafeURLFetcher()
    html = render_to_string("reports/report_pdf.html", {"figures": figures, "logos": list(logos)})
    pdf = render_pdf(html, title="Sachbericht", attachments=[("bericht.csv", CSV, "text/csv")], url_fetcher=fetcher)
    return pypdf.PdfReader(io.BytesIO(pdf)), html, fetcher


def page_images(page) -> list:
    xobjects = page["/Resources"].get("/XObject") or {}
    return [xobjects[name].get_object() for name in xobjects if xobjects[name].get_object()["/Subtype"] == "/Image"]


def embedded_fonts(reader) -> list[bool]:
    """Per font used on any page: whether its program is embedded (FontFile, FontFile2 or FontFile3)."""
    result = []
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            inner = descendants[0].get_object() if descendants else font
            descriptor = inner["/FontDescriptor"].get_object()
            result.append(any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")))
    return result


def test_pdf_title_page_narrative_and_archive_format():
    logo = {"name": "Ministerium", "src": "data:image/png;base64," + base64.b64encode(png()).decode(), "width": 240}
    reader, html, fetcher = render(sachbericht_figures(), [logo])
    pages = [page.extract_text() for page in reader.pages]
    title = " ".join(pages[0].split())

    # The title page: Träger, Fachstellen, period and „Stand“, Aktenzeichen, author and date, funding notice.
    assert "beramí e.V. / LAGFA Hessen e.V." in title
    assert "Sachbericht" in title and "Bericht für den Fördergeber – Landesprogramm WIR" in title
    assert "Fachstelle Migrant*innenorganisationen" in title and "Fachstelle Lots*innen" in title
    assert "Jahr 2025: 01.01.2025 bis 31.12.2025 Stand: 15.01.2026" in title
    assert "Fachstelle MO: III 4 – 71b 12/2025" in title
    assert "am 24.11.2026, 23:10 Uhr von Thomas Becker" in title
    assert squeeze(DEFAULT_FUNDING_NOTICE) in squeeze(pages[0])
    assert "zur Veröffentlichung" not in title
    # The logo is embedded (a data: URL, nothing fetched from outside).
    assert len(page_images(reader.pages[0])) == 1
    assert fetcher.refused == []
    assert all(url.startswith(("data:", "https://report.invalid/static/")) for url in fetcher.served)

    # The narrative sections between the figures, in the outline's order, markup shown as text.
    text = "\n".join(pages[2:])
    flat = squeeze(text)
    assert (
        flat.index("Ausgangslage")
        < flat.index("UmsetzungderMaßnahmen")
        < flat.index("Beratungennach Format".replace(" ", ""))
    )
    assert flat.index("Beratungennach Format".replace(" ", "")) < flat.index("Ausblick")
    assert "Die Lage war gut." in text
    assert squeeze(f"Zweiter Absatz mit {HOSTILE}") in flat
    assert "<script>" not in html.split("<body", 1)[1] and "&lt;script&gt;" in html
    assert "• Beratungen vor Ort" in text or "Beratungen vor Ort" in text
    assert html.count('<ul class="report-narrative-list">') == 1
    # Empty sections print nothing; the table of contents names the written ones.
    assert "Abweichungen vom Plan" not in "\n".join(pages)
    assert "Ausgangslage ." in pages[1] or "Ausgangslage." in squeeze(pages[1])

    # Archive format unchanged: PDF/A-3b, fonts embedded, the CSV attached.
    descriptions = reader.xmp_metadata.rdf_root.getElementsByTagNameNS(RDF, "Description")
    parts = {
        (d.getAttributeNS(PDFAID, "part"), d.getAttributeNS(PDFAID, "conformance"))
        for d in descriptions
        if d.hasAttributeNS(PDFAID, "part")
    }
    assert parts == {("3", "B")}
    fonts = embedded_fonts(reader)
    assert fonts and all(fonts)
    assert dict(reader.attachments) == {"bericht.csv": [CSV]}


def test_publication_variant_is_marked_on_the_title_page():
    figures = sachbericht_figures()
    figures["meta"]["variant"] = "publication"
    html = render_to_string("reports/report_pdf.html", {"figures": figures})
    assert "zur Veröffentlichung" in html
    figures["meta"]["variant"] = "funder"
    assert "zur Veröffentlichung" not in render_to_string("reports/report_pdf.html", {"figures": figures})


def test_hostile_title_page_texts_are_escaped():
    figures = sachbericht_figures()
    figures["title_page"]["funding_notice"] = HOSTILE
    figures["title_page"]["references"][0]["reference"] = HOSTILE
    figures["meta"]["units"][0]["host"] = HOSTILE
    html = render_to_string("reports/report_pdf.html", {"figures": figures})
    body = html.split("<body", 1)[1]
    assert "<script>" not in body and '<img src="file:' not in body
    assert body.count("&lt;script&gt;") >= 4  # notice, reference, host twice, the narrative


# --- Administrators keep the funding notice, the Aktenzeichen and the logos -----------------------------


@pytest.mark.django_db
def test_admin_edits_notice_and_references_and_the_snapshot_takes_them(client, people, unit_mo, unit_lots):
    client.force_login(people["admin"])
    page = client.get(reverse("reports:title_page_settings")).content.decode()
    assert DEFAULT_FUNDING_NOTICE in page
    version = TitlePageSettings.objects.get().version
    data = {
        "loaded_version": version,
        "funding_notice": "Gefördert vom Land Hessen.",
        f"reference_{unit_mo.pk}": "AZ-MO-1",
        f"reference_{unit_lots.pk}": "",
    }
    response = client.post(reverse("reports:title_page_settings"), data)
    assert response.status_code == 302
    assert FundingReference.objects.get(unit=unit_mo).reference == "AZ-MO-1"
    assert not FundingReference.objects.filter(unit=unit_lots).exists()
    snapshot = narrative.title_page_snapshot([unit_lots, unit_mo])
    assert snapshot == {
        "funding_notice": "Gefördert vom Land Hessen.",
        "references": [{"unit": unit_mo.short_name, "reference": "AZ-MO-1"}],
        "logos": [],
    }
    # The same version again is refused (someone saved in between).
    response = client.post(reverse("reports:title_page_settings"), {**data, "funding_notice": "Anders"})
    assert response.status_code == 400 and "Inzwischen wurde dieser Datensatz geändert" in response.content.decode()
    assert TitlePageSettings.objects.get().funding_notice == "Gefördert vom Land Hessen."


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator_mo", "advisor_lots"])
def test_only_administrators_change_the_title_page(client, people, role):
    client.force_login(people[role])
    upload = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    assert client.post(reverse("reports:logo_upload"), {"name": "Logo", "image": upload}).status_code == 403
    assert client.post(reverse("reports:title_page_settings"), {"funding_notice": "x"}).status_code == 403
    assert not ReportLogo.objects.exists()


@pytest.mark.django_db
def test_logo_upload_accepts_png_and_jpeg_and_stores_the_bytes(client, people):
    client.force_login(people["admin"])
    jpeg = io.BytesIO()
    Image.new("RGB", (30, 20), (0, 0, 255)).save(jpeg, format="JPEG")
    for name, content in (("Ministerium", png()), ("beramí", jpeg.getvalue())):
        upload = SimpleUploadedFile(f"{name}.bin", content, content_type="application/octet-stream")
        response = client.post(reverse("reports:logo_upload"), {"name": name, "image": upload})
        assert response.status_code == 302
    logos = list(ReportLogo.objects.all())
    assert [(logo.name, logo.content_type, logo.width, logo.height) for logo in logos] == [
        ("Ministerium", "image/png", 240, 80),
        ("beramí", "image/jpeg", 30, 20),
    ]
    assert bytes(logos[0].content) == png()
    images = narrative.logo_images(narrative.title_page_snapshot([]))
    assert [image["src"][:22] for image in images] == ["data:image/png;base64,", "data:image/jpeg;base64"]
    # Removing a logo leaves it out of later reports (generated PDFs keep theirs).
    snapshot = narrative.title_page_snapshot([])
    assert client.post(reverse("reports:logo_delete", args=[logos[0].pk])).status_code == 302
    assert [image["name"] for image in narrative.logo_images(snapshot)] == ["beramí"]
    assert client.post(reverse("reports:logo_delete", args=[logos[0].pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7 not an image", "Die Datei ist kein PNG- oder JPEG-Bild."),
        (b"GIF89a" + b"\0" * 20, "Die Datei ist kein PNG- oder JPEG-Bild."),
        (png()[:40], "Die Datei ist kein PNG- oder JPEG-Bild."),  # cut off
        (b"\x89PNG" + b"0" * (2 * 1024 * 1024), "Das Logo ist größer als 2 MB."),
    ],
)
def test_logo_upload_refuses_non_images_and_too_big_files(client, people, content, message):
    client.force_login(people["admin"])
    upload = SimpleUploadedFile("logo.png", content, content_type="image/png")
    response = client.post(reverse("reports:logo_upload"), {"name": "Logo", "image": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReportLogo.objects.exists()


@pytest.mark.django_db
def test_a_gif_is_refused_even_when_it_is_a_real_image(client, people):
    client.force_login(people["admin"])
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    upload = SimpleUploadedFile("logo.gif", gif.getvalue(), content_type="image/gif")
    response = client.post(reverse("reports:logo_upload"), {"name": "Logo", "image": upload})
    assert response.status_code == 400 and "kein PNG- oder JPEG-Bild" in response.content.decode()
