"""Two people editing one consultation lose nothing; a create form sent three times makes one record."""

import pytest
from django.test import Client
from django.urls import reverse

from casework.models import Consultation, Topic
from tests.casework.consultations.test_sharing import browser_data

pytestmark = pytest.mark.django_db


def test_second_stale_edit_is_refused_and_nothing_is_lost(people, records, unit_mo):
    consultation = records["own"]
    url = reverse("casework:consultation_edit", kwargs={"pk": consultation.pk})
    aylin, thomas = Client(), Client()
    aylin.force_login(people["advisor_mo"])
    thomas.force_login(people["coordinator_mo"])
    aylin_form, thomas_form = aylin.get(url), thomas.get(url)

    assert aylin.post(url, browser_data(aylin_form, summary="Aylins Fassung")).status_code == 302
    refused = thomas.post(url, browser_data(thomas_form, agreements="Thomas' Vereinbarung"))

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Inzwischen hat Aylin Demir diesen Datensatz geändert (Zusammenfassung)" in page
    assert "Thomas&#x27; Vereinbarung" in page  # his input is still in the form
    consultation.refresh_from_db()
    assert consultation.summary == "Aylins Fassung"
    assert consultation.agreements != "Thomas' Vereinbarung"
    # Having seen the message, a deliberate second save goes through and keeps Aylin's summary.
    assert thomas.post(url, browser_data(refused, summary="Aylins Fassung")).status_code == 302
    consultation.refresh_from_db()
    assert (consultation.summary, consultation.agreements) == ("Aylins Fassung", "Thomas' Vereinbarung")


def test_create_form_sent_three_times_makes_one_record(client, people, records, unit_mo):
    client.force_login(people["advisor_mo"])
    url = reverse("casework:consultation_create")
    form = client.get(url, {"organisation": records["org_own"].pk})
    data = browser_data(
        form,
        unit=unit_mo.pk,
        organisation=records["org_own"].pk,
        topics=[Topic.objects.filter(unit=unit_mo).first().pk],
        summary="Doppelklick",
        follow_up_what="",
    )
    before = Consultation.objects.count()
    answers = [client.post(url, data) for _ in range(3)]  # double click, then back button and send again
    assert Consultation.objects.count() == before + 1
    created = Consultation.objects.get(summary="Doppelklick")
    target = reverse("casework:consultation_detail", kwargs={"pk": created.pk})
    assert [answer.status_code for answer in answers] == [302, 302, 302]
    assert {answer["Location"] for answer in answers} == {target}
    assert "bereits gespeichert" in client.get(target).content.decode()
