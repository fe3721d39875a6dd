"""Follow-ups (Wiedervorlagen) and calendar feed tokens: services and selectors.

Every selector starts from `access.follow_ups_visible_to`, so a list, a page section and the
calendar feed can never show more than the person may see right now.
"""

import datetime
import hashlib
import re
import secrets

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from casework import access
from casework.access import Action
from casework.concurrency import VersionCheck
from casework.models import CalendarFeedToken, Consultation, FollowUp

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet (256 bits).
TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
POSTPONE_STEP = datetime.timedelta(weeks=1)
# What an edit of a follow-up changes; a conflict names these fields.
EDITED_FIELDS = ("due_on", "what", "assigned_to", "done_at")
LIST_RELATED = ("unit", "assigned_to", "consultation__organisation", "consultation__shared_with", "case__organisation")


class State:
    OPEN = "open"
    DONE = "done"
    ALL = "all"


# --- Services ------------------------------------------------------------------------------------


def follow_up_create(*, owner, due_on, what, assigned_to, by) -> FollowUp:
    """A follow-up on a consultation or a case (`owner`), in the owner's unit."""
    target = {"consultation": owner} if isinstance(owner, Consultation) else {"case": owner}
    follow_up = FollowUp(
        unit_id=owner.unit_id, due_on=due_on, what=what, assigned_to=assigned_to, created_by=by, **target
    )
    follow_up._history_user = by
    follow_up.save()
    return follow_up


def follow_up_done(*, follow_up: FollowUp, by) -> FollowUp:
    """Mark as done; marking a done follow-up again keeps who did it and when."""
    if follow_up.done_at is None:
        follow_up.done_at = timezone.now()
        follow_up.done_by = by
        follow_up._history_user = by
        follow_up.save(update_fields=["done_at", "done_by"])
    return follow_up


def follow_up_reopen(*, follow_up: FollowUp, by) -> FollowUp:
    if follow_up.done_at is not None:
        follow_up.done_at = None
        follow_up.done_by = None
        follow_up._history_user = by
        follow_up.save(update_fields=["done_at", "done_by"])
    return follow_up


def follow_up_update(*, follow_up: FollowUp, by) -> FollowUp:
    """Save edited text, due date or assignee (the form has set them on `follow_up`)."""
    follow_up._history_user = by
    follow_up.save(update_fields=["due_on", "what", "assigned_to"])
    return follow_up


def follow_up_postpone(*, follow_up: FollowUp, by, due_on: datetime.date | None = None) -> FollowUp:
    """Move the due date to `due_on`, or one week after the current one."""
    follow_up.due_on = due_on or follow_up.due_on + POSTPONE_STEP
    follow_up._history_user = by
    follow_up.save(update_fields=["due_on"])
    return follow_up


class FollowUpVersion(VersionCheck):
    """Optimistic locking for follow-ups, which have no version column: the version is the id of
    their latest history entry (every save through the services writes one; "0" before any).

    A claim locks the row first, so of two saves that loaded the same version the second waits
    for the first, then sees its history entry and is refused.
    """

    def loaded(self) -> str:
        annotated = getattr(self.record, "loaded_version", None)
        return str(annotated) if annotated is not None else self.current() or "0"

    def claim(self, loaded) -> bool:
        rows = FollowUp.objects.select_for_update().filter(pk=self.record.pk)
        if not list(rows.values_list("pk", flat=True)):
            return False
        current = self.current()
        return current is not None and str(loaded).strip() == current

    def current(self) -> str | None:
        if not FollowUp.objects.filter(pk=self.record.pk).exists():
            return None
        latest = self.record.history.order_by("-history_id").values_list("history_id", flat=True).first()
        return str(latest or 0)

    def changes_since(self, loaded) -> list[tuple]:
        try:
            number = int(loaded)
        except (TypeError, ValueError):
            number = None
        history = self.record.history.order_by("history_id")
        if number is None:  # unknown: the latest entry only
            latest = history.last()
            number = latest.history_id - 1 if latest else 0
        newer = list(history.filter(history_id__gt=number).select_related("history_user"))
        previous = history.filter(history_id__lte=number).last()
        labels = {name: str(FollowUp._meta.get_field(name).verbose_name) for name in EDITED_FIELDS}
        changes = []
        for entry in newer:
            delta = entry.diff_against(previous, included_fields=EDITED_FIELDS).changes if previous else []
            changes.append((entry.history_user, [labels[change.field] for change in delta]))
            previous = entry
        return changes


def with_version(follow_ups):
    """Annotate `loaded_version` (see FollowUpVersion) for the buttons of a list, in the same query."""
    latest = FollowUp.history.filter(id=OuterRef("pk")).order_by("-history_id").values("history_id")[:1]
    return follow_ups.annotate(loaded_version=Coalesce(Subquery(latest), 0))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@transaction.atomic
def calendar_token_create(*, user) -> str:
    """A new feed token for `user`; the previous one stops working. Returns the clear token (shown once)."""
    calendar_token_revoke(user=user)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    CalendarFeedToken.objects.create(user=user, token_hash=_hash(token))
    return token


def calendar_token_revoke(*, user) -> int:
    return CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- Selectors -----------------------------------------------------------------------------------


def calendar_token_active(*, user) -> CalendarFeedToken | None:
    return CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at").first()


def calendar_token_owner(token: str):
    """The active person a feed token belongs to, or None.

    The token is looked up by its SHA-256 hash through a unique index: the time taken does not
    depend on how much of a guessed token is right, and the clear token is never stored.
    """
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        return None
    found = (
        CalendarFeedToken.objects.select_related("user")
        .filter(token_hash=_hash(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    return found.user if found else None


def _by_state(queryset, state):
    if state == State.OPEN:
        return queryset.filter(done_at__isnull=True)
    if state == State.DONE:
        return queryset.filter(done_at__isnull=False)
    return queryset


def follow_ups_assigned(*, fetched_by, state=State.OPEN):
    """The person's own follow-ups, earliest due first."""
    visible = access.follow_ups_visible_to(fetched_by).filter(assigned_to=fetched_by)
    return with_version(_by_state(visible, state).select_related(*LIST_RELATED).order_by("due_on", "id"))


def follow_ups_of_units(*, fetched_by):
    """Open follow-ups of every record the person may see; overdue ones come first by their due date."""
    visible = access.follow_ups_visible_to(fetched_by).filter(done_at__isnull=True)
    return with_version(visible.select_related(*LIST_RELATED).order_by("due_on", "id"))


def follow_ups_for_feed(*, owner):
    """What a person's calendar shows: their open follow-ups they may still see."""
    return follow_ups_assigned(fetched_by=owner, state=State.OPEN)


def follow_ups_on(owner):
    """All follow-ups of a consultation or a case, for its page."""
    field = "consultation" if isinstance(owner, Consultation) else "case"
    follow_ups = FollowUp.objects.filter(**{field: owner}).select_related("assigned_to").order_by("due_on", "id")
    return list(with_version(follow_ups))


def owner_unit_ids(owner) -> set[int]:
    """The units whose people work on a record: its unit, and the partner unit of a joint consultation."""
    return {owner.unit_id} | ({owner.shared_with_id} if getattr(owner, "shared_with_id", None) else set())


def mark_changeable(follow_ups, user):
    """Set `can_change` on each follow-up of a list, without a query per row."""
    unit_ids = access.unit_ids_for(user, Action.CHANGE)
    for follow_up in follow_ups:
        units = {follow_up.unit_id}
        if follow_up.consultation_id:
            units.add(follow_up.consultation.shared_with_id)
        follow_up.can_change = bool(units & unit_ids)
    return follow_ups


def _record_url(kind: str, pk: int) -> str:
    if kind == "consultation":
        return reverse("casework:consultation_detail", kwargs={"pk": pk})
    try:
        return reverse("casework:case_detail", kwargs={"pk": pk})
    except NoReverseMatch:  # cases without pages of their own yet
        return reverse("casework:follow_up_unit_list")


def record_url(follow_up) -> str:
    """The page of the consultation or case the follow-up belongs to."""
    if follow_up.consultation_id:
        return _record_url("consultation", follow_up.consultation_id)
    return _record_url("case", follow_up.case_id)


def owner_url(owner) -> str:
    return _record_url("consultation" if isinstance(owner, Consultation) else "case", owner.pk)


def owner_of(follow_up):
    """The consultation or case the follow-up belongs to."""
    return follow_up.consultation if follow_up.consultation_id else follow_up.case


def record_organisation(follow_up):
    record = follow_up.consultation if follow_up.consultation_id else follow_up.case
    return record.organisation
