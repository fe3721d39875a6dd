"""Art. 15 information for an organisation or a contact person, and the page for the data-protection officer.

Who: coordinators of a unit that sees the organisation (its own units, or the partner unit while one of its
consultations is shared) and administrators: the same right as reading its history
(access.can_on_organisation(HISTORY)). GET shows what the download holds; POST builds it (CSRF-protected,
logged in the access log), so no link or prefetch can produce an export.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from casework import access
from casework.access import Action
from casework.audit.log import record
from casework.audit.models import AccessEvent
from casework.privacy import information
from reports.pdf import RenderError


def _may_export(user, organisation) -> bool:
    return access.can_on_organisation(user, Action.HISTORY, organisation)


def _download(request, subject, build, context):
    """GET: the page; POST: the ZIP (or the page again with a German message if the PDF failed)."""
    if request.method == "POST":
        document = build()
        try:
            name, content = information.build_package(document)
        except RenderError as error:
            messages.error(request, _("Die Auskunft konnte nicht erzeugt werden: %(error)s") % {"error": error})
            return render(request, "casework/privacy/information_request.html", context, status=503)
        record(AccessEvent.Kind.EXPORT, request=request, target=subject, detail="Auskunft Art. 15 (ZIP)")
        response = HttpResponse(content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Content-Length"] = str(len(content))
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
    return render(request, "casework/privacy/information_request.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_information(request, pk):
    organisation = access.get_organisation_for(request.user, pk)
    if not _may_export(request.user, organisation):
        raise PermissionDenied
    context = {
        "subject_kind": "organisation",
        "organisation": organisation,
        "back_url": reverse("organisations:organisation_detail", args=[organisation.pk]),
        "retention": information.retention_periods(),
    }
    return _download(
        request,
        organisation,
        lambda: information.organisation_information(request.user, organisation),
        context,
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_information(request, pk):
    contact = access.get_contact_for(request.user, pk)
    if not _may_export(request.user, contact.organisation):
        raise PermissionDenied
    context = {
        "subject_kind": "contact",
        "contact": contact,
        "organisation": contact.organisation,
        "back_url": reverse("organisations:organisation_detail", args=[contact.organisation_id]),
        "retention": information.retention_periods(),
    }
    return _download(request, contact, lambda: information.contact_information(request.user, contact), context)


def may_read_processing_record(user) -> bool:
    """Coordinators and administrators: whoever holds the history right in some unit."""
    return bool(access.unit_ids_for(user, Action.HISTORY))


@login_required
@require_GET
def dpo_page(request):
    """ "Datenschutz": the processing record (Art. 30 DSGVO) of this tool, with the periods in force."""
    if not may_read_processing_record(request.user):
        raise PermissionDenied
    context = {
        "purposes": information.purposes(),
        "retention": information.retention_periods(),
        "kinds": information.processing_record(),
        "is_admin": request.user.is_staff,
    }
    return render(request, "casework/privacy/dpo.html", context)
