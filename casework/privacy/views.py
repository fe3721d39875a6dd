"""Art. 17 screens (erase a contact person, anonymise an organisation) and the deletion periods falling due.

Erasing is for coordinators (and administrators) of a unit the organisation belongs to, like deleting and
merging: a partner unit that sees the organisation only through a shared consultation does not erase the
lead unit's records.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from casework import access
from casework.access import Action
from casework.concurrency import save_or_refuse
from casework.privacy import erasure, retention
from casework.privacy.forms import ErasureForm

DUE_WITHIN_DAYS = 90


@login_required
@require_http_methods(["GET", "POST"])
def contact_erase(request, pk):
    contact = access.get_contact_for(request.user, pk, Action.DELETE)
    form = ErasureForm(request.POST or None, record=contact)
    if request.method == "POST" and form.is_valid():
        organisation_id = contact.organisation_id
        done = save_or_refuse(
            form,
            save=lambda: (
                erasure.contact_erase(
                    contact=contact, by=request.user, request=request, reason=form.cleaned_data["reason"]
                )
                or True
            ),
        )
        if done:
            messages.success(request, _("Die Ansprechperson wurde vollständig gelöscht (Art. 17 DSGVO)."))
            return redirect("organisations:organisation_detail", pk=organisation_id)
    return render(request, "casework/privacy/erasure_contact.html", {"contact": contact, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_anonymise(request, pk):
    organisation = access.get_organisation_for(request.user, pk, Action.DELETE)
    form = ErasureForm(request.POST or None, record=organisation)
    if request.method == "POST" and form.is_valid():
        done = save_or_refuse(
            form,
            save=lambda: erasure.organisation_anonymise(
                organisation=organisation, by=request.user, request=request, reason=form.cleaned_data["reason"]
            ),
        )
        if done:
            messages.success(request, _("Die Organisation wurde anonymisiert (Art. 17 DSGVO)."))
            return redirect("organisations:organisation_detail", pk=organisation.pk)
    context = {
        "organisation": organisation,
        "form": form,
        "summary": erasure.anonymisation_summary(organisation),
        "already_anonymised": erasure.is_anonymised(organisation),
    }
    return render(request, "casework/privacy/erasure_organisation.html", context)


@login_required
@require_GET
def retention_due(request):
    """What falls due in the next 90 days in the coordinator's units (administrators: all units)."""
    unit_ids = access.unit_ids_for(request.user, Action.DELETE)
    if not unit_ids:
        raise PermissionDenied
    today = timezone.localdate()
    items = retention.due_for_units(today, unit_ids, days=DUE_WITHIN_DAYS)
    contacts = [item for item in items if item.rule == retention.CONTACT_PERSON]
    contact_records = (
        access.visible_related(request.user, erasure.ContactPerson)
        .select_related("organisation")
        .in_bulk([item.record_id for item in contacts])
    )
    groups = {}
    for item in items:
        if item.rule == retention.FREE_TEXT:
            key = (item.kind_label, item.due_on)
            groups[key] = groups.get(key, 0) + 1
    context = {
        "days": DUE_WITHIN_DAYS,
        "today": today,
        "contacts": [(item, contact_records.get(item.record_id)) for item in contacts],
        "free_texts": [
            {"kind": kind, "due_on": due_on, "count": count}
            for (kind, due_on), count in sorted(groups.items(), key=lambda g: (g[0][1], g[0][0]))
        ],
        "retention": settings.RETENTION,
        "units": access.units_for(request.user, Action.DELETE),
    }
    return render(request, "casework/privacy/retention_due.html", context)
