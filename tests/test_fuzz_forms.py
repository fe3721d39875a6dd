"""Every form page and every list filter, fed hostile values one field at a time: never a 5xx.

For each page the form is read from the page's own HTML (what a browser would send), completed with
valid values where the page starts empty, and checked to be valid as it is. Then each field in turn
gets each hostile value while the others keep their valid values:

- the response is never a server error;
- an invalid submission changes nothing (the number of rows and the edited record stay the same);
- fields that hold dates, numbers or choices accept none of the hostile values.

Each submission runs in a transaction that is rolled back, so every one starts from the same data.

To keep the runtime in bounds (each request renders a whole page): fields made once per catalogue entry
(rating_<pk>, note_<pk>, outcome_<pk>) are fuzzed through their first one, and each kind of field gets
the hostile values that can behave differently for it (hostile_values); dates and hidden fields get all.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import transaction
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from casework.models import (
    Assessment,
    Case,
    CaseOutcomeReached,
    Consultation,
    Event,
    FollowUp,
    QualityArea,
    QualityCriterion,
    Topic,
)
from organisations.models import ContactPerson, Organisation, Region
from reports.models import Report, Target

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_template_rendering")]

HOSTILE = [
    "9" * 5000,
    str(2**63),
    str(2**64),
    "-1",
    "true",
    "00:00",
    "2025-13-01",
    "9999-12-31",
    "0001-01-01",
    "\x00",
    "x" * 10_000,
    "جمعية",
]
# Inputs whose every valid value is a date, a number or one of a list of choices.
STRICT_KINDS = {"date", "number", "select", "radio", "checkbox-choice"}
# Values that can only behave differently for some kinds of field: free text and a choice among words
# read every short string alike ("true" stands for the others), ids and numbers every short string
# that is not digits. Dates, hidden fields and anything else get every value.
FREE_TEXT_KINDS = {"text", "textarea", "email", "url", "tel", "search"}
WORDS_HOSTILE = ["9" * 5000, "true", "\x00", "x" * 10_000, "جمعية"]
NUMBERS_HOSTILE = ["9" * 5000, str(2**63), str(2**64), "-1", "true", "\x00", "x" * 10_000, "جمعية"]


@pytest.fixture
def plain_template_rendering(monkeypatch):
    """Render as in production: the test client's copy of every template context (for response.context)
    costs a fifth of each request, and these tests send thousands."""
    from django.template.base import Template

    monkeypatch.setattr(Template, "_render", lambda template, context: template.nodelist.render(context))


def hostile_values(entry):
    words = [option for option in entry.options if option]
    word_choices = bool(words) and not any(option.isdigit() for option in words)
    if entry.kind in FREE_TEXT_KINDS or word_choices:
        return WORDS_HOSTILE
    if entry.kind in ("number", "select", "radio", "checkbox-choice"):
        return NUMBERS_HOSTILE
    return HOSTILE


NOT_FIELDS = {"csrfmiddlewaretoken"}


# --- Reading a form from the page ----------------------------------------------------------------


@dataclass
class Input:
    name: str
    kind: str  # text, date, number, hidden, select, radio, checkbox, checkbox-choice, textarea, …
    disabled: bool
    values: list[str] = field(default_factory=list)  # what a browser sends as it is
    options: list[str] = field(default_factory=list)  # choices of a select, radio or checkbox group


@dataclass
class Form:
    method: str
    action: str
    inputs: dict[str, Input] = field(default_factory=dict)

    def add(self, name, kind, disabled, value=None, option=None):
        entry = self.inputs.setdefault(name, Input(name, kind, disabled))
        if value is not None:
            entry.values.append(value)
        if option is not None:
            entry.options.append(option)
        entry.disabled = entry.disabled and disabled


class FormReader(HTMLParser):
    """The forms of a page with their fields, as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form = None
        self._select = None  # (name, disabled, multiple, [(value, selected)])
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = Form(method=(a.get("method") or "get").lower(), action=a.get("action") or "")
            self.forms.append(self._form)
            return
        if self._form is None or ("name" not in a and tag not in ("option",)):
            return
        disabled = "disabled" in a
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind == "checkbox":
                is_choice = a.get("value") not in (None, "on")
                kind = "checkbox-choice" if is_choice else "checkbox"
                value = a.get("value") or "on"
                self._form.add(a["name"], kind, disabled, value if "checked" in a else None, value)
            elif kind == "radio":
                self._form.add(a["name"], kind, disabled, a.get("value") if "checked" in a else None, a.get("value"))
            else:
                self._form.add(a["name"], kind, disabled, a.get("value", ""))
        elif tag == "select":
            self._select = (a["name"], disabled, "multiple" in a, [])
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
            self._select[3].append(self._option)
        elif tag == "textarea":
            self._textarea = [a["name"], disabled, ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data
        if self._textarea is not None:
            self._textarea[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            name, disabled, multiple, options = self._select
            values = [o[0] if o[0] is not None else o[2].strip() for o in options]
            chosen = [v for v, o in zip(values, options, strict=True) if o[1]]
            if not chosen and not multiple and values:
                chosen = values[:1]  # a browser sends the first option
            self._form.add(name, "select", disabled)
            self._form.inputs[name].values.extend(chosen)
            self._form.inputs[name].options.extend(values)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, disabled, text = self._textarea
            self._form.add(name, "textarea", disabled, text.removeprefix("\n"))
            self._textarea = None


def page_form(html: str, method: str, path: str) -> Form:
    """The page's own form for `method`: not the language switch or the logout button."""
    reader = FormReader()
    reader.feed(html)
    forms = [f for f in reader.forms if f.method == method and f.action in ("", path) and set(f.inputs) - NOT_FIELDS]
    assert forms, f"no {method} form on {path}"
    return max(forms, key=lambda f: len(f.inputs))


def fields_to_fuzz(form: Form) -> list[Input]:
    """The form's fields; of fields made per catalogue entry (rating_<pk>, note_<pk>, outcome_<pk>) the first.

    They are the same field class once per entry: dozens of criteria would multiply the runtime, not the cover.
    """
    seen, fields = set(), []
    for entry in form.inputs.values():
        family = re.sub(r"_\d+$", "_<pk>", entry.name)
        if entry.name not in NOT_FIELDS and family not in seen:
            seen.add(family)
            fields.append(entry)
    return fields


def submission(form: Form) -> dict[str, Any]:
    """The browser's submission: disabled fields are not sent, checkbox groups as lists."""
    data = {}
    for entry in form.inputs.values():
        if entry.disabled or not entry.values:
            continue
        many = entry.kind in ("checkbox-choice", "select") and len(entry.values) > 1
        data[entry.name] = list(entry.values) if many or entry.kind == "checkbox-choice" else entry.values[0]
    return data


# --- The pages -----------------------------------------------------------------------------------


def today():
    return timezone.localdate()


def first_topic(unit_code):
    return Topic.objects.filter(unit__code=unit_code, retired_at__isnull=True).first().pk


def wiesbaden():
    return Region.objects.filter(name="Wiesbaden").first().pk


@dataclass
class Page:
    id: str
    url: Any  # records → path
    person: str = "coordinator_mo"
    models: tuple = ()  # rows that an invalid submission must not add or remove
    record: Any = None  # records → the record an invalid submission must not change
    valid: Any = None  # (records, form) → values that complete the page's form
    ok: tuple = (302,)  # statuses of a valid submission


def rate_every_criterion(records, form):
    return {name: "met" for name in form.inputs if name.startswith("rating_")}


def first_outcome_reached(records, form):
    outcome = next(name for name in form.inputs if name.startswith("outcome_"))
    return {"closed_on": today().isoformat(), outcome: records["case_own"].opened_on.isoformat()}


POST_PAGES = [
    Page(
        "consultation_create",
        lambda r: reverse("casework:consultation_create"),
        models=(Consultation, FollowUp),
        valid=lambda r, f: {"organisation": r["org_own"].pk, "topics": [first_topic("mo")]},
    ),
    Page(
        "consultation_edit",
        lambda r: reverse("casework:consultation_edit", kwargs={"pk": r["own"].pk}),
        models=(Consultation, FollowUp),
        record=lambda r: r["own"],
    ),
    Page(
        "organisation_create",
        lambda r: reverse("organisations:organisation_create"),
        models=(Organisation,),
        valid=lambda r, f: {
            "name": "Neuer Verein e.V.",
            "kind": "migrant_org",
            "legal_form": "ev",
            "region": wiesbaden(),
        },
    ),
    Page(
        "organisation_edit",
        lambda r: reverse("organisations:organisation_edit", kwargs={"pk": r["org_own"].pk}),
        models=(Organisation,),
        record=lambda r: r["org_own"],
    ),
    Page(
        "contact_create",
        lambda r: reverse("organisations:contact_create", kwargs={"pk": r["org_own"].pk}),
        models=(ContactPerson,),
        valid=lambda r, f: {"name": "Ali Yılmaz", "consent_date": "2026-03-01"},
    ),
    Page(
        "contact_edit",
        lambda r: reverse("organisations:contact_edit", kwargs={"pk": r["contact_own"].pk}),
        models=(ContactPerson,),
        record=lambda r: r["contact_own"],
    ),
    Page(
        "case_create",
        lambda r: reverse("casework:case_create"),
        models=(Case,),
        valid=lambda r, f: {"organisation": r["org_own"].pk, "title": "Satzung", "goal": f.inputs["goal"].options[1]},
    ),
    Page(
        "case_edit",
        lambda r: reverse("casework:case_edit", kwargs={"pk": r["case_own"].pk}),
        models=(Case,),
        record=lambda r: r["case_own"],
    ),
    Page(
        "case_close",
        lambda r: reverse("casework:case_close", kwargs={"pk": r["case_own"].pk}),
        models=(Case, CaseOutcomeReached),
        record=lambda r: r["case_own"],
        valid=first_outcome_reached,
    ),
    Page(
        "event_create",
        lambda r: reverse("casework:event_create"),
        models=(Event,),
        valid=lambda r, f: {
            "title": "Workshop Fördermittel",
            "participants": "10",
            "place": "Wiesbaden, Rathaus",
            "region": wiesbaden(),
        },
    ),
    Page(
        "event_edit",
        lambda r: reverse("casework:event_edit", kwargs={"pk": r["event_own"].pk}),
        models=(Event,),
        record=lambda r: r["event_own"],
    ),
    Page(
        "assessment_create",
        lambda r: reverse("casework:assessment_create", kwargs={"pk": r["org_foreign"].pk}),
        person="coordinator_lots",
        models=(Assessment,),
        valid=rate_every_criterion,
    ),
    Page(
        "assessment_edit",
        lambda r: reverse("casework:assessment_edit", kwargs={"pk": r["assessment_foreign"].pk}),
        person="coordinator_lots",
        models=(Assessment,),
        record=lambda r: r["assessment_foreign"],
        valid=rate_every_criterion,
    ),
    Page(
        "quality_area_create",
        lambda r: reverse("casework:quality_area_create"),
        person="coordinator_lots",
        models=(QualityArea,),
        valid=lambda r, f: {"name": "Neuer Bereich"},
    ),
    Page(
        "quality_area_edit",
        lambda r: reverse("casework:quality_area_edit", kwargs={"pk": r["quality_area_foreign"].pk}),
        person="coordinator_lots",
        models=(QualityArea,),
        record=lambda r: r["quality_area_foreign"],
    ),
    Page(
        "quality_criterion_create",
        lambda r: reverse("casework:quality_criterion_create", kwargs={"pk": r["quality_area_foreign"].pk}),
        person="coordinator_lots",
        models=(QualityCriterion,),
        valid=lambda r, f: {"text": "Das Projekt hat ein Leitbild."},
    ),
    Page(
        "quality_criterion_edit",
        lambda r: reverse("casework:quality_criterion_edit", kwargs={"pk": r["quality_criterion_foreign"].pk}),
        person="coordinator_lots",
        models=(QualityCriterion,),
        record=lambda r: r["quality_criterion_foreign"],
    ),
    Page(
        "follow_up_add_consultation",
        lambda r: reverse("casework:follow_up_add_consultation", kwargs={"pk": r["own"].pk}),
        models=(FollowUp,),
        valid=lambda r, f: {"follow_up-due_on": "2026-06-01", "follow_up-what": "Anrufen"},
    ),
    Page(
        "follow_up_add_case",
        lambda r: reverse("casework:follow_up_add_case", kwargs={"pk": r["case_own"].pk}),
        models=(FollowUp,),
        valid=lambda r, f: {"follow_up-due_on": "2026-06-01", "follow_up-what": "Anrufen"},
    ),
    Page(
        "targets",
        lambda r: reverse("reports:targets") + f"?year={today().year}",
        models=(Target,),
        valid=lambda r, f: {name: "12" for name, entry in f.inputs.items() if entry.kind == "number"},
    ),
]


def snapshot(page, records):
    """What an invalid submission must leave as it is: row counts and the edited record's values."""
    counts = {model.__name__: model.objects.count() for model in page.models}
    record = page.record(records) if page.record else None
    if record is None:
        return counts, None
    fresh = type(record).objects.get(pk=record.pk)
    return counts, {
        key: (list(value) if isinstance(value, list) else value) for key, value in model_to_dict(fresh).items()
    }


def login(client, people, page):
    client.force_login(people[page.person])


def submit(client, method, url, data, inspect=None):
    """One request whose changes are undone: (response or the exception a 500 would have been,
    what `inspect()` saw right after the request, before the undo)."""
    try:
        with transaction.atomic():
            response = getattr(client, method)(url, data)
            seen = inspect() if inspect else None
            transaction.set_rollback(True)
    except Exception as error:  # noqa: BLE001 - reported as the failure it is
        return error, None
    return response, seen


def failures_of(response) -> str | None:
    if isinstance(response, Exception):
        return f"{type(response).__name__}: {str(response)[:200]}"
    if response.status_code >= 500:
        return f"status {response.status_code}"
    return None


@pytest.mark.parametrize("page", POST_PAGES, ids=lambda p: p.id)
def test_form_pages_survive_hostile_values(client, people, records, page):
    login(client, people, page)
    url = page.url(records)
    path = url.split("?")[0]
    form_page = client.get(url)
    assert form_page.status_code == 200
    form = page_form(form_page.content.decode(), "post", path)
    valid = submission(form) | (page.valid(records, form) if page.valid else {})

    baseline, _ = submit(client, "post", url, valid)
    assert not failures_of(baseline), failures_of(baseline)
    assert baseline.status_code in page.ok, (baseline.status_code, _errors(baseline))

    before = snapshot(page, records)
    problems = []
    for entry in fields_to_fuzz(form):
        for value in hostile_values(entry):
            data = valid | {entry.name: [value] if entry.kind == "checkbox-choice" else value}
            response, after = submit(client, "post", url, data, inspect=lambda: snapshot(page, records))
            shown = f"{entry.name}={value[:20]!r}"
            if failure := failures_of(response):
                problems.append(f"{shown}: {failure}")
            elif response.status_code in page.ok:
                if entry.kind in STRICT_KINDS and not entry.disabled:
                    problems.append(f"{shown}: accepted ({entry.kind})")
            elif after != before:
                problems.append(f"{shown}: rejected ({response.status_code}), but data changed")
    assert not problems, "\n".join(problems)


def _errors(response):
    """The form's error messages on the page (for the message of a failed assertion)."""
    return re.findall(r"invalid-feedback[^>]*>\s*<strong>(.*?)</strong>", response.content.decode(), re.S)


# --- GET: list filters and the parameters pages read ---------------------------------------------


@dataclass
class GetPage:
    id: str
    url: Any  # records → path
    params: tuple = ()  # parameters read from the query string besides the page's GET form
    person: str = "coordinator_mo"
    form: bool = True  # the page has a GET form (filter card) to read the fields from


# Every list pages through casework.ui.pagination: `page` is fuzzed on the consultation list.
GET_PAGES = [
    GetPage("consultation_list", lambda r: reverse("casework:consultation_list"), ("page",)),
    GetPage("organisation_list", lambda r: reverse("organisations:organisation_list")),
    GetPage("case_list", lambda r: reverse("casework:case_list")),
    GetPage("event_list", lambda r: reverse("casework:event_list"), ("organisation",)),
    GetPage("follow_up_list", lambda r: reverse("casework:follow_up_list")),
    GetPage("follow_up_unit_list", lambda r: reverse("casework:follow_up_unit_list")),
    GetPage("dashboard", lambda r: reverse("casework:dashboard"), ("unit",), form=False),
    GetPage("targets", lambda r: reverse("reports:targets"), ("unit", "year"), form=False),
    GetPage("organisation_picker", lambda r: reverse("organisations:picker"), ("q",), form=False),
    GetPage(
        "consultation_create",
        lambda r: reverse("casework:consultation_create"),
        ("organisation", "case"),
        form=False,
    ),
    GetPage("case_create", lambda r: reverse("casework:case_create"), ("organisation",), form=False),
    GetPage("organisation_create", lambda r: reverse("organisations:organisation_create"), ("weiter",), form=False),
    GetPage(
        "assessment_create",
        lambda r: reverse("casework:assessment_create", kwargs={"pk": r["org_foreign"].pk}),
        ("fachstelle",),
        person="coordinator_lots",
        form=False,
    ),
    GetPage(
        "follow_up_done",
        lambda r: reverse("casework:follow_up_done", kwargs={"pk": r["follow_up_own"].pk}),
        ("next",),
        form=False,
    ),
]


@pytest.mark.parametrize("page", GET_PAGES, ids=lambda p: p.id)
def test_list_filters_and_query_parameters_survive_hostile_values(client, people, records, page):
    client.force_login(people[page.person])
    url = page.url(records)
    response = client.get(url)
    assert response.status_code == 200
    valid, fields = {}, [(name, HOSTILE) for name in page.params]
    if page.form:
        form = page_form(response.content.decode(), "get", url)
        valid = submission(form)
        fields += [(e.name, hostile_values(e)) for e in fields_to_fuzz(form) if e.name not in page.params]
    problems = []
    for name, values in fields:
        for value in values:
            if failure := failures_of(submit(client, "get", url, valid | {name: value})[0]):
                problems.append(f"{name}={value[:20]!r}: {failure}")
    assert not problems, "\n".join(problems)


def test_report_request_survives_hostile_values(client, people, records):
    """The report form: previewed with GET, generated with POST (nothing is generated or archived)."""
    client.force_login(people["coordinator_mo"])
    form = page_form(
        client.get(reverse("reports:report_list")).content.decode(), "get", reverse("reports:report_preview")
    )
    valid = submission(form)
    assert client.get(reverse("reports:report_preview"), valid).status_code == 200
    reports = Report.objects.count()
    problems = []
    for entry in fields_to_fuzz(form):
        # Hidden fields are not the report's choice (a one-time token): only previewed, never generated.
        targets = [("get", reverse("reports:report_preview"))]
        if entry.kind != "hidden":
            targets.append(("post", reverse("reports:report_create")))
        for value in hostile_values(entry):
            data = valid | {entry.name: value}
            for method, url in targets:
                response, _ = submit(client, method, url, data)
                shown = f"{method} {entry.name}={value[:20]!r}"
                if failure := failures_of(response):
                    problems.append(f"{shown}: {failure}")
                elif response.status_code != 400 and entry.kind in STRICT_KINDS:
                    problems.append(f"{shown}: accepted ({response.status_code})")
    assert Report.objects.count() == reports
    assert not problems, "\n".join(problems)
