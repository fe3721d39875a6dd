"""The permission matrix: every URL pattern × role × own/foreign/shared record → expected status.

A URL pattern without a row here or in tests/matrix/ fails `test_every_url_pattern_has_a_row`.
Targets are seen from the Fachstelle MO: "own" belongs to MO, "foreign" to the
Lots*innen unit, "shared" is led by MO and shared with the Lots*innen unit.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from casework.models import Consultation, Topic
from organisations.models import ContactPerson
from tests.matrix import (
    EVERYONE,
    LOGIN,
    RECORD_KEYS,
    ROLES,
    VISIBLE_TO_LOTS,
    VISIBLE_TO_MO,
    feature_modules,
    row,
)

SEEN_BY_LOTS_CHANGED_BY_MO = row(LOGIN, 200, 200, 403, 403, 200)

# url name → (record kind or None, {target: expected statuses})
MATRIX = {
    "casework:home": (None, {"-": EVERYONE}),
    "casework:consultation_list": (None, {"-": EVERYONE}),
    "casework:consultation_create": (None, {"-": EVERYONE}),
    "casework:consultation_detail": (
        "consultation",
        {"own": VISIBLE_TO_MO, "foreign": VISIBLE_TO_LOTS, "shared": EVERYONE},
    ),
    "casework:consultation_edit": (
        "consultation",
        {"own": VISIBLE_TO_MO, "foreign": VISIBLE_TO_LOTS, "shared": EVERYONE},
    ),
    "casework:consultation_delete": (
        "consultation",
        {
            "own": row(LOGIN, 403, 200, 404, 404, 200),
            "foreign": row(LOGIN, 404, 404, 403, 200, 200),
            # Only the lead unit deletes a joint record.
            "shared": row(LOGIN, 403, 200, 403, 403, 200),
        },
    ),
    "organisations:organisation_list": (None, {"-": EVERYONE}),
    "organisations:organisation_create": (None, {"-": EVERYONE}),
    "organisations:picker": (None, {"-": EVERYONE}),
    "organisations:organisation_detail": (
        "organisation",
        {"own": VISIBLE_TO_MO, "foreign": VISIBLE_TO_LOTS, "shared": EVERYONE},
    ),
    # The partner unit sees a shared consultation's organisation and its contact persons; only the
    # units the organisation belongs to change them.
    "organisations:organisation_edit": (
        "organisation",
        {"own": VISIBLE_TO_MO, "foreign": VISIBLE_TO_LOTS, "shared": SEEN_BY_LOTS_CHANGED_BY_MO},
    ),
    "organisations:contact_create": (
        "organisation",
        {"own": VISIBLE_TO_MO, "foreign": VISIBLE_TO_LOTS, "shared": SEEN_BY_LOTS_CHANGED_BY_MO},
    ),
    "organisations:contact_edit": (
        "contact",
        {"own": VISIBLE_TO_MO, "foreign": VISIBLE_TO_LOTS, "shared": SEEN_BY_LOTS_CHANGED_BY_MO},
    ),
    # Coordinators delete contact persons.
    "organisations:contact_delete": (
        "contact",
        {
            "own": row(LOGIN, 403, 200, 404, 404, 200),
            "foreign": row(LOGIN, 404, 404, 403, 200, 200),
            "shared": row(LOGIN, 403, 200, 403, 403, 200),
        },
    ),
    # Logged-in people are sent on from the login page.
    "login": (None, {"-": row(200, 302, 302, 302, 302, 302)}),
    # Logging out only works with POST (CSRF-protected).
    "logout": (None, {"-": row(405, 405, 405, 405, 405, 405)}),
    "set_language": (None, {"-": row(302, 302, 302, 302, 302, 302)}),
    "admin:index": (None, {"-": row(302, 302, 302, 302, 302, 200)}),
}

# URLs whose argument is not a record's primary key (e.g. a calendar token).
URL_KWARGS = {}
for feature in feature_modules():
    assert not MATRIX.keys() & feature.ROWS.keys(), f"duplicate rows in {feature.__name__}"
    MATRIX.update(feature.ROWS)
    URL_KWARGS.update(getattr(feature, "URL_KWARGS", {}))

# The rest of Django's admin is guarded by the same staff check as admin:index (tested above and in
# test_admin_requires_staff); static files have no view in production (WhiteNoise serves them).
EXCLUDED_NAMESPACES = {"admin"}


def all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= all_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_pattern_has_a_row():
    names = {name for name in all_url_names() if name.split(":")[0] not in EXCLUDED_NAMESPACES}
    missing = names - MATRIX.keys()
    assert not missing, f"URL patterns without a row in the permission matrix: {sorted(missing)}"
    assert not MATRIX.keys() - names - {"admin:index"}, "rows for URL patterns that no longer exist"


def target_pk(records, kind, target):
    if kind is None:
        return None
    return records[RECORD_KEYS[kind].format(target=target)].pk


def matrix_cases():
    for name, (kind, targets) in MATRIX.items():
        for target, expected in targets.items():
            for role in ROLES:
                yield pytest.param(name, kind, target, role, expected[role], id=f"{name}-{target}-{role}")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kind", "target", "role", "expected"), list(matrix_cases()))
def test_get_status(request, client, people, records, name, kind, target, role, expected):
    # The extra shared records of `matrix_records` cost a little setup; most rows need only `records`.
    key = RECORD_KEYS[kind].format(target=target) if kind else None
    pk = target_pk(
        records if key is None or key in records else request.getfixturevalue("matrix_records"), kind, target
    )
    kwargs = URL_KWARGS.get(name)
    kwargs = kwargs(pk) if callable(kwargs) else kwargs
    url = reverse(name, kwargs=kwargs or ({"pk": pk} if pk else None))
    if role != "anonymous":
        client.force_login(people[role])
    response = client.get(url)
    assert response.status_code == expected, f"{role} GET {url}"


# Quality profiles are kept by the Lots*innen unit only: MO has no catalogue and no assessments ("own"),
# and the catalogue is never shared.
TARGETS_BY_KIND = {
    "quality_area": {"foreign"},
    "quality_criterion": {"foreign"},
    "assessment": {"foreign", "shared"},
}


def test_matrix_covers_every_role_and_target():
    for name, (kind, targets) in MATRIX.items():
        for expected in targets.values():
            assert set(expected) == set(ROLES), name
        if kind is not None:
            assert set(targets) == TARGETS_BY_KIND.get(kind, {"own", "foreign", "shared"}), name


# --- Writes: denied people change nothing ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "target", "expected"),
    [
        ("advisor_mo", "own", 403),
        ("advisor_mo", "foreign", 404),
        ("advisor_lots", "shared", 403),
        # The partner unit's coordinator: only the lead unit deletes a joint record.
        ("coordinator_lots", "shared", 403),
        ("coordinator_lots", "own", 404),
        ("anonymous", "own", LOGIN),
    ],
)
def test_denied_delete_changes_nothing(client, people, records, role, target, expected):
    if role != "anonymous":
        client.force_login(people[role])
    pk = records[target].pk
    response = client.post(reverse("casework:consultation_delete", kwargs={"pk": pk}))
    assert response.status_code == expected
    assert Consultation.objects.filter(pk=pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "target"), [("coordinator_mo", "own"), ("coordinator_mo", "shared")])
def test_allowed_delete_removes_record(client, people, records, role, target):
    client.force_login(people[role])
    pk = records[target].pk
    response = client.post(reverse("casework:consultation_delete", kwargs={"pk": pk}))
    assert response.status_code == 302
    assert not Consultation.objects.filter(pk=pk).exists()


@pytest.mark.django_db
def test_foreign_edit_post_changes_nothing(client, people, records):
    client.force_login(people["advisor_mo"])
    consultation = records["foreign"]
    response = client.post(
        reverse("casework:consultation_edit", kwargs={"pk": consultation.pk}), {"summary": "überschrieben"}
    )
    assert response.status_code == 404
    consultation.refresh_from_db()
    assert consultation.summary != "überschrieben"


@pytest.mark.django_db
def test_foreign_contact_delete_changes_nothing(client, people, records):
    client.force_login(people["advisor_lots"])
    contact = records["contact_own"]
    response = client.post(reverse("organisations:contact_delete", kwargs={"pk": contact.pk}))
    assert response.status_code == 404
    assert ContactPerson.objects.filter(pk=contact.pk).exists()


@pytest.mark.django_db
def test_admin_requires_staff(client, people):
    client.force_login(people["coordinator_mo"])
    response = client.get(reverse("admin:casework_consultation_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# --- Scoping of lists, searches and pickers (uneven data per unit) -------------------------------

SCOPED_COUNTS = {
    # role: (consultations, organisations)
    "advisor_mo": (5, 3),
    "coordinator_mo": (5, 3),
    "advisor_lots": (3, 2),
    "coordinator_lots": (3, 2),
    "admin": (7, 4),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", SCOPED_COUNTS)
def test_lists_are_scoped(client, people, records, role):
    consultations, organisations = SCOPED_COUNTS[role]
    client.force_login(people[role])
    response = client.get(reverse("casework:consultation_list"))
    assert response.context["page"].paginator.count == consultations
    response = client.get(reverse("casework:consultation_list"), {"q": "Satzungsentwurf"})
    assert response.context["page"].paginator.count == consultations
    response = client.get(reverse("organisations:organisation_list"))
    assert response.context["page"].paginator.count == organisations


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            "advisor_mo",
            {"Kulturverein Anatolien e.V.", "Eritreische Gemeinde Gießen e.V.", "Verein ohne Beratung e.V."},
        ),
        ("advisor_lots", {"Integrationslots*innen Marburg", "Eritreische Gemeinde Gießen e.V."}),
    ],
)
def test_picker_is_scoped(client, people, records, role, expected):
    client.force_login(people[role])
    # One letter is too short to search.
    assert client.get(reverse("organisations:picker"), {"q": "e"}).json() == {"results": []}
    names = set()
    for query in ("ein", "ion", "tol"):
        names |= {
            r["text"].split(" (")[0]
            for r in client.get(reverse("organisations:picker"), {"q": query}).json()["results"]
        }
    assert names == expected


@pytest.mark.django_db
def test_filter_choices_are_scoped(client, people, records, unit_mo, unit_lots):
    client.force_login(people["advisor_mo"])
    form = client.get(reverse("casework:consultation_list")).context["filter"].form

    def offered(name):
        return {value for value, _label in form.fields[name].choices if value != ""}

    assert offered("unit") == {unit_mo.pk}
    assert people["advisor_mo"].pk in offered("advisor")
    assert people["advisor_lots"].pk not in offered("advisor")
    lots_topics = set(Topic.objects.filter(unit=unit_lots).values_list("pk", flat=True))
    joint_topics = set(Topic.objects.filter(unit__isnull=True).values_list("pk", flat=True))
    assert offered("topic") & joint_topics == joint_topics
    assert not offered("topic") & lots_topics


@pytest.mark.django_db
def test_model_level_permissions_do_not_widen_access(client, people, records):
    """Global (model-level) permissions must not open another unit's records."""
    from django.contrib.auth.models import Permission

    advisor = people["advisor_mo"]
    advisor.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["casework", "organisations"],
            codename__in=[
                "view_unit_records",
                "change_unit_records",
                "delete_unit_records",
                "view_unit_history",
                "view_consultation",
                "change_consultation",
                "delete_consultation",
                "view_organisation",
            ],
        )
    )
    client.force_login(advisor)
    foreign = records["foreign"]
    assert client.get(reverse("casework:consultation_detail", kwargs={"pk": foreign.pk})).status_code == 404
    assert client.get(reverse("casework:consultation_delete", kwargs={"pk": records["own"].pk})).status_code == 403
    assert client.get(reverse("casework:consultation_list")).context["page"].paginator.count == 5


@pytest.mark.django_db
def test_advisor_choices_are_unit_members_not_administrators(people, unit_mo):
    from casework import access

    advisors = set(access.advisors_of([unit_mo.pk]))
    assert advisors == {people["advisor_mo"], people["coordinator_mo"]}


# --- Every state-changing POST: denied people get the same answer as for GET and change nothing ----


def _fingerprint():
    """Row counts of every table of the project's apps and the newest history ids, in one query: any write shows."""
    from django.apps import apps
    from django.db import connection

    quote = connection.ops.quote_name
    parts = []
    for app in ("casework", "organisations", "reports", "auth"):
        for model in apps.get_app_config(app).get_models(include_auto_created=True):
            if model._meta.label == "casework.AccessEvent":
                continue  # a denied request is meant to leave an entry in the access log (casework.audit)
            table = quote(model._meta.db_table)
            parts.append(f"(SELECT COUNT(*) FROM {table})")  # noqa: S608
            if model._meta.object_name.startswith("Historical"):
                parts.append(f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {table})")  # noqa: S608
    with connection.cursor() as cursor:
        # Table names come from model metadata (quoted); nothing from input.
        cursor.execute("SELECT " + ", ".join(parts))  # noqa: S608
        return cursor.fetchone()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_denied_post_changes_nothing(client, people, matrix_records, name):
    """Every URL × target × role that GET denies: POST gets the same answer (or 405) and writes nothing."""
    kind, targets = MATRIX[name]
    for target, expected_by_role in targets.items():
        pk = target_pk(matrix_records, kind, target)
        kwargs = URL_KWARGS.get(name)
        kwargs = kwargs(pk) if callable(kwargs) else kwargs
        url = reverse(name, kwargs=kwargs or ({"pk": pk} if pk else None))
        for role, expected in expected_by_role.items():
            if not (expected in (403, 404) or (role == "anonymous" and expected == LOGIN)):
                continue
            client.logout()
            if role != "anonymous":
                client.force_login(people[role])
            before = _fingerprint()
            response = client.post(url, {"summary": "überschrieben", "name": "überschrieben", "title": "x"})
            # A view that only answers GET says so (405) before it looks at the record.
            assert response.status_code in (expected, 405), f"{role} POST {url}"
            assert _fingerprint() == before, f"{role} POST {url} changed data"
