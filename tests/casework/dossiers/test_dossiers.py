"""Dossiers of an organisation and of a consultation: exactly what the person may see, on screen and in the PDF."""

import datetime
import io
import unicodedata

import pypdf
import pytest
from django.urls import reverse

from casework.audit.models import AccessEvent
from casework.models import Assessment, Case, CaseGoal, CaseOutcome, Event, FollowUp, QualityArea
from casework.roles import ADVISOR, role_group
from tests.conftest import make_person
from tests.factories import ConsultationFactory, OrganisationFactory

# An organisation of both units, with records of each unit, joint ones and shared ones.
ORG_NAME = "Kültür ve Dayanışma Derneği Gießen e.V."
ARABIC_NAME = "محمد العلي"
MO_ONLY = "MO-Notiz: Satzung überarbeitet"
MO_SHARED = "Gemeinsam: Förderantrag WIR vorbereitet"
LOTS_ONLY = "Lots-Notiz: Einsatzplanung der Lots*innen"
LOTS_SHARED = "Gemeinsam (Lots): Basisqualifizierung geplant"
MO_CASE = "MO-Prozess: Eintragung ins Vereinsregister"
LOTS_CASE = "Lots-Prozess: Aufbau der Koordination"
MO_EVENT = "MO-Schulung Vereinsfinanzen"
LOTS_EVENT = "Lots-Vernetzungstreffen Mittelhessen"
JOINT_EVENT = "Fachtag Vielfalt gemeinsam"
LOTS_NOTE = "Lots-Anmerkung zur Standortbestimmung"

SEEN_BY = {
    "advisor_mo": {MO_ONLY, MO_SHARED, LOTS_SHARED, MO_CASE, MO_EVENT, JOINT_EVENT},
    "advisor_lots": {LOTS_ONLY, LOTS_SHARED, MO_SHARED, LOTS_CASE, LOTS_EVENT, JOINT_EVENT},
}
ALL_MARKERS = {MO_ONLY, MO_SHARED, LOTS_ONLY, LOTS_SHARED, MO_CASE, LOTS_CASE, MO_EVENT, LOTS_EVENT, JOINT_EVENT}


def day(month, dom):
    return datetime.date(2026, month, dom)


@pytest.fixture
def dossier(people, unit_mo, unit_lots):
    org = OrganisationFactory(units=[unit_mo, unit_lots], name=ORG_NAME, kind="guide_project")
    for name in ["Zeynep Yılmaz", "Oskar Weiß", ARABIC_NAME, "Ömer Aksoy", "Ayşe Çelik"]:
        org.contacts.create(name=name, function="Vorstand", consent_date=day(1, 5))
    mo, lots = people["advisor_mo"], people["advisor_lots"]
    lots.first_name, lots.last_name = "Gökçe", "Şahin"
    lots.save()
    consultations = {
        MO_ONLY: ConsultationFactory(unit=unit_mo, organisation=org, date=day(1, 10), summary=MO_ONLY, advisors=[mo]),
        LOTS_ONLY: ConsultationFactory(
            unit=unit_lots, organisation=org, date=day(1, 20), summary=LOTS_ONLY, advisors=[lots]
        ),
        MO_SHARED: ConsultationFactory(
            unit=unit_mo, shared_with=unit_lots, organisation=org, date=day(2, 5), summary=MO_SHARED, advisors=[mo]
        ),
        LOTS_SHARED: ConsultationFactory(
            unit=unit_lots, shared_with=unit_mo, organisation=org, date=day(3, 1), summary=LOTS_SHARED, advisors=[lots]
        ),
    }
    mo_case = Case.objects.create(
        unit=unit_mo,
        organisation=org,
        title=MO_CASE,
        goal=CaseGoal.objects.filter(unit=unit_mo).first(),
        opened_on=day(1, 10),
    )
    mo_case.outcomes_reached.create(outcome=CaseOutcome.objects.filter(unit=unit_mo).first(), reached_on=day(2, 1))
    Case.objects.create(
        unit=unit_lots,
        organisation=org,
        title=LOTS_CASE,
        goal=CaseGoal.objects.filter(unit=unit_lots).first(),
        opened_on=day(1, 20),
    )
    # The shared consultation belongs to MO's case: the partner unit sees the consultation, not the case.
    consultations[MO_SHARED].case = mo_case
    consultations[MO_SHARED].save(update_fields=["case"])
    FollowUp.objects.create(
        unit=unit_mo,
        consultation=consultations[MO_SHARED],
        due_on=day(2, 20),
        what="Antrag nachreichen",
        assigned_to=mo,
    )
    for title, unit, joint in [
        (MO_EVENT, unit_mo, False),
        (LOTS_EVENT, unit_lots, False),
        (JOINT_EVENT, unit_mo, True),
    ]:
        event = Event.objects.create(
            unit=unit, is_joint=joint, title=title, kind="training", date=day(2, 1), format="in_person", participants=9
        )
        event.organisations.add(org)
    criterion = QualityArea.objects.filter(unit=unit_lots).first().criteria.first()
    assessment = Assessment.objects.create(unit=unit_lots, organisation=org, date=day(2, 10), note=LOTS_NOTE)
    assessment.ratings.create(criterion=criterion, rating="met")
    return {"org": org, "criterion": criterion, **consultations}


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    # Shaped Arabic comes out as presentation forms: NFKC folds them back to letters.
    return unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in reader.pages))


def get(client, person, name, pk):
    client.force_login(person)
    return client.get(reverse(f"casework:{name}", args=[pk]))


# --- Organisation dossier ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["advisor_mo", "advisor_lots"])
def test_organisation_dossier_shows_only_what_the_unit_sees(client, people, dossier, role):
    html = get(client, people[role], "organisation_dossier", dossier["org"].pk).content.decode()
    for marker in SEEN_BY[role]:
        assert marker in html, marker
    for marker in ALL_MARKERS - SEEN_BY[role]:
        assert marker not in html, marker


@pytest.mark.django_db
def test_organisation_dossier_quality_profile_only_for_the_quality_unit(client, people, dossier):
    criterion = dossier["criterion"].text
    assert criterion in get(client, people["advisor_lots"], "organisation_dossier", dossier["org"].pk).content.decode()
    assert (
        criterion not in get(client, people["advisor_mo"], "organisation_dossier", dossier["org"].pk).content.decode()
    )


@pytest.mark.django_db
def test_organisation_dossier_orders_names_in_german_and_records_by_date(client, people, dossier):
    html = get(client, people["advisor_mo"], "organisation_dossier", dossier["org"].pk).content.decode()
    # Ö sorts with O (Ömer before Oskar), not after Z; Arabic script after Latin.
    names = ["Ayşe Çelik", "Ömer Aksoy", "Oskar Weiß", "Zeynep Yılmaz", ARABIC_NAME]
    positions = [html.index(name) for name in names]
    assert positions == sorted(positions)
    # MO sees its consultation of 10 Jan, its shared one of 5 Feb and the Lots one shared with MO of 1 Mar.
    dates = [html.index(text) for text in (MO_ONLY, MO_SHARED, LOTS_SHARED)]
    assert dates == sorted(dates)
    assert ORG_NAME in html


@pytest.mark.django_db
def test_organisation_dossier_of_a_foreign_organisation_is_404(client, people, records):
    assert get(client, people["advisor_mo"], "organisation_dossier", records["org_foreign"].pk).status_code == 404
    assert get(client, people["advisor_mo"], "organisation_dossier_pdf", records["org_foreign"].pk).status_code == 404
    assert not AccessEvent.objects.filter(kind=AccessEvent.Kind.DOWNLOAD).exists()


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, dossier):
    for name, pk in [
        ("organisation_dossier", dossier["org"].pk),
        ("organisation_dossier_pdf", dossier["org"].pk),
        ("consultation_dossier", dossier[MO_ONLY].pk),
        ("consultation_dossier_pdf", dossier[MO_ONLY].pk),
    ]:
        response = client.get(reverse(f"casework:{name}", args=[pk]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["advisor_mo", "advisor_lots"])
def test_organisation_pdf_shows_only_what_the_unit_sees(client, people, dossier, role):
    response = get(client, people[role], "organisation_dossier_pdf", dossier["org"].pk)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="Dossier_kultur-ve-dayanisma-dernegi-giessen-ev_'
    )
    text = pdf_text(response.content)
    for marker in SEEN_BY[role]:
        assert marker in text, marker
    for marker in ALL_MARKERS - SEEN_BY[role]:
        assert marker not in text, marker
    # Turkish and German letters and Arabic script come through as text.
    for name in [ORG_NAME, "Ayşe Çelik", "Oskar Weiß", "Zeynep Yılmaz"]:
        assert name in text, name
    assert all(word in text or word[::-1] in text for word in ARABIC_NAME.split()), ARABIC_NAME
    # Header, date, printer and page numbers.
    assert "Stand: " in text
    assert "Gedruckt von" in text
    assert "Seite 1 von" in text
    unit_name = "Fachstelle Migrantische Organisationen" if role == "advisor_mo" else "Fachstelle WIR-Lots*innen"
    assert unit_name in text


@pytest.mark.django_db
def test_pdf_is_german_a4_with_embedded_fonts(client, people, dossier):
    client.cookies["django_language"] = "en"
    response = get(client, people["advisor_mo"], "organisation_dossier_pdf", dossier["org"].pk)
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert reader.trailer["/Root"]["/Lang"] == "de"
    width, height = (float(value) for value in reader.pages[0].mediabox[2:])
    assert (round(width * 25.4 / 72), round(height * 25.4 / 72)) == (210, 297)
    fonts = [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    assert fonts
    for font in fonts:
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = descendant["/FontDescriptor"]
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font
    assert "Stammdaten" in pdf_text(response.content)
    # The print view follows the chosen language; the PDF does not.
    page = client.get(reverse("casework:organisation_dossier", args=[dossier["org"].pk])).content.decode()
    assert "Basic data" in page


@pytest.mark.django_db
def test_pdf_download_is_logged(client, people, dossier):
    get(client, people["advisor_mo"], "organisation_dossier_pdf", dossier["org"].pk)
    get(client, people["advisor_mo"], "consultation_dossier_pdf", dossier[MO_ONLY].pk)
    entries = AccessEvent.objects.filter(kind=AccessEvent.Kind.DOWNLOAD, user=people["advisor_mo"]).order_by("pk")
    assert [(e.target_kind, e.target_id) for e in entries] == [
        ("organisation", str(dossier["org"].pk)),
        ("consultation", str(dossier[MO_ONLY].pk)),
    ]
    # The print view is not a download.
    get(client, people["advisor_mo"], "organisation_dossier", dossier["org"].pk)
    assert entries.count() == 2


# --- Consultation dossier ------------------------------------------------------------------------


@pytest.mark.django_db
def test_consultation_dossier_of_the_other_unit_is_404(client, people, dossier):
    assert get(client, people["advisor_lots"], "consultation_dossier", dossier[MO_ONLY].pk).status_code == 404
    assert get(client, people["advisor_lots"], "consultation_dossier_pdf", dossier[MO_ONLY].pk).status_code == 404
    assert get(client, people["advisor_mo"], "consultation_dossier", dossier[LOTS_ONLY].pk).status_code == 404


@pytest.mark.django_db
def test_consultation_dossier_names_the_case_only_to_its_unit(client, people, dossier):
    pk = dossier[MO_SHARED].pk
    mo = get(client, people["advisor_mo"], "consultation_dossier", pk).content.decode()
    lots = get(client, people["advisor_lots"], "consultation_dossier", pk).content.decode()
    for html in (mo, lots):
        assert MO_SHARED in html
        assert "Antrag nachreichen" in html
        assert ORG_NAME in html
    assert MO_CASE in mo
    assert MO_CASE not in lots


@pytest.mark.django_db
def test_consultation_pdf(client, people, dossier):
    response = get(client, people["advisor_lots"], "consultation_dossier_pdf", dossier[MO_SHARED].pk)
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert MO_SHARED in text
    assert ORG_NAME in text
    assert "Antrag nachreichen" in text
    assert MO_CASE not in text
    assert "Fachstelle WIR-Lots*innen" in text
    assert "Seite 1 von 1" in text


@pytest.mark.django_db
def test_consultation_dossier_lists_advisors_in_german_order(client, people, dossier, unit_mo):
    group = role_group(unit_mo, ADVISOR)
    advisors = [
        make_person("zoe", group, first_name="Zoë", last_name="Zander"),
        make_person("oe", group, first_name="Öykü", last_name="Özkan"),
        make_person("os", group, first_name="Olaf", last_name="Ott"),
    ]
    consultation = dossier[MO_ONLY]
    consultation.advisors.add(*advisors)
    html = get(client, people["advisor_mo"], "consultation_dossier", consultation.pk).content.decode()
    # Demir, Ott, Özkan (Ö as O: "ozkan" after "ott"), Zander.
    positions = [html.index(name) for name in ["Aylin Demir", "Olaf Ott", "Öykü Özkan", "Zoë Zander"]]
    assert positions == sorted(positions)


# --- Query counts ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("visible", [2, 20])
def test_organisation_dossier_queries_do_not_grow(
    client, people, dossier, unit_mo, unit_lots, visible, django_assert_max_num_queries
):
    """The Lots*innen advisor's dossier of a project with `visible` consultations (half of them MO's, shared)."""
    org = OrganisationFactory(units=[unit_mo, unit_lots], name="Lotsenprojekt Fulda", kind="guide_project")
    lots, mo = people["advisor_lots"], people["advisor_mo"]
    ConsultationFactory.create_batch(visible // 2, unit=unit_lots, organisation=org, date=day(4, 1), advisors=[lots])
    ConsultationFactory.create_batch(
        visible // 2, unit=unit_mo, shared_with=unit_lots, organisation=org, date=day(4, 2), advisors=[mo, lots]
    )
    ConsultationFactory.create_batch(3, unit=unit_mo, organisation=org, date=day(4, 3), advisors=[mo])  # not visible
    org.contacts.create(name="Emine Doğan", consent_date=day(1, 5))
    client.force_login(lots)
    url = reverse("casework:organisation_dossier", args=[org.pk])
    with django_assert_max_num_queries(19):
        response = client.get(url)
    assert response.content.decode().count('class="dossier-record ') == visible


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 18])
def test_consultation_dossier_queries_do_not_grow(client, people, dossier, extra, django_assert_max_num_queries):
    consultation = dossier[MO_SHARED]
    for n in range(extra):
        FollowUp.objects.create(
            unit=consultation.unit,
            consultation=consultation,
            due_on=day(5, 1),
            what=f"Schritt {n}",
            assigned_to=people["advisor_mo"],
        )
    client.force_login(people["advisor_mo"])
    url = reverse("casework:consultation_dossier", args=[consultation.pk])
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200


# --- Buttons on the detail pages -------------------------------------------------------------------


@pytest.mark.django_db
def test_detail_pages_offer_the_dossier(client, people, dossier):
    client.force_login(people["advisor_lots"])
    org, consultation = dossier["org"].pk, dossier[MO_SHARED].pk
    organisation_page = client.get(reverse("organisations:organisation_detail", args=[org])).content.decode()
    consultation_page = client.get(reverse("casework:consultation_detail", args=[consultation])).content.decode()
    assert reverse("casework:organisation_dossier", args=[org]) in organisation_page
    assert reverse("casework:organisation_dossier_pdf", args=[org]) in organisation_page
    assert reverse("casework:consultation_dossier", args=[consultation]) in consultation_page
    assert reverse("casework:consultation_dossier_pdf", args=[consultation]) in consultation_page
    assert "Dossier drucken" in organisation_page and "Dossier drucken" in consultation_page


@pytest.mark.django_db
def test_print_view_links_its_pdf_and_names_the_printer(client, people, dossier):
    response = get(client, people["advisor_mo"], "consultation_dossier", dossier[MO_ONLY].pk)
    html = response.content.decode()
    assert reverse("casework:consultation_dossier_pdf", args=[dossier[MO_ONLY].pk]) in html
    assert "Stand: " in html and "Gedruckt von Aylin Demir" in html
    assert "Fachstelle Migrantische Organisationen" in html
