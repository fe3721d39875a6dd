"""Sachbericht: the narrative sections coordinators write, and the title page administrators keep.

The editor works for one scope (mo / lots / all) and period, named in the query string as on the report
form (`?scope=mo&period_kind=year&year=2025`). Coordinators of the scope's unit(s) and administrators;
advisors get 403, a scope of another unit 404. Services: reports/narrative.py.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from casework import access
from casework.accounts.people.services import is_administrator
from casework.concurrency import VERSION_FIELD, save_or_refuse
from casework.models import Unit
from reports import narrative
from reports.figures import ALL_SCOPE
from reports.forms import ReportForm, scope_choices
from reports.models import ReportLogo
from reports.narrative_forms import LogoForm, NarrativeForm, TakeOverForm, TitlePageForm
from reports.views import FORM_FIELDS


def _narrative_scope(request):
    """(report form, units) for the scope and period in the query string (last year of the first unit without).

    Advisors: 403 (reporting_units); a scope of a unit the person does not report on: 404.
    """
    units = access.reporting_units(request.user)
    data = request.GET
    if not data.get("scope"):
        data = {"scope": units[0].code, "period_kind": "year", "year": str(timezone.localdate().year - 1)}
    scope = data.get("scope")
    allowed = {code for code, _label in scope_choices(units)}
    if scope not in allowed and (scope == ALL_SCOPE or Unit.objects.filter(code=scope).exists()):
        raise Http404
    return ReportForm(data, units=units), units


def _narrative_query(form) -> str:
    """The query string naming the form's scope and period (for links and redirects)."""
    fields = {name: form.data.get(name, "") for name in FORM_FIELDS}
    return urlencode({name: value for name, value in fields.items() if value not in ("", None)})


def _narrative_context(period_form, draft=None, **extra):
    context = {"period_form": period_form, "draft": draft, "query": _narrative_query(period_form), **extra}
    if draft is not None and period_form.is_valid():
        period = period_form.cleaned_data["period"]
        context["previous_period"] = period.previous()
        context["has_previous"] = bool(narrative.previous_texts(draft.scope, period))
        context["scope_label"] = dict(period_form.fields["scope"].choices).get(draft.scope, draft.scope)
        context["period"] = period
    return context


@login_required
@require_http_methods(["GET", "POST"])
def narrative_edit(request):
    """The narrative sections of the Sachbericht for one scope and period: written here, saved as a draft."""
    period_form, _units = _narrative_scope(request)
    if not period_form.is_valid():
        return render(request, "reports/narrative.html", _narrative_context(period_form), status=400)
    data = period_form.cleaned_data
    draft = narrative.draft_for(data["scope"], data["period"])
    form = NarrativeForm(request.POST if request.method == "POST" else None, draft=draft)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_or_refuse(form, save=lambda: narrative.save_texts(draft, form.cleaned_data, request.user))
    ):
        messages.success(request, _("Die Texte sind gespeichert."))
        return redirect(f"{request.path}?{_narrative_query(period_form)}")
    context = _narrative_context(
        period_form,
        draft,
        form=form,
        take_over_form=TakeOverForm(draft=draft),
        is_administrator=is_administrator(request.user),
    )
    return render(request, "reports/narrative.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def narrative_autosave(request):
    """Saving while writing (static/js/narrative.js): JSON; 409 with a German message if someone saved since."""
    period_form, _units = _narrative_scope(request)
    if not period_form.is_valid():
        return JsonResponse({"message": _("Bitte Bereich und Zeitraum prüfen.")}, status=400)
    data = period_form.cleaned_data
    draft = narrative.draft_for(data["scope"], data["period"])
    form = NarrativeForm(request.POST, draft=draft)
    if not form.is_valid():
        errors = [str(error) for errors in form.errors.values() for error in errors]
        return JsonResponse({"message": " ".join(errors)}, status=400)
    if save_or_refuse(form, save=lambda: narrative.save_texts(draft, form.cleaned_data, request.user)) is None:
        message = " ".join(str(error) for error in form.non_field_errors())
        return JsonResponse({"message": message, "version": form.data.get(VERSION_FIELD, "")}, status=409)
    saved_at = timezone.localtime(draft.updated_at)
    return JsonResponse(
        {
            "version": str(draft.version),
            "message": _("Automatisch gespeichert um %(time)s Uhr.") % {"time": f"{saved_at:%H:%M}"},
        }
    )


@login_required
@require_POST
def narrative_take_over(request):
    """Copy the previous period's texts into the empty sections (into all with the box ticked)."""
    period_form, _units = _narrative_scope(request)
    if not period_form.is_valid():
        return render(request, "reports/narrative.html", _narrative_context(period_form), status=400)
    data = period_form.cleaned_data
    back = redirect(f"{reverse('reports:narrative_edit')}?{_narrative_query(period_form)}")
    previous = narrative.previous_texts(data["scope"], data["period"])
    if not previous:
        messages.info(request, _("Für den Zeitraum davor gibt es keine Texte."))
        return back
    draft = narrative.draft_for(data["scope"], data["period"])
    form = TakeOverForm(request.POST, draft=draft)
    copied = []

    def copy():
        copied.extend(narrative.take_over(draft, previous, overwrite=form.cleaned_data["overwrite"]))
        return narrative.save_texts(draft, draft.texts, request.user)

    if not form.is_valid() or save_or_refuse(form, save=copy) is None:
        for error in form.non_field_errors():
            messages.error(request, error)
        return back
    if copied:
        messages.success(
            request,
            _("%(count)s Abschnitt(e) aus dem Zeitraum davor übernommen – bitte an den neuen Zeitraum anpassen.")
            % {"count": len(copied)},
        )
    else:
        messages.info(
            request,
            _(
                "Nichts übernommen: Die Abschnitte mit Texten aus dem Zeitraum davor sind schon ausgefüllt. "
                "Zum Ersetzen „Auch bereits ausgefüllte Abschnitte ersetzen“ ankreuzen."
            ),
        )
    return back


def _administrators_only(request):
    if not is_administrator(request.user):
        raise PermissionDenied


def _title_page_page(request, *, form=None, logo_form=None, status=200):
    units = list(Unit.objects.order_by("pk"))
    if form is None:
        form = TitlePageForm(
            settings_row=narrative.title_settings(), units=units, references=narrative.funding_references(units)
        )
    logos = ReportLogo.objects.only("pk", "name", "content_type", "width", "height", "uploaded_at")
    context = {"form": form, "logo_form": logo_form or LogoForm(), "logos": logos}
    return render(request, "reports/narrative_title_page.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def title_page_settings(request):
    """Administrators: the funding notice, the Aktenzeichen per unit and the logos of the title page."""
    _administrators_only(request)
    if request.method == "GET":
        return _title_page_page(request)
    units = list(Unit.objects.order_by("pk"))
    settings_row = narrative.title_settings()
    form = TitlePageForm(
        request.POST, settings_row=settings_row, units=units, references=narrative.funding_references(units)
    )
    if form.is_valid() and save_or_refuse(
        form,
        save=lambda: narrative.save_title_page(settings_row, form.cleaned_data["funding_notice"], form.references()),
    ):
        messages.success(request, _("Die Angaben für die Titelseite sind gespeichert."))
        return redirect("reports:title_page_settings")
    return _title_page_page(request, form=form, status=400)


@login_required
@require_POST
def logo_upload(request):
    _administrators_only(request)
    form = LogoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _title_page_page(request, logo_form=form, status=400)
    narrative.add_logo(form.cleaned_data["name"], form.cleaned_data["image"])
    messages.success(request, _("Das Logo ist gespeichert."))
    return redirect("reports:title_page_settings")


@login_required
@require_POST
def logo_delete(request, pk):
    _administrators_only(request)
    deleted, _rows = ReportLogo.objects.filter(pk=access.parse_pk(pk)).delete()
    if not deleted:
        raise Http404
    messages.success(request, _("Das Logo ist entfernt. Bereits erzeugte Berichte behalten es."))
    return redirect("reports:title_page_settings")
