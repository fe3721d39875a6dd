from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, QuerySet, Sum
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

LIST_RELATED = ("unit", "shared_with", "organisation", "region")


def _with_list_relations(queryset):
    return queryset.select_related(*LIST_RELATED).prefetch_related("topics", "advisors")


def _ends_with_pk(queryset) -> bool:
    """Whether the queryset's ordering is total (its last key is the primary key)."""
    if not isinstance(queryset, QuerySet) or not queryset.ordered:
        return False
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    last = ordering[-1] if ordering else None
    return isinstance(last, str) and last.lstrip("-") in ("pk", queryset.model._meta.pk.attname)


class TailPaginator(Paginator):
    """Reads pages in the back half from the other end of the ordering, so the OFFSET stays small.

    With OFFSET the database walks past every earlier row: the last of ~2,400 consultation
    pages (100,000 records) took ~65 ms on SQLite and ~105 ms on PostgreSQL, read backwards ~5 ms.
    Only for a total ordering (ending in the primary key), so both directions give the same rows.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if bottom > self.count // 2 and _ends_with_pk(self.object_list):
            items = list(self.object_list.reverse()[self.count - top : self.count - bottom])
            items.reverse()
            return self._get_page(items, number, self)
        return self._get_page(self.object_list[bottom:top], number, self)


def paginate(request, queryset):
    return TailPaginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))


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
        "follow_ups": consultation.follow_ups.select_related("assigned_to"),
        "today": timezone.localdate(),
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
