"""The list filters' catalogue choices: cached under the catalogue version, which every write to their
tables changes (ORM, queryset.update(), raw SQL), and never served across units or after a rollback."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.shortcuts import remove_perm

from casework.models import CaseGoal, RoleGroup, Topic
from casework.roles import ADVISOR
from casework.ui import choices
from casework.ui.models import CatalogueStamp
from organisations.models import Region
from tests.conftest import make_person, role_group
from tests.test_query_counts import real_queries

User = get_user_model()
pytestmark = pytest.mark.django_db


def version():
    return CatalogueStamp.objects.get(pk=choices.STAMP_PK).version


def counted(user):
    with CaptureQueriesContext(connection) as captured:
        result = choices.choices_for(user)
    return result, len(real_queries(captured.captured_queries))


def fresh(user):
    """What the choices are by the database now; a new user object: no memoised grants."""
    user = User.objects.get(pk=user.pk)
    return choices._build(sorted(choices.access.unit_ids_for(user, choices.access.Action.VIEW)))


def labels(pairs):
    return [label for _pk, label in pairs]


def test_the_choices_are_the_catalogues_and_read_once(people, unit_mo):
    coordinator = people["coordinator_mo"]
    CaseGoal.objects.create(unit=unit_mo, name="Satzung beschlossen")
    first, cold = counted(coordinator)
    second, warm = counted(User.objects.get(pk=coordinator.pk))
    assert first == second == fresh(coordinator)
    assert warm == 2 < cold  # the person's units and the version
    assert first.units == [(unit_mo.pk, unit_mo.short_name)]
    assert "Aylin Demir" in labels(first.people)
    assert "Satzung beschlossen" in labels(first.goals)
    expected_topics = Topic.objects.filter(Q(unit=unit_mo) | Q(unit__isnull=True)).values_list("pk", flat=True)
    assert {pk for pk, _label in first.topics} == set(expected_topics)


def test_each_unit_gets_its_own_choices(people, unit_lots):
    mo, lots = people["coordinator_mo"], people["coordinator_lots"]
    mo_choices = choices.choices_for(mo)
    lots_choices = choices.choices_for(lots)
    assert "Aylin Demir" in labels(mo_choices.people)
    assert "Aylin Demir" not in labels(lots_choices.people)
    assert lots_choices.units == [(unit_lots.pk, unit_lots.short_name)]
    lots_topics = set(Topic.objects.filter(unit__code="lots").values_list("pk", flat=True))
    assert lots_topics and not lots_topics & {pk for pk, _label in mo_choices.topics}
    assert lots_topics <= {pk for pk, _label in lots_choices.topics}


def _advisor_group(unit):
    return role_group(unit, ADVISOR)


CHANGES = {
    "topic renamed (update)": lambda p, u: Topic.objects.filter(pk=Topic.objects.filter(unit=u).first().pk).update(
        name="Kassenprüfung neu"
    ),
    "topic added": lambda p, u: Topic.objects.create(unit=u, name="Ehrenamtspauschale", position=99),
    "goal deleted": lambda p, u: CaseGoal.objects.filter(unit=u).delete(),
    "region added": lambda p, u: Region.objects.create(name="Kreis Şahinburg"),
    "unit renamed (raw SQL)": lambda p, u: connection.cursor().execute(
        "UPDATE casework_unit SET short_name = %s WHERE id = %s", ["MigOrg", u.pk]
    ),
    "person renamed (update)": lambda p, u: User.objects.filter(pk=p["advisor_mo"].pk).update(last_name="Çelik"),
    "person deactivated": lambda p, u: User.objects.filter(pk=p["advisor_mo"].pk).update(is_active=False),
    "person joins the unit": lambda p, u: make_person(
        "neu", _advisor_group(u), first_name="Gülşen", last_name="Öztürk"
    ),
    "person leaves the unit": lambda p, u: p["advisor_mo"].groups.clear(),
    "group loses its right": lambda p, u: remove_perm("casework.change_unit_records", _advisor_group(u), u),
    "administration loses its role": lambda p, u: RoleGroup.objects.filter(role=RoleGroup.Role.ADMIN).delete(),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_of_a_catalogue_shows_at_once(people, unit_mo, change):
    coordinator = people["coordinator_mo"]
    CaseGoal.objects.create(unit=unit_mo, name="Satzung beschlossen")
    before = choices.choices_for(coordinator)
    stamped = version()

    CHANGES[change](people, unit_mo)

    assert version() != stamped
    after = choices.choices_for(User.objects.get(pk=coordinator.pk))
    assert after == fresh(coordinator)
    assert after != before


def test_a_sign_in_keeps_the_version(client, people):
    stamped = version()
    advisor = people["advisor_mo"]
    client.force_login(advisor)  # stamps last_login
    advisor.set_password("neu-und-lang-genug")
    advisor.save(update_fields=["password"])
    assert version() == stamped


def test_choices_cached_in_a_rolled_back_transaction_are_never_served(people, unit_mo):
    coordinator = people["coordinator_mo"]
    topic = Topic.objects.filter(unit=unit_mo).first()
    original = choices.choices_for(coordinator)
    with pytest.raises(RuntimeError), transaction.atomic():
        Topic.objects.filter(pk=topic.pk).update(name="Verworfen")
        assert "Verworfen" in labels(choices.choices_for(User.objects.get(pk=coordinator.pk)).topics)
        raise RuntimeError
    assert choices.choices_for(User.objects.get(pk=coordinator.pk)) == original
    Topic.objects.filter(pk=topic.pk).update(name="Behalten")
    now = labels(choices.choices_for(User.objects.get(pk=coordinator.pk)).topics)
    assert "Behalten" in now
    assert "Verworfen" not in now


def trigger_names():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"{choices.TRIGGER}%"]
            )
        else:
            cursor.execute(
                "SELECT tgname || ' ON ' || tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE %s",
                [f"{choices.TRIGGER}%"],
            )
        return {row[0] for row in cursor.fetchall()}


def test_the_triggers_come_back_after_migrate(people, unit_mo):
    names = trigger_names()
    assert len(names) == len(choices._watched_tables()) * (3 if connection.vendor == "sqlite" else 2)
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"DROP TRIGGER {name}")
    stamped = version()
    Topic.objects.filter(pk=Topic.objects.filter(unit=unit_mo).first().pk).update(name="Unbemerkt")
    assert version() == stamped  # nothing watches any more

    choices.ensure_triggers(using="default")  # what post_migrate runs
    choices.ensure_triggers(using="default")  # and again: it replaces, it does not fail
    assert trigger_names() == names
    Topic.objects.filter(pk=Topic.objects.filter(unit=unit_mo).first().pk).update(name="Bemerkt")
    assert version() != stamped


def test_a_missing_stamp_row_means_no_cache(people, unit_mo):
    coordinator = people["coordinator_mo"]
    CatalogueStamp.objects.all().delete()
    first, first_queries = counted(coordinator)
    Topic.objects.filter(pk=Topic.objects.filter(unit=unit_mo).first().pk).update(name="Sofort sichtbar")
    second, second_queries = counted(User.objects.get(pk=coordinator.pk))
    assert "Sofort sichtbar" in labels(second.topics)
    assert second == fresh(coordinator)
    assert second_queries > 2
    choices.ensure_triggers(using="default")
    assert CatalogueStamp.objects.filter(pk=choices.STAMP_PK).exists()


PAGES = [  # list page, a catalogue change it shows in its filter
    ("casework:consultation_list", "Frisch umbenannt"),
    ("casework:consultation_list", "Gülşen Öztürk"),
    ("casework:case_list", "Gülşen Öztürk"),
    ("casework:event_list", "Frisch umbenannt"),
    ("casework:follow_up_unit_list", "Gülşen Öztürk"),
]


@pytest.mark.parametrize(("url", "shown"), PAGES)
def test_list_pages_offer_the_changed_catalogue_with_fewer_queries_when_warm(client, people, unit_mo, url, shown):
    client.force_login(people["coordinator_mo"])
    path = reverse(url)
    client.get(path)  # the session and the cache warmed
    Topic.objects.filter(pk=Topic.objects.filter(unit=unit_mo).first().pk).update(name="Frisch umbenannt")
    make_person("neu", _advisor_group(unit_mo), first_name="Gülşen", last_name="Öztürk")
    with CaptureQueriesContext(connection) as cold:
        content = client.get(path).content.decode()
    with CaptureQueriesContext(connection) as warm:
        assert client.get(path).status_code == 200
    assert len(real_queries(warm.captured_queries)) < len(real_queries(cold.captured_queries))
    assert shown in content
