"""Who may see and change the Lots*innen figures; built on casework/access.py and its rules.

The figures belong to the Fachstelle WIR-Lots*innen (unit code `lots`) and exist only for its
Lots*innen projects. Members of that unit see them, advisors record and edit them, coordinators
delete them (like assessments and events); administrators hold every right on both units.
Anyone else, MO staff included, never learns that they exist: 404, even on a Lots project shared
with MO, and so is every guides page of an organisation that is not a Lots*innen project.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from casework import access
from casework.access import Action
from casework.guides.models import GuideCount, GuideTraining
from casework.models import Unit
from organisations.models import Organisation

GUIDE_UNIT_CODE = "lots"


def project_unit_ids(user, action: Action, organisation) -> list[int]:
    """The Lots*innen units of a project on which `user` holds `action`, in id order.

    Uses the organisation's prefetched units; no query when none qualifies.
    """
    if organisation.kind != Organisation.Kind.GUIDE_PROJECT:
        return []
    candidates = access.unit_ids_for(user, action) & access.organisation_unit_ids(organisation)
    return sorted(
        unit.pk for unit in organisation.units.all() if unit.pk in candidates and unit.code == GUIDE_UNIT_CODE
    )


def get_guide_project_for(user, pk, action: Action = Action.VIEW) -> tuple[Organisation, Unit]:
    """A Lots*innen project whose figures `user` may see, with the Lots unit that keeps them.

    404 if the person cannot see the organisation, it is no Lots*innen project or the person has no
    right in its Lots*innen unit; 403 for a reader lacking `action`.
    """
    organisation = access.get_organisation_for(user, pk)
    visible = project_unit_ids(user, Action.VIEW, organisation)
    if not visible:
        raise Http404
    allowed = project_unit_ids(user, action, organisation) if action is not Action.VIEW else visible
    if not allowed:
        raise PermissionDenied
    unit = next(unit for unit in organisation.units.all() if unit.pk == allowed[0])
    return organisation, unit


def _visible(model, user, action: Action):
    unit_ids = access.unit_ids_for(user, action)
    if not unit_ids:
        return model.objects.none()
    return model.objects.filter(
        access.visible_organisation(user),
        unit_id__in=unit_ids,
        unit__code=GUIDE_UNIT_CODE,
        organisation__kind=Organisation.Kind.GUIDE_PROJECT,
    )


def guide_counts_visible_to(user, action: Action = Action.VIEW):
    return _visible(GuideCount, user, action)


def guide_trainings_visible_to(user, action: Action = Action.VIEW):
    return _visible(GuideTraining, user, action)


def _get(queryset, user, pk, action):
    record = queryset.select_related("organisation", "unit").filter(pk=pk).first()
    if record is None:
        raise Http404
    if action is not Action.VIEW and not access.can(user, action, {record.unit_id}):
        raise PermissionDenied
    return record


def get_guide_count_for(user, pk, action: Action = Action.VIEW) -> GuideCount:
    return _get(guide_counts_visible_to(user), user, pk, action)


def get_guide_training_for(user, pk, action: Action = Action.VIEW) -> GuideTraining:
    return _get(guide_trainings_visible_to(user), user, pk, action)
