"""List and detail pages make a bounded number of queries, whatever the number of rows."""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ConsultationFactory, OrganisationFactory

MAX_QUERIES = 12
# Forms render one query per catalogue they offer (units, sharing, topics, advisors, cases, criteria).
MAX_FORM_QUERIES = 16
FORM_PAGES = {"casework:consultation_create", "casework:consultation_edit", "organisations:organisation_edit"}


def real_queries(captured):
    """Statements sent to the database, without transaction markers (SAVEPOINT / RELEASE)."""
    return [q["sql"] for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


@contextmanager
def assert_max_queries(limit):
    with CaptureQueriesContext(connection) as captured:
        yield
    queries = real_queries(captured.captured_queries)
    assert len(queries) <= limit, f"{len(queries)} queries (limit {limit}):\n" + "\n".join(q[:200] for q in queries)


@pytest.fixture
def many(people, unit_mo, unit_lots):
    organisation = OrganisationFactory(units=[unit_mo])
    for index in range(30):
        OrganisationFactory(units=[unit_mo, unit_lots] if index % 2 else [unit_mo])
    consultations = ConsultationFactory.create_batch(
        40, unit=unit_mo, organisation=organisation, advisors=[people["advisor_mo"], people["coordinator_mo"]]
    )
    ConsultationFactory.create_batch(5, unit=unit_mo, shared_with=unit_lots, organisation=organisation)
    return {"organisation": organisation, "consultation": consultations[0]}


PAGES = [
    ("casework:home", None, {}),
    ("casework:consultation_list", None, {}),
    ("casework:consultation_list", None, {"q": "Satzung", "unit": "1", "format": "office", "page": "2"}),
    ("casework:consultation_create", None, {}),
    ("casework:consultation_detail", "consultation", {}),
    ("casework:consultation_edit", "consultation", {}),
    ("organisations:organisation_list", None, {}),
    ("organisations:organisation_list", None, {"q": "Verein", "page": "2"}),
    ("organisations:organisation_detail", "organisation", {}),
    ("organisations:organisation_edit", "organisation", {}),
    ("organisations:picker", None, {"q": "Verein"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator_mo", "advisor_lots"])
@pytest.mark.parametrize(("name", "target", "params"), PAGES)
def test_bounded_queries(client, people, many, role, name, target, params):
    client.force_login(people[role])
    url = reverse(name, kwargs={"pk": many[target].pk} if target else None)
    client.get(url, params)  # warm the session
    with assert_max_queries(MAX_FORM_QUERIES if name in FORM_PAGES else MAX_QUERIES):
        response = client.get(url, params)
    # 403: the Lots*innen advisor sees the organisation through shared consultations, but does not change it.
    assert response.status_code in (200, 403, 404)


@pytest.mark.django_db
def test_queries_do_not_grow_with_rows(client, people, unit_mo, settings):
    """The same page with 3 and with 30 rows takes the same number of queries."""
    # Both beyond one page: a first page that holds every row saves its count query.
    settings.PAGE_SIZE = 2
    organisation = OrganisationFactory(units=[unit_mo])
    client.force_login(people["coordinator_mo"])
    url = reverse("casework:consultation_list")
    counts = []
    for batch in (3, 27):
        ConsultationFactory.create_batch(
            batch, unit=unit_mo, organisation=organisation, advisors=[people["advisor_mo"]]
        )
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts.append(len(captured))
    assert counts[0] == counts[1]
