from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework import access, services
from casework.access import Action
from casework.filters import ConsultationFilter
from casework.forms import ConsultationForm
from casework.history import history_of

LIST_RELATED = ("unit", "shared_with", "organisation", "region")


def _with_list_relations(queryset):
    return queryset.select_related(*LIST_RELATED).prefetch_related("topics", "advisors")


def paginate(request, queryset):
    return Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def home(request):
    user = request.user
    visible = access.consultations_visible_to(user)
    today = timezone.localdate()
    mine = visible.filter(advisors=user)
    unit_ids = access.unit_ids_for(user, Action.VIEW)
    units = access.units_for(user, Action.VIEW).annotate(
        year_count=Count("consultations", filter=Q(consultations__date__year=today.year)),
        year_minutes=Sum("consultations__duration_minutes", filter=Q(consultations__date__year=today.year)),
        year_organisations=Count(
            "consultations__organisation", filter=Q(consultations__date__year=today.year), distinct=True
        ),
    )
    context = {
        "recent": _with_list_relations(mine)[:10],
        "follow_ups": mine.filter(follow_up_date__isnull=False, follow_up_date__lte=today + timezone.timedelta(days=14))
        .select_related("organisation", "unit", "shared_with")
        .order_by("follow_up_date")[:10],
        "units": units if unit_ids else [],
        "today": today,
    }
    return render(request, "casework/home.html", context)


@login_required
def consultation_list(request):
    filterset = ConsultationFilter(
        request.GET or None, queryset=access.consultations_visible_to(request.user), user=request.user
    )
    page = paginate(request, _with_list_relations(filterset.qs))
    return render(request, "casework/consultation_list.html", {"filter": filterset, "page": page})


@login_required
def consultation_detail(request, pk):
    consultation = access.get_consultation_for(
        request.user, pk, queryset=_with_list_relations(access.consultations_visible_to(request.user))
    )
    show_history = access.can_on_consultation(request.user, Action.HISTORY, consultation)
    context = {
        "consultation": consultation,
        "can_change": access.can_on_consultation(request.user, Action.CHANGE, consultation),
        "can_delete": access.can_on_consultation(request.user, Action.DELETE, consultation),
        "history": history_of(consultation) if show_history else None,
    }
    return render(request, "casework/consultation_detail.html", context)


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
    }
    form = ConsultationForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        consultation = services.consultation_save(
            consultation=form.save(commit=False),
            by=request.user,
            topics=form.cleaned_data["topics"],
            advisors=form.cleaned_data["advisors"],
            is_new=True,
        )
        messages.success(request, _("Die Beratung wurde gespeichert."))
        return redirect("casework:consultation_detail", pk=consultation.pk)
    return render(request, "casework/consultation_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_edit(request, pk):
    consultation = access.get_consultation_for(request.user, pk, Action.CHANGE)
    form = ConsultationForm(request.POST or None, instance=consultation, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.consultation_save(
            consultation=form.save(commit=False),
            by=request.user,
            topics=form.cleaned_data["topics"],
            advisors=form.cleaned_data["advisors"],
            is_new=False,
        )
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
