"""The permission matrix's content dimension: no page shows a name or text of a record the role may not see.

Every name, title and free text of every unit's records carries a unique marker. Each role opens every page
of the matrix (every URL × own/foreign/shared target) plus searches, the organisation picker, the dashboard
of each unit and the report preview; no marker of a record the role may not see appears anywhere in the
HTML (lists, details, history, dashboard, pickers, report preview). Changes are saved through the models
so that the history holds the markers too.
"""

import pytest
from django.urls import reverse

from casework.models import Consultation
from tests.matrix import ROLES
from tests.test_permissions import MATRIX, URL_KWARGS, target_pk

pytestmark = pytest.mark.django_db

MO, LOTS, BOTH = "mo", "lots", "both"
# Who sees records of each visibility class.
SEES = {
    "anonymous": set(),
    "advisor_mo": {MO, BOTH},
    "coordinator_mo": {MO, BOTH},
    "advisor_lots": {LOTS, BOTH},
    "coordinator_lots": {LOTS, BOTH},
    "admin": {MO, LOTS, BOTH},
}


def _mark(record, visibility, markers, **fields):
    """Put a unique marker into each named field of `record` (saved, so the history holds it too)."""
    for field in fields:
        marker = f"Qx{len(markers):03d}{visibility}Qx"
        markers[marker] = visibility
        setattr(record, field, marker if fields[field] is None else fields[field].format(marker))
    record.save()


@pytest.fixture
def marked(matrix_records):
    """matrix_records with a marker in every name, title and free text; returns (records, markers)."""
    r, markers = matrix_records, {}
    _mark(r["org_own"], MO, markers, name=None, municipality=None)
    _mark(r["org_foreign"], LOTS, markers, name=None, municipality=None)
    _mark(r["org_shared"], BOTH, markers, name=None, municipality=None)
    _mark(r["contact_own"], MO, markers, name=None, function=None, email="{}@mo.example")
    _mark(r["contact_foreign"], LOTS, markers, name=None, function=None, email="{}@lots.example")
    _mark(r["contact_shared"], BOTH, markers, name=None, function=None)
    for consultation, visibility in ((r["own"], MO), (r["foreign"], LOTS), (r["shared"], BOTH)):
        _mark(consultation, visibility, markers, summary=None, agreements=None)
    for record in Consultation.objects.exclude(pk__in=[r["own"].pk, r["foreign"].pk, r["shared"].pk]):
        visibility = BOTH if record.shared_with_id else (MO if record.unit.code == "mo" else LOTS)
        _mark(record, visibility, markers, summary=None)
    _mark(r["case_own"], MO, markers, title=None, description=None)
    _mark(r["case_foreign"], LOTS, markers, title=None, description=None)
    _mark(r["case_shared"], MO, markers, title=None, description=None)  # MO's case: the partner never sees it
    _mark(r["follow_up_own"], MO, markers, what=None)
    _mark(r["follow_up_foreign"], LOTS, markers, what=None)
    _mark(r["follow_up_shared"], BOTH, markers, what=None)
    _mark(r["event_own"], MO, markers, title=None)
    _mark(r["event_foreign"], LOTS, markers, title=None)
    _mark(r["event_shared"], BOTH, markers, title=None)
    _mark(r["assessment_foreign"], LOTS, markers, note=None)
    _mark(r["assessment_shared"], LOTS, markers, note=None)
    _mark(r["quality_area_foreign"], LOTS, markers, name=None)
    _mark(r["quality_criterion_foreign"], LOTS, markers, text=None)
    # The shared consultation once named MO's own organisation and its case: the partner's history must not.
    shared = r["shared"]
    for organisation in (r["org_own"], r["org_shared"]):
        shared.organisation = organisation
        shared.save()
    return r, markers


def _pages(records):
    """Every GET page of the matrix for every target, plus searches and the views with parameters."""
    for name, (kind, targets) in MATRIX.items():
        for target in targets:
            pk = target_pk(records, kind, target)
            kwargs = URL_KWARGS.get(name)
            kwargs = kwargs(pk) if callable(kwargs) else kwargs
            yield reverse(name, kwargs=kwargs or ({"pk": pk} if pk else None)), {}
    for name in ("casework:consultation_list", "organisations:organisation_list", "casework:case_list"):
        yield reverse(name), {"q": "Qx"}
    yield reverse("casework:event_list"), {"q": "Qx"}
    yield reverse("organisations:picker"), {"q": "Qx"}
    for unit in (records["own"].unit, records["foreign"].unit):
        yield reverse("casework:dashboard"), {"unit": unit.pk}
        for kind in ("year", "custom"):
            params = {"scope": unit.code, "period_kind": kind, "year": 2026}
            params |= {"first_day": "2026-01-01", "last_day": "2026-12-31"}
            yield reverse("reports:report_preview"), params
    yield reverse("reports:report_preview"), {"scope": "all", "period_kind": "year", "year": 2026}
    for organisation in ("org_own", "org_foreign", "org_shared"):
        yield reverse("casework:event_list"), {"organisation": records[organisation].pk}


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_what_the_role_may_not_see(client, people, marked, role):
    records, markers = marked
    if role != "anonymous":
        client.force_login(people[role])
    forbidden = {marker for marker, visibility in markers.items() if visibility not in SEES[role]}
    allowed = set(markers) - forbidden
    seen_allowed = set()
    for url, params in _pages(records):
        response = client.get(url, params)
        assert response.status_code < 500, url
        # Downloads (the list exports) stream: their content is checked as well.
        body = b"".join(response.streaming_content) if response.streaming else response.content
        html = body.decode(errors="replace")
        leaked = {marker for marker in forbidden if marker in html}
        assert not leaked, f"{role} GET {url} {params} shows {sorted(leaked)}"
        seen_allowed |= {marker for marker in allowed if marker in html}
    # The test proves something only if the pages do show what the role may see.
    if role != "anonymous":
        assert len(seen_allowed) >= len(allowed) // 2, sorted(allowed - seen_allowed)


def test_markers_are_in_the_history_the_test_walks(marked, people):
    """The shared consultation's history holds MO's own organisation: the leak the test above guards against."""
    records, _markers = marked
    names = set(records["shared"].history.values_list("organisation__name", flat=True))
    assert records["org_own"].name in names
