from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework import access
from casework.access import Action
from casework.concurrency import create_once, save_or_refuse
from casework.consultations import services
from casework.consultations.filters import ConsultationFilter
from casework.consultations.forms import ConsultationForm
from casework.consultations.names import with_names
from casework.follow_ups.views import follow_up_panel
from casework.history import history_of
from casework.models import Consultation
from casework.ui.pagination import paginate

COUNT_CAP = 1000  # rows counted past the page's start (casework/ui/pagination.py)
SEARCH_COUNT_CAP = 200
LIST_RELATED = ("unit", "shared_with", "organisation", "region")
# What a list row shows (casework/templatetags/consultation_rows.py): the texts – summary, agreements and the
# search document, two thirds of a row – stay unread (a page's rows 0.38 → 0.30 ms of SQL, the cache cold).
LIST_COLUMNS = (
    "unit__code",
    "unit__short_name",
    "shared_with__code",
    "shared_with__short_name",
    "organisation__name",
    "region__name",
    "date",
    "format",
    "duration_minutes",
)


def with_list_relations(queryset):
    return queryset.select_related(*LIST_RELATED).prefetch_related("topics", "advisors")


def _list_rows(queryset):
    return queryset.select_related(*LIST_RELATED).only(*LIST_COLUMNS)


def _rows_by_id(ids):
    # The ids come from the filtered, visible list: the rows need not be checked again. Unsorted: the
    # paginator puts them in the ids' order (a sort of the rows in SQL: +0.07 ms).
    return _list_rows(Consultation.objects.filter(pk__in=ids)).order_by()


@login_required
def consultation_list(request):
    filterset = ConsultationFilter(
        request.GET or None, queryset=access.consultations_visible_to(request.user), user=request.user
    )
    queryset = _list_rows(filterset.qs)
    # Counting matches of a text search means checking rows one by one: fewer are counted.
    if filterset.search_text:
        first_ids = filterset.searched_ids(queryset)
        page = paginate(request, queryset, count_cap=SEARCH_COUNT_CAP, rows_by_id=_rows_by_id, first_ids=first_ids)
    else:
        page = paginate(request, queryset, count_cap=COUNT_CAP)
    page.object_list = with_names(page.object_list)
    return render(request, "casework/consultations/list.html", {"filter": filterset, "page": page})


@login_required
def consultation_detail(request, pk):
    # Most consultations address no quality criterion: asking in the same query saves one.
    addressed = Consultation.criteria.through.objects.filter(consultation_id=OuterRef("pk"))
    queryset = with_list_relations(access.consultations_visible_to(request.user)).annotate(
        addresses_criteria=Exists(addressed)
    )
    consultation = access.get_consultation_for(request.user, pk, queryset=queryset)
    show_history = access.can_on_consultation(request.user, Action.HISTORY, consultation)
    can_change = access.can_on_consultation(request.user, Action.CHANGE, consultation)
    context = {
        "consultation": consultation,
        "can_change": can_change,
        "can_delete": access.can_on_consultation(request.user, Action.DELETE, consultation),
        "history": history_of(consultation, request.user) if show_history else None,
        "can_join": services.may_join_as_advisor(request.user, consultation)
        and request.user not in consultation.advisors.all(),
        "criteria_by_area": services.criteria_by_area(consultation) if consultation.addresses_criteria else [],
        **follow_up_panel(request, consultation, can_change=can_change),
    }
    return render(request, "casework/consultations/detail.html", context)


def _save(form, user):
    due_on = form.cleaned_data.get("follow_up_date")
    return services.consultation_save(
        consultation=form.save(commit=False),
        by=user,
        topics=form.cleaned_data["topics"],
        advisors=form.cleaned_data["advisors"],
        criteria=form.cleaned_data.get("criteria"),
        follow_up=(due_on, form.cleaned_data["follow_up_what"].strip()) if due_on else None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_create(request):
    if not access.unit_ids_for(request.user, Action.CHANGE):
        raise PermissionDenied
    initial = {
        "date": timezone.localdate(),
        "advisors": [request.user.pk],
        "participants": 1,
        "format": "office",
        "initiated_by": "organisation",
        "organisation": request.GET.get("organisation"),
        "case": access.parse_pk(request.GET.get("case")),
    }
    form = ConsultationForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and (
        consultation := create_once(
            request, form, create=lambda: _save(form, request.user), success=_("Die Beratung wurde gespeichert.")
        )
    ):
        return redirect("casework:consultation_detail", pk=consultation.pk)
    return render(request, "casework/consultations/form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_edit(request, pk):
    consultation = access.get_consultation_for(request.user, pk, Action.CHANGE)
    form = ConsultationForm(request.POST or None, instance=consultation, user=request.user)
    if request.method == "POST" and form.is_valid() and save_or_refuse(form, save=lambda: _save(form, request.user)):
        messages.success(request, _("Die Änderungen wurden gespeichert."))
        return redirect("casework:consultation_detail", pk=consultation.pk)
    return render(request, "casework/consultations/form.html", {"form": form, "consultation": consultation})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_delete(request, pk):
    consultation = access.get_consultation_for(request.user, pk, Action.DELETE)
    if request.method == "POST":
        services.consultation_delete(consultation=consultation, by=request.user)
        messages.success(request, _("Die Beratung wurde gelöscht."))
        return redirect("casework:consultation_list")
    return render(request, "casework/consultations/confirm_delete.html", {"consultation": consultation})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_join(request, pk):
    """ "Ich berate mit": a partner unit's advisor adds herself to a shared consultation (POST only)."""
    consultation = access.get_consultation_for(request.user, pk, Action.CHANGE)
    if not services.may_join_as_advisor(request.user, consultation):
        raise PermissionDenied
    # GET answers only after the access check, so the permission matrix sees who may join.
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if services.advisor_join(consultation=consultation, by=request.user):
        messages.success(request, _("Sie sind jetzt als Berater*in dieser Beratung eingetragen."))
    else:
        messages.info(request, _("Sie sind bereits als Berater*in eingetragen."))
    return redirect("casework:consultation_detail", pk=consultation.pk)
