from django.db import transaction

from casework.history import save_with_single_history_entry
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
