from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, Sum
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework import access, services
from casework.access import Action
from casework.filters import ConsultationFilter
from casework.forms import ConsultationForm
from casework.history import history_of
from casework.models import Consultation
from casework.pagination import paginate
from casework.views_follow_ups import follow_up_panel

SEARCH_COUNT_CAP = 1000
LIST_RELATED = ("unit", "shared_with", "organisation", "region")


def _with_list_relations(queryset):
    return queryset.select_related(*LIST_RELATED).prefetch_related("topics", "advisors")


@login_required
def home(request):
    user = request.user
    visible = access.consultations_visible_to(user)
    today = timezone.localdate()
    # EXISTS rather than a join: SQLite then walks the date index instead of sorting all of
    # the person's consultations (~24 → ~3 ms with 100,000 consultations).
    advised = Consultation.advisors.through.objects.filter(consultation_id=OuterRef("pk"), user_id=user.pk)
    mine = visible.filter(Exists(advised))
    unit_ids = access.unit_ids_for(user, Action.VIEW)
    # The year in the join condition lets the (unit, date) index skip earlier years.
    this_year = FilteredRelation("consultations", condition=Q(consultations__date__year=today.year))
    units = (
        access.units_for(user, Action.VIEW)
        .annotate(this_year=this_year)
        .annotate(
            year_count=Count("this_year"),
            year_minutes=Sum("this_year__duration_minutes"),
            year_organisations=Count("this_year__organisation", distinct=True),
        )
    )
    context = {
        "recent": _with_list_relations(mine)[:10],
        "follow_ups": access.follow_ups_visible_to(user)
        .filter(assigned_to=user, done_at__isnull=True, due_on__lte=today + timezone.timedelta(days=14))
        .select_related("consultation__organisation", "case__organisation")
        .order_by("due_on", "id")[:10],
        "units": units if unit_ids else [],
        "today": today,
    }
    return render(request, "casework/home.html", context)


@login_required
def consultation_list(request):
    filterset = ConsultationFilter(
        request.GET or None, queryset=access.consultations_visible_to(request.user), user=request.user
    )
    queryset = _with_list_relations(filterset.qs)
    # An exact count of a text search scans every row; beyond the cap, narrowing the search helps more.
    searching = bool(getattr(filterset.form, "cleaned_data", {}).get("q"))
    page = paginate(request, queryset, count_cap=SEARCH_COUNT_CAP if searching else None)
    return render(request, "casework/consultation_list.html", {"filter": filterset, "page": page})


@login_required
def consultation_detail(request, pk):
    consultation = access.get_consultation_for(
        request.user, pk, queryset=_with_list_relations(access.consultations_visible_to(request.user))
    )
    show_history = access.can_on_consultation(request.user, Action.HISTORY, consultation)
    can_change = access.can_on_consultation(request.user, Action.CHANGE, consultation)
    context = {
        "consultation": consultation,
        "can_change": can_change,
        "can_delete": access.can_on_consultation(request.user, Action.DELETE, consultation),
        "history": history_of(consultation) if show_history else None,
        **follow_up_panel(request, consultation, can_change=can_change),
    }
    return render(request, "casework/consultation_detail.html", context)


def _save(form, user):
    due_on = form.cleaned_data.get("follow_up_date")
    return services.consultation_save(
        consultation=form.save(commit=False),
        by=user,
        topics=form.cleaned_data["topics"],
        advisors=form.cleaned_data["advisors"],
        criteria=form.cleaned_data.get("criteria", ()),
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
    if request.method == "POST" and form.is_valid():
        consultation = _save(form, request.user)
        messages.success(request, _("Die Beratung wurde gespeichert."))
        return redirect("casework:consultation_detail", pk=consultation.pk)
    return render(request, "casework/consultation_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_edit(request, pk):
    consultation = access.get_consultation_for(request.user, pk, Action.CHANGE)
    form = ConsultationForm(request.POST or None, instance=consultation, user=request.user)
    if request.method == "POST" and form.is_valid():
        _save(form, request.user)
        messages.success(request, _("Die Änderungen wurden gespeichert."))
        return redirect("casework:consultation_detail", pk=consultation.pk)
    return render(request, "casework/consultation_form.html", {"form": form, "consultation": consultation})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_delete(request, pk):
    consultation = access.get_consultation_for(request.user, pk, Action.DELETE)
    if request.method == "POST":
        services.consultation_delete(consultation=consultation, by=request.user)
        messages.success(request, _("Die Beratung wurde gelöscht."))
        return redirect("casework:consultation_list")
    return render(request, "casework/consultation_confirm_delete.html", {"consultation": consultation})
