"""Demo logins (password "demo") and further advisors, in the units' role groups."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from casework.management.seeding import ascii_text
from casework.models import Unit
from casework.roles import ADVISOR, COORDINATOR, admin_group, ensure_roles, role_group

DEMO_PASSWORD = "demo"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    unit_code: str | None  # None: administration
    role: str | None
    login: bool = True  # listed in the login table, password "demo"


DEMO_PEOPLE = [
    DemoPerson("beratung-mo", "Aylin", "Demir", "mo", ADVISOR),
    DemoPerson("koordination-mo", "Thomas", "Becker", "mo", COORDINATOR),
    DemoPerson("beratung-lots", "Julia", "Schneider", "lots", ADVISOR),
    DemoPerson("koordination-lots", "Samir", "Haddad", "lots", COORDINATOR),
    DemoPerson("admin", "Katrin", "Weber", None, None),
    # Further advisors without a usable password: they make advisor filters meaningful.
    DemoPerson("n.rahimi", "Nadia", "Rahimi", "mo", ADVISOR, login=False),
    DemoPerson("j.hoffmann", "Jonas", "Hoffmann", "mo", ADVISOR, login=False),
    DemoPerson("f.yilmaz", "Fatma", "Yılmaz", "mo", ADVISOR, login=False),
    DemoPerson("m.krueger", "Miriam", "Krüger", "lots", ADVISOR, login=False),
    DemoPerson("d.okafor", "Daniel", "Okafor", "lots", ADVISOR, login=False),
    DemoPerson("s.wagner", "Sophie", "Wagner", "lots", ADVISOR, login=False),
]


def ensure_people(units: dict[str, Unit]):
    """Create (or refresh) the demo people and their group memberships; idempotent.

    Returns (logins, staff) where logins are (person, user, group label) rows for the
    login table and staff maps unit code → role → list of users.
    """
    User = get_user_model()
    ensure_roles()
    administration = admin_group()
    existing = {user.username: user for user in User.objects.filter(username__in=[p.username for p in DEMO_PEOPLE])}
    logins = []
    staff = {code: {ADVISOR: [], COORDINATOR: []} for code in units}
    for person in DEMO_PEOPLE:
        user = existing.get(person.username) or User(username=person.username)
        user.first_name = person.first_name
        user.last_name = person.last_name
        user.email = f"{ascii_text(person.username)}@demo.example"
        user.is_active = True
        if person.unit_code is None:
            user.is_staff = user.is_superuser = True
        if person.login:
            user.set_password(DEMO_PASSWORD)
        elif not user.pk:
            user.set_unusable_password()
        user.save()
        if person.unit_code is None:
            group = administration
        else:
            group = role_group(units[person.unit_code], person.role)
            staff[person.unit_code][person.role].append(user)
        user.groups.add(group)
        if person.login:
            label = group.name + (" (Superuser)" if user.is_superuser else "")
            logins.append((person, user, label))
    return logins, staff
