"""Writes that span several models: consultations and their sharing grants."""

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import F

from casework import access
from casework.access import SHARED_CONSULTATION_PERMISSIONS, Action
from casework.follow_ups.services import follow_up_create
from casework.history import save_with_single_history_entry
from casework.models import Consultation, ConsultationGroupObjectPermission
from casework.roles import ROLE_UNIT_PERMISSIONS, role_group

# The unit permission each shared-record right mirrors (also used by the demo's bulk grants).
UNIT_TO_ACTION = {
    "view_unit_records": Action.VIEW,
    "change_unit_records": Action.CHANGE,
}


def _sync_share_grants(consultation: Consultation) -> None:
    """Give the partner unit's groups the rights on this record they have on their own unit's records."""
    ConsultationGroupObjectPermission.objects.filter(content_object=consultation).delete()
    partner = consultation.shared_with
    if partner is None:
        return
    grants = []
    for role, unit_codenames in ROLE_UNIT_PERMISSIONS.items():
        group = role_group(partner, role)
        codenames = {SHARED_CONSULTATION_PERMISSIONS[UNIT_TO_ACTION[c]] for c in unit_codenames if c in UNIT_TO_ACTION}
        codenames.discard(None)
        for permission in Permission.objects.filter(
            content_type__app_label="casework", content_type__model="consultation", codename__in=codenames
        ):
            grants.append(
                ConsultationGroupObjectPermission(group=group, permission=permission, content_object=consultation)
            )
    ConsultationGroupObjectPermission.objects.bulk_create(grants)


@transaction.atomic
def consultation_save(
    *, consultation: Consultation, by, topics, advisors, criteria=None, follow_up=None
) -> Consultation:
    """Create or update a consultation with its topics, advisors and sharing grants.

    `criteria` None keeps the current ones (a partner's form has none). `follow_up` is an optional
    (due date, what) pair: a new follow-up for `by`.
    """
    is_new = consultation._state.adding
    if is_new:
        consultation.created_by = by
    if is_new or _moved(consultation):
        consultation.region = region_of(consultation.organisation, consultation.date)

    def set_relations():
        consultation.topics.set(topics)
        consultation.advisors.set(advisors)
        if criteria is not None:
            consultation.criteria.set(criteria)

    save_with_single_history_entry(consultation, by=by, created=is_new, set_relations=set_relations)
    _sync_share_grants(consultation)
    consultation.organisation.units.add(consultation.unit)
    if follow_up:
        due_on, what = follow_up
        follow_up_create(owner=consultation, due_on=due_on, what=what, assigned_to=by, by=by)
    return consultation


def region_of(organisation, day):
    """A consultation's Kreis: its organisation's Kreis on the consultation's date."""
    return organisation.region.on(day)


def _moved(consultation) -> bool:
    """Whether organisation or date differ from the stored record (then the Kreis is derived again)."""
    stored = Consultation.objects.filter(pk=consultation.pk).values("organisation_id", "date").first()
    return stored != {"organisation_id": consultation.organisation_id, "date": consultation.date}


def criteria_by_area(consultation) -> list[tuple]:
    """[(area, [criteria])] the consultation addressed, in catalogue order; one query."""
    criteria = consultation.criteria.select_related("area__unit").order_by(
        "area__position", "area__name", "area_id", "position", "id"
    )
    groups = []
    for criterion in criteria:
        if not groups or groups[-1][0].pk != criterion.area_id:
            groups.append((criterion.area, []))
        groups[-1][1].append(criterion)
    return groups


def may_join_as_advisor(user, consultation) -> bool:
    """ "Ich berate mit": advisors of the partner unit of a shared consultation add themselves."""
    # Members of the partner unit's role groups hold CHANGE on it and not on the lead unit;
    # administrators hold both and are not advisors. Known from the memoised grants: no query.
    partner = consultation.shared_with_id
    units = access.unit_ids_for(user, Action.CHANGE)
    return (
        partner is not None
        and partner in units
        and consultation.unit_id not in units
        and access.can_on_consultation(user, Action.CHANGE, consultation)
    )


@transaction.atomic
def advisor_join(*, consultation: Consultation, by) -> bool:
    """Add `by` to the advisors (with a history entry); False if already there, nothing changes then.

    The version is raised like any edit, so a form loaded before refuses to overwrite the addition.
    """
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if locked.advisors.filter(pk=by.pk).exists():
        return False
    Consultation.objects.filter(pk=locked.pk).update(version=F("version") + 1)
    locked.refresh_from_db(fields=["version"])
    save_with_single_history_entry(locked, by=by, created=False, set_relations=lambda: locked.advisors.add(by))
    return True


@transaction.atomic
def consultation_delete(*, consultation: Consultation, by) -> None:
    consultation._history_user = by
    consultation.delete()
