"""The tail paginator returns exactly the rows Django's Paginator returns, on every page."""

import pytest
from django.core.paginator import Paginator
from django.urls import reverse

from casework.models import Consultation
from casework.ui.pagination import TailPaginator, _ends_with_pk
from tests.factories import ConsultationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("total", [0, 1, 5, 6, 7, 10, 23])
@pytest.mark.parametrize("orphans", [0, 2])
@pytest.mark.parametrize("first_page", [False, True])
def test_same_rows_as_django_paginator(unit_mo, total, orphans, first_page):
    organisation = OrganisationFactory(units=[unit_mo])
    for day in range(total):
        # Several consultations share a date, so the primary key decides the order.
        ConsultationFactory(unit=unit_mo, organisation=organisation, date=f"2026-03-{1 + day % 3:02d}")
    queryset = Consultation.objects.order_by("-date", "-id")
    expected = Paginator(queryset, 5, orphans=orphans)
    actual = TailPaginator(queryset, 5, orphans=orphans, first_page=first_page)
    assert actual.num_pages == expected.num_pages
    assert actual.count == expected.count
    for number in expected.page_range:
        assert list(actual.page(number)) == list(expected.page(number)), number


def test_a_first_page_holding_every_row_needs_no_count(unit_mo, django_assert_num_queries):
    """A narrow search scans the table once: the first page's rows tell the count."""
    organisation = OrganisationFactory(units=[unit_mo])
    ConsultationFactory.create_batch(3, unit=unit_mo, organisation=organisation)
    queryset = Consultation.objects.order_by("-date", "-id")
    with django_assert_num_queries(1):
        page = TailPaginator(queryset, 5, first_page=True).page(1)
        assert (page.paginator.count, len(page)) == (3, 3)
    with django_assert_num_queries(2):  # without knowing it is page 1: count, then the rows
        page = TailPaginator(queryset, 5).page(1)
        assert (page.paginator.count, len(list(page))) == (3, 3)


def test_only_total_orderings_are_read_backwards():
    """Reading backwards could reorder ties: only orderings ending in the primary key qualify."""
    assert _ends_with_pk(Consultation.objects.order_by("-date", "-id"))
    assert _ends_with_pk(Consultation.objects.all())  # Meta.ordering ends with -id
    assert not _ends_with_pk(Consultation.objects.order_by("-date"))
    assert not _ends_with_pk(Consultation.objects.order_by("?"))


def test_capped_count_stops_counting_and_limits_pages(unit_mo):
    organisation = OrganisationFactory(units=[unit_mo])
    ConsultationFactory.create_batch(12, unit=unit_mo, organisation=organisation)
    queryset = Consultation.objects.order_by("-date", "-id")
    capped = TailPaginator(queryset, 2, count_cap=8)
    assert capped.count_capped
    assert capped.num_pages == 4
    assert list(capped.page(4)) == list(Paginator(queryset, 2).page(4))
    exact = TailPaginator(queryset, 2, count_cap=20)
    assert not exact.count_capped
    assert (exact.count, exact.num_pages) == (12, 6)


def test_a_moving_cap_is_shown_as_a_round_number():
    paginator = TailPaginator(Consultation.objects.none(), 25, count_cap=1050)
    assert paginator.count_at_least == 1000
    assert TailPaginator(Consultation.objects.none(), 25, count_cap=2400).count_at_least == 2000
    assert TailPaginator(Consultation.objects.none(), 25, count_cap=225).count_at_least == 200


@pytest.fixture
def list_of_seven(client, people, unit_mo, settings, monkeypatch):
    """Seven consultations, three per page, counted at most five (text search: four) rows past a page's start."""
    from casework.consultations import views

    monkeypatch.setattr(views, "COUNT_CAP", 5)
    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 4)
    settings.PAGE_SIZE = 3
    organisation = OrganisationFactory(units=[unit_mo])
    ConsultationFactory.create_batch(7, unit=unit_mo, organisation=organisation, summary="Satzung besprochen")
    client.force_login(people["advisor_mo"])
    return lambda **params: client.get(reverse("casework:consultation_list"), params)


def test_long_lists_are_counted_only_a_little_past_the_page(list_of_seven):
    for params, cap in (({}, 5), ({"q": "Satzung"}, 4)):
        html = list_of_seven(**params).content.decode()
        assert f"Mehr als {cap} Beratungen gefunden, die neuesten zuerst." in html
        assert "Seite 1<" in html and "weiter" in html and "letzte" not in html  # no last page: not counted


def test_the_count_moves_with_the_page_so_every_row_is_reachable(list_of_seven):
    page = list_of_seven(page=2).context["page"]  # counts up to 3 + 5 rows: all seven, exactly
    assert not page.paginator.count_capped
    assert (page.paginator.count, page.paginator.num_pages) == (7, 3)
    last = list_of_seven(page=3).context["page"]
    assert [c.pk for c in last] == [Consultation.objects.order_by("-date", "-id").last().pk]
    html = list_of_seven(page=3).content.decode()
    assert "7 Beratungen" in html and "Seite 3 von 3" in html
    assert list_of_seven(page=3).context["page"].paginator.count_cap is None  # past the cap: counted exactly


def test_a_search_stays_counted_only_a_little_past_even_a_deep_page(list_of_seven):
    """Deep pages of a search read the ids up to the moved cap, not an exact count testing every row."""
    found = list(Consultation.objects.order_by("-date", "-id").values_list("pk", flat=True))
    page = list_of_seven(q="Satzung", page=3).context["page"]  # start 6 ≥ cap 4: still capped at 6 + 4
    assert page.paginator.count_cap == 10
    assert (page.paginator.count, page.paginator.num_pages) == (7, 3)
    assert [c.pk for c in page] == found[6:]


@pytest.mark.parametrize("page", ["0", "-5", "abc", "99999999999999999999999", "1e3"])
def test_odd_page_numbers_show_a_page_and_never_fail(list_of_seven, page):
    assert list_of_seven(page=page).status_code == 200


@pytest.mark.parametrize("total", [0, 3, 5, 10, 11, 13])
def test_ids_first_gives_the_same_pages(unit_mo, total, django_assert_num_queries):
    """Reading the ids up to the cap first, then each page's rows by id: the same rows and count as Django's."""
    organisation = OrganisationFactory(units=[unit_mo])
    for day in range(total):
        ConsultationFactory(unit=unit_mo, organisation=organisation, date=f"2026-03-{1 + day % 3:02d}")
    queryset = Consultation.objects.order_by("-date", "-id")
    expected = Paginator(queryset, 5)
    fetched = []

    def rows_by_id(ids):
        fetched.append(list(ids))
        return Consultation.objects.filter(pk__in=ids)

    pages = [list(expected.page(number)) for number in expected.page_range]
    actual = TailPaginator(queryset, 5, count_cap=10, rows_by_id=rows_by_id)
    with django_assert_num_queries(2 if total else 1):  # the ids (with the count), then the page's rows
        assert list(actual.page(1)) == pages[0]
    for number in range(2, actual.num_pages + 1):
        with django_assert_num_queries(1):  # only the page's rows
            assert list(actual.page(number)) == pages[number - 1], number
    assert actual.count == min(total, 11)  # one past the cap tells "more than 10"
    assert actual.count_capped == (total > 10)
    assert all(len(ids) <= 5 for ids in fetched)
