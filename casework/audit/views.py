"""The access log in the tool ("Zugriffsprotokoll"): administrators read it; nobody changes it."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from casework.access import parse_pk
from casework.audit.details import group_ids, read_detail
from casework.audit.filters import AccessEventFilter
from casework.audit.models import AccessEvent
from casework.roles import ADMIN
from casework.ui.labels import person_label
from casework.ui.pagination import paginate

COUNT_CAP = 1000  # rows counted past the page's start (casework/ui/pagination.py)


def is_administrator(user) -> bool:
    """Members of the Administration role (bound by key, not by group name) and superusers.

    Not a unit permission: the Administration group holds every unit right, but so does a person
    coordinating both units, who must not read everyone's sign-ins.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(role__role=ADMIN).exists()


@never_cache
@login_required
@require_GET
def access_log(request):
    if not is_administrator(request.user):
        raise PermissionDenied
    filterset = AccessEventFilter(request.GET or None, queryset=AccessEvent.objects.order_by("-at", "-id"))
    page = paginate(request, filterset.qs, count_cap=COUNT_CAP)
    _describe(page)
    return render(request, "casework/audit/access_log.html", {"filter": filterset, "page": page})


def _describe(page):
    """Each entry's target and detail in words: accounts and groups named, looked up once for the page."""
    page.object_list = entries = list(page.object_list)  # the annotated objects are the ones shown
    targets = {e.pk: parse_pk(e.target_id) if e.target_kind == "user" else None for e in entries}
    user_ids = {pk for pk in targets.values() if pk}
    users = {u.pk: person_label(u) for u in get_user_model().objects.filter(pk__in=user_ids)} if user_ids else {}
    wanted_groups = {pk for e in entries for pk in group_ids(e.detail) if parse_pk(pk)}
    groups = dict(Group.objects.filter(pk__in=wanted_groups).values_list("pk", "name")) if wanted_groups else {}
    for entry in entries:
        entry.target_label = users.get(targets[entry.pk])
        entry.detail_text = read_detail(entry.detail, groups)
