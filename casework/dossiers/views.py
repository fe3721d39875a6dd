"""Dossiers: a print view (HTML with the print stylesheet) and a PDF download of an organisation or a consultation.

Both show exactly what the person may see on the detail pages (casework.dossiers.content); a
record the person may not see is a 404, as on its detail page. Every PDF download is logged.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from casework import access
from casework.audit.log import record
from casework.audit.models import AccessEvent
from casework.dossiers import content
from reports.pdf import RenderError, render_pdf_limited

# A dossier is a few pages; an organisation with years of consultations some dozens (200 consultations:
# ~55 s on a busy two-core test machine). Below the web server's 120 s (deploy/systemd/vielfalt-web.service).
PDF_TIMEOUT_S = 100
PDF_MEMORY_MB = 1024


def _pdf_response(request, *, template, page_template, context, target, title, filename):
    """The PDF of `template` (logged as a download), or the print view with a German message if it failed."""
    # The PDF is German whatever language the page is shown in.
    with translation.override("de"):
        html = render_to_string(template, context, request=request)
    try:
        pdf = render_pdf_limited(html, title=title, timeout_s=PDF_TIMEOUT_S, memory_mb=PDF_MEMORY_MB)
    except RenderError as error:
        messages.error(request, _("Das PDF konnte nicht erzeugt werden: %(error)s") % {"error": error})
        return render(request, page_template, context, status=503)
    record(AccessEvent.Kind.DOWNLOAD, request=request, target=target, detail="Dossier (PDF)")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(len(pdf))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def organisation_dossier(request, pk):
    organisation = access.get_organisation_for(request.user, pk)
    context = content.organisation_dossier(request.user, organisation)
    return render(request, "casework/dossiers/organisation.html", context)


@login_required
@require_GET
def organisation_dossier_pdf(request, pk):
    organisation = access.get_organisation_for(request.user, pk)
    return _pdf_response(
        request,
        template="casework/dossiers/organisation_pdf.html",
        page_template="casework/dossiers/organisation.html",
        context=content.organisation_dossier(request.user, organisation),
        target=organisation,
        title=_("Dossier: %(name)s") % {"name": organisation.name},
        filename=content.file_name("Organisation", organisation.name, organisation.pk),
    )


@login_required
@require_GET
def consultation_dossier(request, pk):
    consultation = access.get_consultation_for(request.user, pk, queryset=content.consultation_queryset(request.user))
    context = content.consultation_dossier(request.user, consultation)
    return render(request, "casework/dossiers/consultation.html", context)


@login_required
@require_GET
def consultation_dossier_pdf(request, pk):
    consultation = access.get_consultation_for(request.user, pk, queryset=content.consultation_queryset(request.user))
    return _pdf_response(
        request,
        template="casework/dossiers/consultation_pdf.html",
        page_template="casework/dossiers/consultation.html",
        context=content.consultation_dossier(request.user, consultation),
        target=consultation,
        title=_("Dossier: Beratung vom %(date)s, %(name)s")
        % {"date": consultation.date.strftime("%d.%m.%Y"), "name": consultation.organisation.name},
        filename=content.file_name(
            "Beratung", f"Beratung {consultation.date.isoformat()} {consultation.organisation.name}", consultation.pk
        ),
    )
