import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.models import GroupObjectPermission, UserObjectPermission

from casework import access
from casework.history import save_with_single_history_entry
from casework.models import FollowUp, Submission
from casework.search import documents as search_documents
from casework.search.text import normalise
from organisations.models import Organisation


@transaction.atomic
def organisation_save(*, organisation: Organisation, by, unit_ids) -> Organisation:
    is_new = organisation._state.adding
    if is_new:
        organisation.created_by = by
    save_with_single_history_entry(
        organisation, by=by, created=is_new, set_relations=lambda: organisation.units.set(unit_ids)
    )
    return organisation


# --- Similar organisations (duplicate warning) -----------------------------------------------------

SIMILAR_LIMIT = 5
# Above this difflib ratio two names count as the same organisation spelled differently.
SIMILAR_RATIO_SAME_PLACE = 0.8
SIMILAR_RATIO_ANYWHERE = 0.92
# Parts of a name that say nothing about which organisation it is ("e. V.", "gGmbH", single letters).
_NOISE_WORDS = {"ev", "eingetragener", "verein", "ggmbh", "gmbh", "gug", "ug"}
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_DIGITS = re.compile(r"\d+")


def name_key(name: str) -> str:
    """A name without accents, case, punctuation and legal-form words: "Kulturverein Anatolien e. V." →
    "kulturverein anatolien". Only "verein" as a whole word is dropped, "Kulturverein" stays."""
    words = _NOT_WORD.sub(" ", normalise(name)).split()
    kept = [word for word in words if (len(word) > 1 or word.isdigit()) and word not in _NOISE_WORDS]
    return " ".join(kept or words)


@dataclass
class Similar:
    organisation_id: int
    name: str
    municipality: str
    same_place: bool
    score: float


def _score(key: str, other: str) -> float:
    """How alike two name keys are (0 … 1); different numbers ("Projekt 1", "Projekt 2") never match."""
    if key == other:
        return 1.0
    if _DIGITS.findall(key) != _DIGITS.findall(other):
        return 0.0
    shorter, longer = sorted((key, other), key=len)
    if len(shorter) >= 5 and shorter in longer:
        return 0.9
    matcher = SequenceMatcher(None, key, other)
    if matcher.real_quick_ratio() < SIMILAR_RATIO_SAME_PLACE or matcher.quick_ratio() < SIMILAR_RATIO_SAME_PLACE:
        return 0.0
    return matcher.ratio()


def similar_organisations(user, *, name, municipality="", exclude_pk=None, limit=SIMILAR_LIMIT) -> list[Similar]:
    """Organisations `user` may see whose name is (nearly) the same as `name`: same municipality first.

    Only visible organisations are compared, so a duplicate in another unit is never named.
    Compared in Python over the names of the visible organisations (one query of three columns):
    folding accents and spelling needs `normalise`, which the database does not have.
    """
    key = name_key(name)
    if len(key) < 3:
        return []
    place = normalise(municipality)
    candidates = access.organisations_visible_to(user).values_list("pk", "name", "municipality")
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    found = []
    for pk, other_name, other_municipality in candidates.iterator(chunk_size=2000):
        score = _score(key, name_key(other_name))
        same_place = bool(place) and normalise(other_municipality) == place
        # An identical name is a strong hint anywhere; a similar one only in the same place.
        if score == 1.0 or score >= (SIMILAR_RATIO_SAME_PLACE if same_place else SIMILAR_RATIO_ANYWHERE):
            found.append(Similar(pk, other_name, other_municipality, same_place, score))
    found.sort(key=lambda s: (not s.same_place, -s.score, s.name, s.organisation_id))
    return found[:limit]


# --- Merging two organisations ---------------------------------------------------------------------


def _foreign_key_relations():
    """Every relation pointing at Organisation (found, not listed, so that new ones are not forgotten)."""
    return [rel for rel in Organisation._meta.related_objects if not rel.many_to_many]


def _many_to_many_relations():
    return [rel for rel in Organisation._meta.related_objects if rel.many_to_many]


@dataclass
class MergeItem:
    label: str
    count: int


def merge_summary(organisation: Organisation) -> list[MergeItem]:
    """What moves when `organisation` is merged into another: a count per kind of record."""
    items = []
    for rel in _foreign_key_relations():
        count = rel.related_model._default_manager.filter(**{rel.field.name: organisation}).count()
        items.append(MergeItem(str(rel.related_model._meta.verbose_name_plural), count))
    for rel in _many_to_many_relations():
        count = rel.related_model._default_manager.filter(**{rel.field.name: organisation}).count()
        items.append(MergeItem(str(rel.field.verbose_name), count))
    follow_ups = FollowUp.objects.filter(consultation__organisation=organisation) | FollowUp.objects.filter(
        case__organisation=organisation
    )
    items.append(MergeItem(_("Wiedervorlagen (gehen mit ihren Beratungen und Prozessen mit)"), follow_ups.count()))
    return items


def merge_reason(remove: Organisation) -> str:
    return _("Zusammengeführt mit „%(name)s“ (#%(pk)s)") % {"name": remove.name, "pk": remove.pk}


def _save_with_reason(record, *, by, reason, set_relations=lambda: None):
    record._change_reason = reason
    try:
        save_with_single_history_entry(record, by=by, created=False, set_relations=set_relations)
    finally:
        del record._change_reason


def _move_foreign_keys(*, keep, remove, by, reason):
    for rel in _foreign_key_relations():
        field = rel.field.name
        for record in rel.related_model._default_manager.filter(**{field: remove}).order_by("pk"):
            setattr(record, field, keep)
            # Forms open on a moved record refuse to save over the move (casework/concurrency.py).
            if hasattr(record, "version"):
                record.version += 1
            if hasattr(record, "history"):
                _save_with_reason(record, by=by, reason=reason)
            else:
                record.save(update_fields=[field])


def _move_many_to_many(*, keep, remove, by, reason):
    for rel in _many_to_many_relations():
        accessor = rel.field.name
        for record in rel.related_model._default_manager.filter(**{accessor: remove}).order_by("pk"):
            linked = getattr(record, accessor)
            others = [org for org in linked.all() if org.pk != remove.pk]

            def relink(linked=linked, others=others):
                linked.set([*others, keep] if keep not in others else others)

            if hasattr(record, "version"):
                record.version += 1
            if hasattr(record, "history"):
                _save_with_reason(record, by=by, reason=reason, set_relations=relink)
            else:
                relink()


def _move_object_permissions(*, keep, remove):
    """Guardian grants on the removed organisation (if any) now apply to the kept one."""
    content_type = ContentType.objects.get_for_model(Organisation)
    for model, holder in ((UserObjectPermission, "user_id"), (GroupObjectPermission, "group_id")):
        on_keep = set(
            model.objects.filter(content_type=content_type, object_pk=str(keep.pk)).values_list(holder, "permission_id")
        )
        for grant in model.objects.filter(content_type=content_type, object_pk=str(remove.pk)):
            if (getattr(grant, holder), grant.permission_id) in on_keep:
                grant.delete()
            else:
                grant.object_pk = str(keep.pk)
                grant.save(update_fields=["object_pk"])


@transaction.atomic
def organisation_merge(*, keep: Organisation, remove: Organisation, by) -> Organisation:
    """Move every record of `remove` to `keep`, unite their units, note it in the histories, delete `remove`.

    Visibility stays derived (casework/access.py): shared consultations now hang on `keep`, so the
    partner unit sees `keep`. Figures count consultations, not organisations, so they stay the same,
    except that two duplicates reached in one period now count as the one organisation they are.
    """
    if keep.pk == remove.pk:
        raise ValueError("An organisation cannot be merged with itself.")
    keep, remove = (
        Organisation.objects.select_for_update().get(pk=keep.pk),
        Organisation.objects.select_for_update().get(pk=remove.pk),
    )
    reason = merge_reason(remove)
    with search_documents.deferred():  # each moved record's search document once
        _move_foreign_keys(keep=keep, remove=remove, by=by, reason=reason)
        _move_many_to_many(keep=keep, remove=remove, by=by, reason=reason)
    _move_object_permissions(keep=keep, remove=remove)
    # A form sent again with the token that created the removed one leads to the kept one.
    Submission.objects.filter(content_type=ContentType.objects.get_for_model(Organisation), object_id=remove.pk).update(
        object_id=keep.pk
    )
    unit_ids = {unit.pk for unit in keep.units.all()} | {unit.pk for unit in remove.units.all()}
    keep.version += 1
    _save_with_reason(keep, by=by, reason=reason, set_relations=lambda: keep.units.set(unit_ids))
    remove._history_user = by
    remove._change_reason = _("Zusammengeführt in „%(name)s“ (#%(pk)s)") % {"name": keep.name, "pk": keep.pk}
    remove.delete()
    return keep


def organisation_merge_if_unchanged(*, keep, remove, by, keep_version, remove_version) -> Organisation | None:
    """`organisation_merge`, if both still have the versions the confirmation page showed; else None."""
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().filter(pk__in=[keep.pk, remove.pk])
        versions = dict(locked.values_list("pk", "version"))
        if versions.get(keep.pk) != keep_version or versions.get(remove.pk) != remove_version:
            return None
        return organisation_merge(keep=keep, remove=remove, by=by)
