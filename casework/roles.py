"""Roles are groups holding django-guardian permissions on a unit.

Per unit there is a Beratung (advisor) and a Koordination (coordinator) group;
the Administration group holds every right on both units. Adding a person to a
unit means adding them to one of these groups (Django admin → Benutzer*innen).
"""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from guardian.models import GroupObjectPermission

ADVISOR = "advisor"
COORDINATOR = "coordinator"
ADMIN_GROUP_NAME = "Administration"

ROLE_LABELS = {ADVISOR: "Beratung", COORDINATOR: "Koordination"}

ROLE_UNIT_PERMISSIONS = {
    ADVISOR: ["view_unit_records", "change_unit_records"],
    COORDINATOR: [
        "view_unit_records",
        "change_unit_records",
        "delete_unit_records",
        "view_unit_history",
        "manage_unit_catalogues",
        "view_unit_reports",
    ],
}
ALL_UNIT_PERMISSIONS = ROLE_UNIT_PERMISSIONS[COORDINATOR]

# Administrators manage people and catalogues in the Django admin.
ADMIN_MODEL_PERMISSIONS = [
    ("auth", "user"),
    ("auth", "group"),
    ("casework", "topic"),
    ("casework", "unit"),
    ("casework", "casegoal"),
    ("casework", "caseoutcome"),
    ("casework", "qualityarea"),
    ("casework", "qualitycriterion"),
    ("organisations", "region"),
]


def group_name(unit, role: str) -> str:
    return f"{unit.short_name} – {ROLE_LABELS[role]}"


def role_group(unit, role: str) -> Group:
    return Group.objects.get(name=group_name(unit, role))


def _grant_on_unit(group, unit, codenames, content_type):
    for codename in codenames:
        permission = Permission.objects.get(content_type=content_type, codename=codename)
        GroupObjectPermission.objects.get_or_create(
            group=group, permission=permission, content_type=content_type, object_pk=str(unit.pk)
        )


def ensure_roles(**kwargs):
    """Create the role groups and their grants (idempotent; runs after every migrate)."""
    from casework.models import Unit

    unit_type = ContentType.objects.get_for_model(Unit)
    admin_group, _ = Group.objects.get_or_create(name=ADMIN_GROUP_NAME)
    for unit in Unit.objects.all():
        for role, codenames in ROLE_UNIT_PERMISSIONS.items():
            group, _ = Group.objects.get_or_create(name=group_name(unit, role))
            _grant_on_unit(group, unit, codenames, unit_type)
        _grant_on_unit(admin_group, unit, ALL_UNIT_PERMISSIONS, unit_type)
    for app_label, model in ADMIN_MODEL_PERMISSIONS:
        admin_group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, content_type__model=model)
        )
