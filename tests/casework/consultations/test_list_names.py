"""Lists read topic and advisor names as plain values (casework.consultations.names.with_names)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.consultations.names import with_names
from casework.models import Consultation, Topic
from tests.factories import ConsultationFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_names_in_catalogue_order_and_advisors_in_the_order_added(unit_mo):
    second = Topic.objects.create(unit=unit_mo, name="Öffentlichkeitsarbeit", position=2)
    first = Topic.objects.create(unit=unit_mo, name="Şahin-Stiftung beraten", position=1)
    joint = Topic.objects.create(unit=None, name="Vernetzung", position=9)
    named = UserFactory(first_name="Çiğdem", last_name="Yılmaz")
    nameless = UserFactory(first_name="", last_name="", username="beratung-x")
    consultation = ConsultationFactory(unit=unit_mo, topics=[second, joint, first], advisors=[named])
    # One by one: set() links several in the order of a Python set of ids, which depends on their values.
    consultation.advisors.add(nameless)
    bare = ConsultationFactory(unit=unit_mo, topics=[], advisors=[])
    rows = {c.pk: c for c in with_names(Consultation.objects.filter(pk__in=[consultation.pk, bare.pk]))}
    assert rows[consultation.pk].topic_names == "Vernetzung, Şahin-Stiftung beraten, Öffentlichkeitsarbeit"
    assert rows[consultation.pk].advisor_names == "Çiğdem Yılmaz, beratung-x"
    assert (rows[bare.pk].topic_names, rows[bare.pk].advisor_names) == ("", "")


def test_the_list_shows_the_names(client, unit_mo, people):
    advisor = UserFactory(first_name="Ayşe", last_name="Güneş")
    topic = Topic.objects.create(unit=unit_mo, name="Gemeinnützigkeit", position=1)
    ConsultationFactory(unit=unit_mo, topics=[topic], advisors=[advisor])
    client.force_login(people["coordinator_mo"])
    page = client.get(reverse("casework:consultation_list")).content.decode()
    assert "<td>Gemeinnützigkeit</td>" in page
    assert "<td>Ayşe Güneş</td>" in page


def test_no_consultations_no_query(django_assert_num_queries):
    with django_assert_num_queries(1):  # the consultations themselves
        assert with_names(Consultation.objects.none() | Consultation.objects.filter(pk=0)) == []


@pytest.mark.django_db
def test_list_rows_escape_names_and_show_every_column(client, people, unit_mo):
    """The rows are built by a tag (casework/templatetags/consultation_rows.py), not the template language."""
    organisation = OrganisationFactory(units=[unit_mo], name='<b>Şahin & "Söhne"</b> جمعية', municipality="Gießen")
    consultation = ConsultationFactory(unit=unit_mo, organisation=organisation, date=datetime.date(2026, 3, 2))
    client.force_login(people["coordinator_mo"])
    html = client.get(reverse("casework:consultation_list")).content.decode()
    assert "&lt;b&gt;Şahin &amp; &quot;Söhne&quot;&lt;/b&gt; جمعية" in html
    assert "<b>Şahin" not in html
    row = html[html.index(reverse("casework:consultation_detail", args=[consultation.pk])) :]
    row = row[: row.index("</tr>")]
    for shown in ("02.03.2026", "Frankfurt am Main", "unit-badge unit-mo", "90 min", consultation.get_format_display()):
        assert shown in row


@pytest.mark.parametrize("query", ["", "?q=Satzung"])
def test_the_list_leaves_the_texts_unread(client, people, unit_mo, query):
    """A row shows names, date, format and duration: summary, agreements and search documents stay in the database."""
    ConsultationFactory(unit=unit_mo, summary="Satzung besprochen", agreements="Entwurf schicken")
    client.force_login(people["coordinator_mo"])
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("casework:consultation_list") + query).content.decode()
    assert "Frankfurt am Main" in page  # the row is there
    columns_read = [q["sql"].partition(" FROM ")[0] for q in captured]  # a search may test search_text
    rows_read = [columns for columns in columns_read if '"casework_consultation"."duration_minutes"' in columns]
    assert rows_read
    for columns in rows_read:
        for text in ('"casework_consultation"."summary"', '"agreements"', '"search_text"'):
            assert text not in columns
