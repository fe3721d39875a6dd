"""The start page: one's recent consultations, follow-ups due soon and the units' year so far.

The year's figures are the dashboard's (same period, shared consultations counted for both units),
so that the two pages never show different numbers under the same label.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.utils import timezone

from casework import access
from casework.access import Action
from casework.consultations.views import LIST_RELATED
from casework.dashboard import figures
from casework.models import Consultation


@login_required
def home(request):
    user = request.user
    visible = access.consultations_visible_to(user)
    today = timezone.localdate()
    # EXISTS rather than a join: SQLite then walks the date index instead of sorting all of
    # the person's consultations (~24 → ~3 ms with 100,000 consultations).
    advised = Consultation.advisors.through.objects.filter(consultation_id=OuterRef("pk"), user_id=user.pk)
    mine = visible.filter(Exists(advised))
    # The same figures as the dashboard's column for this year (casework/dashboard/figures.py).
    units = list(access.units_for(user, Action.VIEW).order_by("pk"))
    for unit in units:
        unit.year_to_date = figures.year_to_date(unit, today)
    context = {
        "recent": mine.select_related(*LIST_RELATED)[:10],  # no topics or advisors shown
        "follow_ups": access.follow_ups_visible_to(user)
        .filter(assigned_to=user, done_at__isnull=True, due_on__lte=today + timezone.timedelta(days=14))
        .select_related("consultation__organisation", "case__organisation")
        .order_by("due_on", "id")[:10],
        "units": units,
        "today": today,
    }
    return render(request, "casework/home/home.html", context)
