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
ADMIN = "admin"
ADMIN_GROUP_NAME = "Administration"  # the name it is created with

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
    """The name a new role group gets; rights follow the RoleGroup binding, never this name."""
    return f"{unit.short_name} – {ROLE_LABELS[role]}"


def role_group(unit, role: str) -> Group:
    return Group.objects.get(role__unit=unit, role__role=role)


def admin_group() -> Group:
    return Group.objects.get(role__role=ADMIN)


def _bound_group(unit, role: str, name: str) -> Group:
    """The group bound to (unit, role); a new binding adopts an unbound group of that name, else creates one."""
    from casework.models import RoleGroup

    binding = RoleGroup.objects.select_related("group").filter(unit=unit, role=role).first()
    if binding:
        return binding.group
    group = Group.objects.filter(name=name, role__isnull=True).first()
    if group is None:
        group = Group.objects.create(name=_free_name(name))
    RoleGroup.objects.create(group=group, unit=unit, role=role)
    return group


def _free_name(name: str) -> str:
    """Group names are unique; a renamed unit may have left its old group's name taken."""
    candidate, number = name, 2
    while Group.objects.filter(name=candidate).exists():
        candidate, number = f"{name} ({number})", number + 1
    return candidate


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
    administration = _bound_group(None, ADMIN, ADMIN_GROUP_NAME)
    for unit in Unit.objects.all():
        for role, codenames in ROLE_UNIT_PERMISSIONS.items():
            group = _bound_group(unit, role, group_name(unit, role))
            _grant_on_unit(group, unit, codenames, unit_type)
        _grant_on_unit(administration, unit, ALL_UNIT_PERMISSIONS, unit_type)
    for app_label, model in ADMIN_MODEL_PERMISSIONS:
        administration.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, content_type__model=model)
        )
