"""Changing people's accounts: invite, roles, deactivate (sessions end, work is handed over), reactivate.

Every change is one transaction and one ACCOUNT entry in the access log naming the action and the
person's id only. Group and `is_active` changes may also be logged generically by model signals
(casework.audit); the entries here say *why* they happened.
"""

import logging
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from casework.access import advisors_of
from casework.accounts.people.tokens import invitation_token_generator
from casework.audit.log import record
from casework.audit.models import AccessEvent
from casework.models import Case, FollowUp, RoleGroup, Unit
from casework.roles import ADMIN, ADVISOR, COORDINATOR

logger = logging.getLogger(__name__)
User = get_user_model()

UNIT_ROLES = (ADVISOR, COORDINATOR)


def is_administrator(user) -> bool:
    """Administrators manage people: superusers and members of the Administration role group."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if "_is_administrator" not in user.__dict__:
        user.__dict__["_is_administrator"] = user.groups.filter(role__role=ADMIN).exists()
    return user.__dict__["_is_administrator"]


def may_manage(actor, person) -> bool:
    """Only a superuser changes a superuser: an administrator cannot lock the technical owner out."""
    return not person.is_superuser or actor.is_superuser


# --- Roles ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Roles:
    """A person's roles: unit id → ADVISOR or COORDINATOR, and whether they administer."""

    per_unit: dict = field(default_factory=dict)
    admin: bool = False


def roles_of(person) -> Roles:
    bindings = RoleGroup.objects.filter(group__user=person).values_list("unit_id", "role")
    per_unit, admin = {}, False
    for unit_id, role in bindings:
        if role == ADMIN:
            admin = True
        elif per_unit.get(unit_id) != COORDINATOR:  # in both groups: the wider role counts
            per_unit[unit_id] = role
    return Roles(per_unit=per_unit, admin=admin)


def _groups_for(roles: Roles) -> set[int]:
    wanted = Q(role=ADMIN) if roles.admin else Q(pk__in=[])
    for unit_id, role in roles.per_unit.items():
        wanted |= Q(unit_id=unit_id, role=role)
    return set(RoleGroup.objects.filter(wanted).values_list("group_id", flat=True))


def _apply_roles(person, roles: Roles) -> bool:
    """Change only the role groups that differ (other groups stay); True if anything changed."""
    current = set(RoleGroup.objects.filter(group__user=person).values_list("group_id", flat=True))
    wanted = _groups_for(roles)
    if current - wanted:
        person.groups.remove(*(current - wanted))
    if wanted - current:
        person.groups.add(*(wanted - current))
    # Administrators keep the catalogues in Django's admin, which asks for is_staff.
    staff = roles.admin or person.is_superuser
    if person.is_staff != staff:
        person.is_staff = staff
        person.save(update_fields=["is_staff"])
    person.__dict__.pop("_unit_grants", None)
    person.__dict__.pop("_is_administrator", None)
    return current != wanted


@transaction.atomic
def person_set_roles(*, person, roles: Roles, by, request=None) -> bool:
    changed = _apply_roles(person, roles)
    if changed:
        record(AccessEvent.Kind.ACCOUNT, request=request, user=by, target=person, detail="roles_changed")
    return changed


# --- Invitations ---------------------------------------------------------------------------------


def invitation_path(person) -> str:
    return reverse(
        "casework:invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": invitation_token_generator.make_token(person),
        },
    )


def site_url(request) -> str:
    """Where links in e-mails point: SITE_URL, else the address this request came to."""
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


def send_invitation(person, *, site_url: str) -> bool:
    """The e-mail with the one-time link; it names only the person and the tool. False if sending failed.

    Sent after the account is committed: a failing mail server must not lose the account (the
    administrator invites again), and a mail must never announce an account that was rolled back.
    """
    context = {
        "person": person,
        "link": site_url + invitation_path(person),
        "valid_days": max(1, settings.INVITATION_TIMEOUT // (24 * 60 * 60)),
    }
    subject = render_to_string("registration/invitation_subject.txt", context).strip()
    body = render_to_string("registration/invitation_email.txt", context)
    try:
        send_mail(subject, body, None, [person.email])
    except Exception:  # noqa: BLE001 – any transport error: the page says so instead of a 500
        logger.exception("Could not send the invitation to user %s", person.pk)
        return False
    return True


@transaction.atomic
def person_invite(*, username, email, first_name, last_name, roles: Roles, by, request=None):
    """A new account without a password, with its roles; the caller sends the invitation after the commit."""
    person = User(username=username, email=email, first_name=first_name, last_name=last_name)
    person.set_unusable_password()
    person.save()
    _apply_roles(person, roles)
    record(AccessEvent.Kind.ACCOUNT, request=request, user=by, target=person, detail="invited")
    return person


def person_reinvite(*, person, by, request=None) -> None:
    """Logged before the caller sends a fresh link (the first may have expired)."""
    record(AccessEvent.Kind.ACCOUNT, request=request, user=by, target=person, detail="invitation_resent")


def may_be_reinvited(person) -> bool:
    return person.is_active and not person.has_usable_password() and person.last_login is None


# --- Deactivation --------------------------------------------------------------------------------


def end_sessions_of(person) -> int:
    """Delete every live session of `person` (ASVS 7.4.2); returns how many.

    The database session backend keeps the user id only inside the encoded session data, so the live
    sessions are decoded one by one. That costs a few microseconds per session and the tool has a few
    dozen staff with sessions of at most SESSION_ABSOLUTE_AGE, so it stays cheap; unlike a table of
    session keys filled at sign-in, it also finds sessions opened before such a table existed, and it
    needs no bookkeeping on every sign-in and sign-out. Expired rows sign no one in (clearsessions
    removes them).
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    live = store_class.get_model_class().objects.filter(expire_date__gt=timezone.now())
    for session_key, session_data in live.values_list("session_key", "session_data").iterator():
        if str(store_class().decode(session_data).get(SESSION_KEY)) == str(person.pk):
            store_class(session_key).delete()  # through the store: a cached backend forgets it too
            ended += 1
    return ended


def open_follow_ups_of(person):
    return FollowUp.objects.filter(assigned_to=person, done_at__isnull=True).select_related("unit")


def open_cases_of(person):
    return Case.objects.filter(responsible=person).exclude(status=Case.Status.CLOSED).select_related("unit")


def units_with_open_work(person) -> list[Unit]:
    """The units whose follow-ups or cases `person` still holds: each needs a successor."""
    unit_ids = set(open_follow_ups_of(person).values_list("unit_id", flat=True))
    unit_ids |= set(open_cases_of(person).values_list("unit_id", flat=True))
    return list(Unit.objects.filter(pk__in=unit_ids))


def successors_in(unit, person):
    """Active colleagues in the unit (its advisor and coordinator groups), never the person themself."""
    return advisors_of([unit.pk]).exclude(pk=person.pk)


@transaction.atomic
def person_deactivate(*, person, successors: dict, by, request=None) -> dict:
    """Hand open work to `successors` (unit id → colleague), deactivate, end all sessions.

    Work in a unit without a successor (no other active member) stays with the person.
    Each item is saved on its own so its history names the new holder and who moved it.
    Returns the counts moved and sessions ended.
    """
    moved = {"follow_ups": 0, "cases": 0}
    units = list(successors)
    for follow_up in open_follow_ups_of(person).filter(unit_id__in=units).select_for_update(of=("self",)):
        follow_up.assigned_to = successors[follow_up.unit_id]
        follow_up._history_user = by
        follow_up.save(update_fields=["assigned_to"])
        moved["follow_ups"] += 1
    for case in open_cases_of(person).filter(unit_id__in=units).select_for_update(of=("self",)):
        case.responsible = successors[case.unit_id]
        case.version += 1  # an edit form opened before this change must not silently undo it
        case._history_user = by
        case.save(update_fields=["responsible", "version", "updated_at"])
        moved["cases"] += 1
    person.is_active = False
    person.save(update_fields=["is_active"])
    sessions = end_sessions_of(person)
    record(AccessEvent.Kind.ACCOUNT, request=request, user=by, target=person, detail="deactivated")
    if moved["follow_ups"] or moved["cases"]:
        record(
            AccessEvent.Kind.ACCOUNT,
            request=request,
            user=by,
            target=person,
            # Codes in the access log's form (casework.audit.details): "name:value", space-separated.
            detail=f"reassigned_follow_ups:{moved['follow_ups']} reassigned_cases:{moved['cases']}",
        )
    return {**moved, "sessions": sessions}


@transaction.atomic
def person_reactivate(*, person, by, request=None) -> None:
    person.is_active = True
    person.save(update_fields=["is_active"])
    record(AccessEvent.Kind.ACCOUNT, request=request, user=by, target=person, detail="reactivated")
