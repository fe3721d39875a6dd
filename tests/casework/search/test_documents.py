"""Search documents follow every change of the names around a record (casework/search/documents.py)."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from casework.models import Case, CaseGoal, Consultation, Event, Topic
from casework.privacy.erasure import organisation_anonymise
from casework.search import documents
from casework.search.query import matching_cases, matching_events
from casework.search.text import normalise
from organisations.services import organisation_merge
from tests.casework.search.conftest import consultations_found
from tests.factories import ConsultationFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


PLAN = {"name": "scan"}


@pytest.fixture(params=["index", "scan"], autouse=True)
def plan(request, monkeypatch):
    """Every test under both ways a search is read (conftest.plan): the index must follow, not only the column."""
    monkeypatch.setitem(PLAN, "name", request.param)
    return request.param


def found(text):
    return consultations_found(Consultation.objects.all(), text, PLAN["name"])


@pytest.fixture
def consultation(unit_mo):
    advisor = UserFactory(first_name="Çiğdem", last_name="Şahin")
    organisation = OrganisationFactory(units=[unit_mo], name="Äthiopischer Kulturverein", municipality="Wetzlar")
    topic = Topic.objects.create(unit=unit_mo, name="Fördermittel")
    return ConsultationFactory(
        unit=unit_mo, organisation=organisation, summary="Kassenprüfung", agreements="", advisors=[advisor],
        topics=[topic],
    )  # fmt: skip


def in_case(consultation, title, **fields):
    """A new case of the consultation's organisation, with the consultation in it."""
    case = Case.objects.create(
        unit=consultation.unit, organisation=consultation.organisation, title=title, goal=CaseGoal.objects.first(),
        opened_on=datetime.date(2026, 3, 1), **fields,
    )  # fmt: skip
    consultation.case = case
    consultation.save()
    return case


def test_the_document_holds_the_text_and_every_name_around_it(consultation):
    consultation.refresh_from_db()
    for part in ("kassenprufung", "athiopischer kulturverein", "wetzlar", "fordermittel", "cigdem sahin"):
        assert part in consultation.search_text


def test_a_renamed_organisation_is_found_by_its_new_name_only(consultation):
    organisation = consultation.organisation
    organisation.name = "Eritreische Gemeinde"
    organisation.municipality = "Gießen"
    organisation.save()
    assert found("eritreische giessen") == [consultation]
    assert found("athiopischer") == []
    assert found("wetzlar") == []


def test_a_renamed_topic_case_and_advisor_are_found_by_their_new_names(consultation):
    topic = consultation.topics.get()
    topic.name = "Vereinsgründung"
    topic.save()
    case = in_case(consultation, "Dachverband")
    case.title = "Landesverband"
    case.save()
    advisor = consultation.advisors.get()
    advisor.last_name = "Yılmaz"
    advisor.save()
    assert found("vereinsgrundung landesverband yilmaz") == [consultation]
    assert found("fordermittel") == found("dachverband") == found("sahin") == []


def test_links_changed_from_either_side_change_the_document(consultation, unit_mo):
    topic = Topic.objects.create(unit=unit_mo, name="Digitale Kassenführung")
    topic.consultations.add(consultation)  # from the topic's side
    assert found("digitale kassenfuhrung") == [consultation]
    topic.consultations.clear()
    assert found("digitale kassenfuhrung") == []
    consultation.topics.clear()
    assert found("fordermittel") == []
    partner = UserFactory(first_name="Jürgen", last_name="Weiß")
    consultation.advisors.add(partner)
    assert found("juergen weiss") == [consultation]
    consultation.advisors.remove(partner)
    assert found("weiss") == []


def test_a_deleted_case_and_person_leave_the_document(consultation):
    case = in_case(consultation, "Dachverband")
    assert found("dachverband") == [consultation]
    case.delete()
    assert found("dachverband") == []
    consultation.advisors.get().delete()
    assert found("sahin") == []


def test_merged_and_anonymised_organisations_leave_no_old_name(consultation, unit_mo, people):
    kept = OrganisationFactory(units=[unit_mo], name="Afrikanischer Dachverband Lahn", municipality="Wetzlar")
    organisation_merge(keep=kept, remove=consultation.organisation, by=people["coordinator_mo"])
    assert found("lahn") == [consultation]
    assert found("athiopischer") == []
    organisation_anonymise(organisation=kept, by=people["coordinator_mo"])
    assert found("lahn") == []
    assert found("wetzlar") == []


def test_signing_in_does_not_touch_the_documents(consultation, django_assert_max_num_queries):
    advisor = consultation.advisors.get()
    with django_assert_max_num_queries(1):
        advisor.save(update_fields=["last_login"])  # what every sign-in does


def test_refresh_all_mends_documents_written_in_bulk(consultation, unit_mo):
    """Bulk writes (the demo generator, raw SQL) pass the signals; refresh_all writes only what changed."""
    Consultation.objects.filter(pk=consultation.pk).update(search_text="")
    untouched = ConsultationFactory(unit=unit_mo, summary="Satzung", agreements="")
    assert found("wetzlar") == []
    assert documents.refresh_all() == 1  # only the emptied one
    assert found("wetzlar") == [consultation]
    assert found("satzung") == [untouched]
    assert documents.refresh_all() == 0


def test_people_without_a_name_are_found_by_their_user_name_only_then(unit_mo):
    nameless = get_user_model().objects.create(username="gast-lots")
    named = UserFactory(username="beratung-mo", first_name="Ayşe", last_name="Demir")
    consultation = ConsultationFactory(unit=unit_mo, advisors=[nameless, named])
    assert found("gast-lots") == [consultation]
    assert found("beratung-mo") == []


def test_words_shorter_than_a_trigram_are_tested_on_the_rows(consultation, unit_mo):
    """FTS5's trigram table cannot look up "ka": the rows the other words found are tested for it."""
    ConsultationFactory(unit=unit_mo, summary="Kassenbuch", agreements="")
    assert found("ka wetzlar") == [consultation]
    assert len(found("ka")) == 2


def cases_found(text):
    return list(matching_cases(Case.objects.all(), text))


def events_found(text):
    return list(matching_events(Event.objects.all(), text))


def test_a_case_is_found_by_its_organisation_and_person_responsible_and_follows_them(consultation):
    advisor = consultation.advisors.get()
    case = in_case(consultation, "Dachverband", responsible=advisor, description="Satzung überarbeiten")
    assert cases_found("dachverband athiopischer wetzlar cigdem sahin satzung uberarbeiten") == [case]
    organisation = consultation.organisation
    organisation.name = "Eritreische Gemeinde"
    organisation.save()
    advisor.first_name = "Ayşe"
    advisor.save()
    assert cases_found("eritreische ayse") == [case]
    assert cases_found("athiopischer") == cases_found("cigdem") == []
    advisor.delete()
    assert cases_found("sahin") == []
    assert cases_found("eritreische") == [case]


def test_an_event_is_found_by_its_topics_and_organisations_and_follows_their_links(consultation, unit_mo):
    event = Event.objects.create(
        unit=unit_mo, title="Fachtag Ehrenamt", kind="conference", date=datetime.date(2026, 3, 1), format="online"
    )
    event.organisations.add(consultation.organisation)
    event.topics.add(consultation.topics.get())
    assert events_found("fachtag athiopischer wetzlar fordermittel") == [event]
    topic = consultation.topics.get()
    topic.name = "Engagementförderung"
    topic.save()
    assert events_found("engagementforderung") == [event]
    assert events_found("fordermittel") == []
    topic.events.clear()  # from the topic's side
    assert events_found("engagementforderung") == []
    event.organisations.remove(consultation.organisation)
    assert events_found("athiopischer") == []
    other = OrganisationFactory(units=[unit_mo], name="Kurdischer Elternverein")
    event.organisations.add(other)
    assert events_found("kurdischer") == [event]
    other.delete()
    assert events_found("kurdischer") == []


def test_a_save_with_its_links_writes_the_document_once(unit_mo, monkeypatch):
    """The save, each link set and the history entry's post_save ask for it; deferred() writes it once."""
    written = []
    real = documents.refresh
    monkeypatch.setattr(documents, "refresh", lambda label, ids, **kw: written.append(label) or real(label, ids, **kw))
    advisors = [UserFactory(), UserFactory()]
    consultation = ConsultationFactory(unit=unit_mo, advisors=advisors, summary="Vorstandswahl")
    assert written == ["casework.Consultation"]
    assert found("vorstandswahl") == [consultation]
    assert normalise(advisors[1].last_name) in Consultation.objects.get(pk=consultation.pk).search_text
