"""Dry run, all-or-nothing import and undo of a mapped table; every row through the tool's own form.

One plan serves both: `dry_run` computes it and writes nothing; `run_import` computes it again inside
its transaction and, if no row has an error, applies it. Each row is bound to the form the screen uses
(OrganisationForm + ContactPersonForm, ConsultationForm, EventForm) with the file's values, so an
import can never create what the screen would refuse; each form error becomes a CellError at the
column it came from. Catalogues and organisations are read once per file (mapping.Catalogues).

Matching (re-importing a file changes nothing): organisations by name key + municipality (the
duplicate detection of organisations/services.py), consultations by organisation + date + topics,
events by title + date + unit. Empty cells never erase what a record has.
"""

import contextlib
import copy
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CheckConstraint, F, ProtectedError, Q, RestrictedError
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from casework import access
from casework.access import Action
from casework.concurrency import TOKEN_FIELD, VERSION_FIELD
from casework.consultations.forms import ConsultationForm
from casework.consultations.services import consultation_save
from casework.events.forms import EventForm
from casework.events.services import event_save
from casework.history import save_with_single_history_entry
from casework.imports import values as parse
from casework.imports.kinds import ImportField, ImportKind
from casework.imports.mapping import (
    CHOICES,
    Catalogue,
    Catalogues,
    cell_items,
    normalise_value,
    normalised_value_map,
)
from casework.imports.models import ImportedRecord, ImportRun
from casework.imports.reading import Table
from casework.models import Consultation, Event, FollowUp
from casework.search.text import normalise
from casework.ui.labels import person_label
from organisations.forms import KIND_OF_UNIT, ContactPersonForm, OrganisationForm
from organisations.models import ContactPerson, Organisation
from organisations.services import name_key, organisation_save

PROGRESS_EVERY = 200


class ImportRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


class UndoRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


@dataclass
class CellError:
    column: str  # the file's header ("" when the error belongs to the whole row)
    message: str  # German


@dataclass
class RowResult:
    number: int
    status: str  # "new" | "update" | "unchanged" | "error"
    label: str  # what the row is, e.g. "Kulturverein Anatolien e. V. (Kassel)"
    errors: list[CellError] = field(default_factory=list)
    note: str = ""  # e.g. "wie Zeile 4" for a row repeated in the file


@dataclass
class Plan:
    rows: list[RowResult]
    counts: dict[str, int]  # {"new": n, "update": n, "unchanged": n, "error": n}

    @property
    def ok(self) -> bool:
        return not any(row.status == "error" for row in self.rows)


STATUSES = ("new", "update", "unchanged", "error")


def may_import(user, unit) -> bool:
    """Coordinators of the unit and administrators."""
    return unit is not None and access.can(user, Action.DELETE, [unit.pk])


def may_undo(run: ImportRun, user) -> bool:
    """Whether `user` may undo `run`: coordinators of its unit and admins, while it is not undone."""
    return run.status == ImportRun.Status.DONE and access.can(user, Action.DELETE, [run.unit_id])


# --- Reading one row ------------------------------------------------------------------------------------------


class _Row:
    """The parsed values of one row, with errors at their columns."""

    def __init__(self, context, row):
        self.context = context
        self.row = row
        self.values = {}  # field key → parsed value (only non-empty cells)
        self.raw = {}  # field key → the cell as text (for comparing repeated rows)
        self.errors: list[CellError] = []

    def error(self, field_key, message):
        self.errors.append(CellError(self.context.header_of(field_key), str(message)))


class _Context:
    def __init__(self, *, kind, table, mapping, value_map, unit, user):
        self.kind: ImportKind = kind
        self.table: Table = table
        self.mapping = {index: key for index, key in mapping.items() if key}
        self.columns = {key: index for index, key in sorted(self.mapping.items(), reverse=True)}
        self.value_map = normalised_value_map(value_map)
        self.unit = unit
        self.user = user
        self.catalogues = Catalogues(unit=unit, user=user)
        self.today = timezone.localdate()

    def header_of(self, field_key) -> str:
        index = self.columns.get(field_key)
        return self.table.headers[index] if index is not None else ""

    def read(self, row) -> _Row:
        parsed = _Row(self, row)
        for key, index in self.columns.items():
            import_field = self.kind.field(key)
            raw = row.values[index] if index < len(row.values) else None
            text = parse.text_of(raw)
            if text == "":
                continue
            parsed.raw[key] = text
            try:
                value = self._value(import_field, raw, row)
            except parse.CellValueError as error:
                parsed.error(key, error.message)
                continue
            except _Unresolved as unresolved:
                parsed.error(key, unresolved.message)
                continue
            parsed.values[key] = value
        return parsed

    def _value(self, import_field: ImportField, raw, row):
        if import_field.catalogue:
            catalogue = self.catalogues[import_field.catalogue]
            items = cell_items(import_field, raw, catalogue)
            pks = [self.resolve(import_field, catalogue, item, row) for item in items]
            return list(dict.fromkeys(pks)) if import_field.multiple else pks[0]
        if import_field.value == "date":
            return parse.parse_date(raw)
        if import_field.value == "integer":
            return parse.parse_integer(raw)
        if import_field.value == "duration":
            header = normalise(self.header_of(import_field.key))
            hours = "stunde" in header or "(h)" in header or header.endswith(" h")
            return parse.parse_duration(raw, hours=hours)
        if import_field.value == "boolean":
            return parse.parse_boolean(raw)
        return parse.text_of(raw)

    def resolve(self, import_field: ImportField, catalogue: Catalogue, item, row):
        """The catalogue pk of one value: the person's choice (value_map), else the one entry it names."""
        chosen = self.value_map.get(import_field.key, {}).get(normalise_value(item))
        if chosen is not None:
            # Record ids may come back as text from a form or JSON; choices stay text.
            if isinstance(chosen, str) and chosen.isdigit() and catalogue.name not in CHOICES:
                chosen = int(chosen)
            return chosen
        pks = catalogue.candidates(item)
        if len(pks) > 1 and catalogue.name == "organisation":
            pks = self._by_place(catalogue, pks, row)
        if len(pks) == 1:
            return pks[0]
        if len(pks) > 1:
            names = ", ".join(f"„{catalogue.label(pk)}“" for pk in pks[:5])
            hint = (
                _("Bitte die Spalte „Gemeinde / Stadt“ ausfüllen.")
                if catalogue.name == "organisation"
                else _("Bitte eindeutig angeben.")
            )
            raise _Unresolved(
                _("„%(value)s“ passt zu mehreren Einträgen: %(names)s. %(hint)s")
                % {"value": parse.shown(item), "names": names, "hint": hint}
            )
        raise _Unresolved(unknown_message(import_field, catalogue, item))

    def _by_place(self, catalogue, pks, row):
        index = self.columns.get("municipality")
        place = normalise(parse.text_of(row.values[index])) if index is not None else ""
        if not place:
            return pks
        return [pk for pk in pks if catalogue.places.get(pk) == place] or pks


class _Unresolved(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


UNKNOWN = {
    "topic": _("Das Thema „%(value)s“ gibt es im Katalog der Fachstelle nicht."),
    "region": _("Den Kreis „%(value)s“ gibt es nicht."),
    "organisation": _("Die Organisation „%(value)s“ ist nicht erfasst (oder für Sie nicht sichtbar)."),
    "advisor": _("„%(value)s“ ist keine Berater*in der Fachstelle."),
    "unit": _("Die Fachstelle „%(value)s“ gibt es nicht."),
}


def unknown_message(import_field, catalogue, item) -> str:
    template = UNKNOWN.get(catalogue.name) or _("„%(value)s“ ist kein gültiger Wert für „%(field)s“.")
    message = template % {"value": parse.shown(item), "field": import_field.label}
    suggestions = catalogue.suggestions(item)
    if suggestions:
        names = _(" oder ").join(f"„{label}“" for _pk, label in suggestions)
        message += " " + _("Meinten Sie %(names)s?") % {"names": names}
    elif catalogue.name not in ("organisation", "advisor", "topic"):
        allowed = ", ".join(label for _pk, label in catalogue.entries[:12])
        message += " " + _("Erlaubt: %(values)s.") % {"values": allowed}
    return message


# --- Forms ------------------------------------------------------------------------------------------------------


def _query(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in data.items():
        if isinstance(value, list | tuple | set):
            query.setlist(name, [_form_value(item) for item in value])
        elif value is True:
            query[name] = "on"
        elif value is False or value is None:
            continue
        else:
            query[name] = _form_value(value)
    return query


def _fill_from_initial(form, data: dict):
    """Fields the file leaves out get the record's values (edit) or the form's defaults (new)."""
    query = form.data
    for name, form_field in form.fields.items():
        if name in data or name in (TOKEN_FIELD, VERSION_FIELD) or form_field.disabled:
            continue
        initial = form.get_initial_for_field(form_field, name)
        if initial in (None, "", [], ()) or initial is False:
            continue
        if isinstance(initial, list | tuple | set) or hasattr(initial, "all"):
            items = initial.all() if hasattr(initial, "all") else initial
            query.setlist(name, [_form_value(getattr(item, "pk", item)) for item in items])
        elif initial is True:
            query[name] = "on"
        else:
            query[name] = _form_value(getattr(initial, "pk", initial))
    return form


def _bind(form_class, data: dict, *, instance=None, **kwargs):
    """The screen's form bound with `data`; fields the file leaves out keep the record's (or default) values."""
    return _fill_from_initial(form_class(_query(data), instance=instance, **kwargs), data)


class _NewForms:
    """The screen's create form, built once per file and bound anew for each row.

    Building ConsultationForm runs a dozen queries (the person's units, organisations, topics, advisors …)
    whose answers are the same for every row of a file; so does checking each chosen id against them. The
    prototype is built once, its choices are read once into memory, and every row gets a shallow copy
    bound to its own data and a fresh instance: the same fields, the same clean() – the same rules.
    """

    def __init__(self, form_class, *, unit=None, **kwargs):
        self.form_class = form_class
        self.kwargs = kwargs
        self.unit = unit
        self.prototype = None
        self.checked_keys = None
        self.constraint_fields = None
        self.constraint_results = {}
        self.unit_advisors = None

    def bind(self, data: dict):
        if self.prototype is None:
            self.prototype = self.form_class(**self.kwargs)
            for form_field in self.prototype.fields.values():
                _remember_choices(form_field)
        form = copy.copy(self.prototype)
        form.data = _query(data)
        form.files = {}
        form.is_bound = True
        form._errors = None
        form._bound_fields_cache = {}
        form.__dict__.pop("cleaned_data", None)
        form.instance = self._instance()
        if hasattr(self.prototype, "similar"):
            form.similar = []
        if hasattr(self.prototype, "_check_advisor_units"):
            form._check_advisor_units = self._advisor_check(form)
        return _fill_from_initial(form, data)

    def _instance(self):
        """A new record whose model validation reuses what other rows found out.

        Its foreign keys were checked by the form fields already (against the remembered choices, a subset
        of what exists), so the model does not look them up again; its check constraints depend on a few
        values only, so each combination is asked of the database once.
        """
        model = self.form_class._meta.model
        instance = model()
        if self.checked_keys is None:
            self.checked_keys = {
                model_field.name
                for model_field in model._meta.concrete_fields
                if model_field.many_to_one
                and model_field.name in self.prototype.fields
                and "to_python" in self.prototype.fields[model_field.name].__dict__
            }
            self.constraint_fields = _check_constraint_fields(model)
            self.constraint_results = {}
        clean_fields = instance.clean_fields
        instance.clean_fields = lambda exclude=None: clean_fields(exclude={*(exclude or ()), *self.checked_keys})
        if self.constraint_fields is not None:
            validate_constraints = instance.validate_constraints

            def remembered(exclude=None):
                key = (
                    frozenset(exclude or ()),
                    tuple(getattr(instance, model._meta.get_field(name).attname) for name in self.constraint_fields),
                )
                if key not in self.constraint_results:
                    try:
                        validate_constraints(exclude=exclude)
                        self.constraint_results[key] = None
                    except ValidationError as error:
                        self.constraint_results[key] = error
                if self.constraint_results[key] is not None:
                    raise copy.deepcopy(self.constraint_results[key])

            instance.validate_constraints = remembered
        return instance

    def _advisor_check(self, form):
        """ConsultationForm's check that advisors belong to the consultation's units: advisors of the unit
        itself always do (advisors_of(units) contains advisors_of([unit])), so only other names are checked."""
        original = form._check_advisor_units
        if self.unit_advisors is None:
            self.unit_advisors = set(access.advisors_of([self.unit.pk]).values_list("pk", flat=True))

        def check(advisors, unit_ids):
            if self.unit.pk in unit_ids and {a.pk for a in advisors} <= self.unit_advisors:
                return
            original(advisors, unit_ids)

        return check


def _check_constraint_fields(model):
    """The fields a model's check constraints read; None if it has other constraints (then no shortcut)."""
    names = set()

    def collect(node):
        if isinstance(node, Q):
            for child in node.children:
                collect(child)
        elif isinstance(node, tuple):
            names.add(node[0].split("__")[0])
            collect(node[1])
        elif isinstance(node, F):
            names.add(node.name.split("__")[0])

    for constraint in model._meta.constraints:
        if not isinstance(constraint, CheckConstraint) or not isinstance(constraint.condition, Q):
            return None
        collect(constraint.condition)
    return sorted(names)


def _remember_choices(form_field):
    """Check the ids of a model choice field against its choices read once (instead of a query per row)."""
    if not isinstance(form_field, ModelChoiceField):
        return
    if form_field.to_field_name not in (None, form_field.queryset.model._meta.pk.name):
        return
    objects = {obj.pk: obj for obj in form_field.queryset}

    def lookup(raw):
        pk = access.parse_pk(getattr(raw, "pk", raw))
        found = objects.get(pk) if pk is not None else None
        if found is None:
            raise ValidationError(
                form_field.error_messages["invalid_choice"], code="invalid_choice", params={"value": raw}
            )
        return found

    if isinstance(form_field, ModelMultipleChoiceField):
        form_field._check_values = lambda values: list({lookup(raw).pk: lookup(raw) for raw in values}.values())
    else:
        form_field.to_python = lambda value: None if value in form_field.empty_values else lookup(value)


def _form_value(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _form_errors(form, parsed: _Row, fields: dict[str, str]):
    """The form's errors at the columns they came from; `fields`: form field → import field key."""
    for name, messages in form.errors.items():
        key = fields.get(name, name if name != "__all__" else None)
        column = parsed.context.header_of(key) if key else ""
        for message in messages:
            if not column and name != "__all__" and name in form.fields:
                message = f"{form.fields[name].label}: {message}"
            parsed.errors.append(CellError(column, str(message)))


# --- Snapshots (what changed, what undo restores) ---------------------------------------------------------------


def snapshot(record) -> dict:
    """A record's editable values and many-to-many ids, JSON-ready."""
    values = {}
    for model_field in record._meta.concrete_fields:
        if model_field.primary_key or model_field.name in ("search_text", "name_sort", "created_at", "updated_at"):
            continue
        value = getattr(record, model_field.attname)
        if isinstance(value, datetime.datetime | datetime.date):
            value = value.isoformat()
        values[model_field.attname] = value
    if record.pk:
        for m2m in record._meta.many_to_many:
            values[m2m.name] = sorted(getattr(record, m2m.name).values_list("pk", flat=True))
    return values


def _same_values(record, data: dict, related: dict) -> bool:
    """Whether the file's values are what `record` has already (then no form is needed: nothing is written)."""
    for name, value in data.items():
        if name in related:
            if set(value) != set(related[name]):
                return False
            continue
        current = getattr(record, record._meta.get_field(name).attname)
        if current != value and not (current in (None, "") and value in (None, "")):
            return False
    return True


def _differs(before: dict, after: dict, skip=("version", "created_by_id")) -> bool:
    return any(before.get(key) != after.get(key) for key in set(before) | set(after) if key not in skip)


# --- Planning ----------------------------------------------------------------------------------------------------


@dataclass
class _Op:
    """One record to write: created (new) or changed (update)."""

    row: int
    status: str  # new | update
    apply: object  # callable(run) → list[(record, action, previous)]


class _Planner:
    def __init__(self, context: _Context):
        self.context = context
        self.results: list[RowResult] = []
        self.ops: list[_Op] = []

    def plan(self, progress=None):
        total = len(self.context.table.rows)
        self.prepare()
        for done, row in enumerate(self.context.table.rows, start=1):
            parsed = self.context.read(row)
            result = self.plan_row(parsed)
            self.results.append(result)
            if progress and (done % PROGRESS_EVERY == 0 or done == total):
                progress(done, total)
        return self

    def prepare(self):
        pass

    def plan_row(self, parsed: _Row) -> RowResult:
        raise NotImplementedError

    def fail(self, parsed, label) -> RowResult:
        return RowResult(parsed.row.number, "error", label, parsed.errors)

    def repeated(self, parsed, label, first: "_Seen") -> RowResult:
        """A row whose record an earlier row of the file already names: the same values, or an error."""
        different = [
            key
            for key in set(parsed.raw) | set(first.raw)
            if key in self.compared_fields and normalise(parsed.raw.get(key, "")) != normalise(first.raw.get(key, ""))
        ]
        if different:
            for key in sorted(different, key=lambda k: self.context.columns.get(k, 0)):
                parsed.error(
                    key,
                    _("Steht schon in Zeile %(row)s, dort aber mit „%(value)s“.")
                    % {"row": first.row, "value": first.raw.get(key, "")},
                )
            return self.fail(parsed, label)
        return RowResult(
            parsed.row.number, "unchanged", label, note=_("doppelt (wie Zeile %(row)s)") % {"row": first.row}
        )

    compared_fields: tuple = ()


@dataclass
class _Seen:
    row: int
    raw: dict
    target: object = None  # e.g. the planned organisation


def _reason_saved(record, *, by, reason, created, set_relations=lambda: None):
    record._change_reason = reason
    try:
        save_with_single_history_entry(record, by=by, created=created, set_relations=set_relations)
    finally:
        del record._change_reason


# --- Organisations with contact persons ------------------------------------------------------------------------

CONTACT_FIELDS = {
    "name": "contact_name",
    "function": "contact_function",
    "email": "contact_email",
    "phone": "contact_phone",
    "consent_date": "contact_consent",
}
ORGANISATION_FIELDS = [
    "name",
    "kind",
    "legal_form",
    "host_type",
    "charitable_status",
    "founding_year",
    "region",
    "municipality",
    "email",
    "phone",
    "website",
    "member_count",
    "may_be_named",
    "allow_duplicate",
]


class _PlannedOrganisation:
    def __init__(self, instance=None):
        self.instance = instance  # saved (or existing) Organisation once applied
        self.contacts = {}  # normalised contact name → ContactPerson (planned or existing)


class OrganisationPlanner(_Planner):
    compared_fields = tuple(ORGANISATION_FIELDS)

    def prepare(self):
        context = self.context
        self.index = {}  # (name key, normalised municipality) → pk
        visible = access.organisations_visible_to(context.user).values_list("pk", "name", "municipality")
        for pk, name, municipality in visible.iterator(chunk_size=2000):
            self.index.setdefault((name_key(name), normalise(municipality)), pk)
        self.seen: dict[tuple, _Seen] = {}
        self.existing: dict[int, _PlannedOrganisation] = {}
        self.new_forms = _NewForms(OrganisationForm, user=context.user)
        self.new_contacts = _NewForms(ContactPersonForm)

    def _existing(self, pk) -> _PlannedOrganisation:
        if pk not in self.existing:
            organisation = Organisation.objects.select_related("region").get(pk=pk)
            planned = _PlannedOrganisation(organisation)
            for contact in organisation.contacts.all():
                planned.contacts.setdefault(normalise(contact.name), contact)
            self.existing[pk] = planned
        return self.existing[pk]

    def plan_row(self, parsed):
        context, values = self.context, parsed.values
        name = values.get("name", parsed.raw.get("name", ""))
        place = values.get("municipality", "")
        label = f"{name} ({place})" if place else name
        if parsed.errors:
            return self.fail(parsed, label)
        key = (name_key(name), normalise(place))
        first = self.seen.get(key)
        if first is not None:
            result = self.repeated(parsed, label, first)
            if result.status == "error":
                return result
            return self._contact(parsed, label, first.target, result)
        pk = self.index.get(key)
        planned = self._existing(pk) if pk else _PlannedOrganisation()
        data = {name: values[name] for name in ORGANISATION_FIELDS if name in values}
        if pk is None:
            data.setdefault("kind", KIND_OF_UNIT.get(context.unit.code, Organisation.Kind.OTHER))
            data["units"] = [context.unit.pk]
            instance = None
        else:
            instance = copy.copy(planned.instance)
            current = list(planned.instance.units.values_list("pk", flat=True))
            data["units"] = sorted({*current, context.unit.pk} & set(access.unit_ids_for(context.user, Action.CHANGE)))
            data.pop("allow_duplicate", None)
            if _same_values(planned.instance, {k: v for k, v in data.items() if k != "units"}, {}) and set(
                data["units"]
            ) <= set(current):
                self.seen[key] = _Seen(parsed.row.number, parsed.raw, planned)
                return self._contact(parsed, label, planned, RowResult(parsed.row.number, "unchanged", label))
        if instance is None:
            form = self.new_forms.bind(data)
        else:
            form = _bind(OrganisationForm, data, instance=instance, user=context.user)
        valid = form.is_valid()
        if not valid:
            _form_errors(form, parsed, {})
            if form.similar:
                names = ", ".join(f"{s.name} ({s.municipality or '–'})" for s in form.similar)
                parsed.errors = [e for e in parsed.errors if e.column or not e.message.startswith(_("Es gibt bereits"))]
                parsed.error(
                    "name",
                    _(
                        "Es gibt bereits ähnliche Organisationen: %(names)s. Ist es dieselbe, bitte Name und "
                        "Gemeinde wie dort schreiben; ist sie wirklich neu, in der Spalte „Trotzdem neu anlegen“ "
                        "„ja“ eintragen."
                    )
                    % {"names": names},
                )
            return self.fail(parsed, label)
        self.seen[key] = _Seen(parsed.row.number, parsed.raw, planned)
        unit_ids = form.unit_ids_to_save()
        if pk is None:
            status = "new"
            self.ops.append(_Op(parsed.row.number, "new", self._save_organisation(form, planned, unit_ids, True)))
        else:
            before = snapshot(planned.instance)
            after = {**snapshot(form.instance), "units": sorted(unit_ids)}
            if _differs(before, after):
                status = "update"
                self.ops.append(
                    _Op(parsed.row.number, "update", self._save_organisation(form, planned, unit_ids, False, before))
                )
            else:
                status = "unchanged"
        return self._contact(parsed, label, planned, RowResult(parsed.row.number, status, label))

    def _save_organisation(self, form, planned, unit_ids, created, before=None):
        context = self.context

        def apply(run):
            organisation = form.instance
            if not created:
                organisation.version += 1
            organisation._change_reason = run.change_reason
            try:
                organisation_save(organisation=organisation, by=context.user, unit_ids=unit_ids)
            finally:
                del organisation._change_reason
            planned.instance = organisation
            return [(organisation, "created" if created else "updated", before)]

        return apply

    def _contact(self, parsed, label, planned: _PlannedOrganisation, result: RowResult) -> RowResult:
        values = parsed.values
        if not any(key in values for key in CONTACT_FIELDS.values()):
            return result
        if "contact_name" not in values:
            parsed.error(
                "contact_name"
                if "contact_name" in self.context.columns
                else next(key for key in CONTACT_FIELDS.values() if key in values),
                _("Für eine Ansprechperson bitte auch ihren Namen angeben."),
            )
            return self.fail(parsed, label)
        contact_key = normalise(values["contact_name"])
        existing = planned.contacts.get(contact_key)
        data = {name: values[key] for name, key in CONTACT_FIELDS.items() if key in values}
        instance = copy.copy(existing) if isinstance(existing, ContactPerson) and existing.pk else None
        if existing is not None and instance is None:
            # The same person twice for an organisation of this file: once is enough.
            return result
        if instance is None:
            form = self.new_contacts.bind(data)
        elif _same_values(existing, data, {}):
            return result
        else:
            form = _bind(ContactPersonForm, data, instance=instance)
        if not form.is_valid():
            _form_errors(form, parsed, CONTACT_FIELDS)
            return self.fail(parsed, label)
        contact = form.instance
        if instance is None:
            planned.contacts[contact_key] = contact
            self.ops.append(_Op(parsed.row.number, "new", self._save_contact(contact, planned, True)))
            return RowResult(parsed.row.number, "new" if result.status == "new" else "update", label, note=result.note)
        before = snapshot(existing)
        if _differs(before, snapshot(contact)):
            self.ops.append(_Op(parsed.row.number, "update", self._save_contact(contact, planned, False, before)))
            planned.contacts[contact_key] = contact
            if result.status == "unchanged":
                return RowResult(parsed.row.number, "update", label, note=result.note)
        return result

    def _save_contact(self, contact, planned, created, before=None):
        context = self.context

        def apply(run):
            contact.organisation = planned.instance
            if not created:
                contact.version += 1
            contact._history_user = context.user
            contact._change_reason = run.change_reason
            try:
                contact.save()
            finally:
                del contact._change_reason
            return [(contact, "created" if created else "updated", before)]

        return apply


# --- Consultations -------------------------------------------------------------------------------------------

CONSULTATION_FIELDS = [
    "organisation",
    "date",
    "duration_minutes",
    "format",
    "initiated_by",
    "participants",
    "topics",
    "advisors",
    "shared_with",
    "summary",
    "agreements",
]


class ConsultationPlanner(_Planner):
    compared_fields = tuple(CONSULTATION_FIELDS)

    def prepare(self):
        context = self.context
        self.seen: dict[tuple, _Seen] = {}
        # The unit's consultations of the organisations and days the file names: one query (plus topics).
        rows = context.table.rows
        org_index, date_index = context.columns.get("organisation"), context.columns.get("date")
        days = set()
        if date_index is not None:
            for row in rows:
                with contextlib.suppress(parse.CellValueError, TypeError):
                    days.add(parse.parse_date(row.values[date_index]))
        self.existing: dict[tuple, list[Consultation]] = {}
        self.topics_of, self.advisors_of = defaultdict(list), defaultdict(list)
        if org_index is not None and days:
            # The unit's consultations on the days of the file, their topics and advisors as plain ids.
            found = list(Consultation.objects.filter(unit=context.unit, date__in=days).defer("search_text"))
            links = Consultation.topics.through.objects.filter(
                consultation__unit=context.unit, consultation__date__in=days
            ).values_list("consultation_id", "topic_id")
            for consultation_id, topic_id in links.iterator(chunk_size=5000):
                self.topics_of[consultation_id].append(topic_id)
            for consultation in found:
                topics = frozenset(self.topics_of[consultation.pk])
                self.existing.setdefault((consultation.organisation_id, consultation.date, topics), []).append(
                    consultation
                )
        self.new_forms = _NewForms(ConsultationForm, unit=context.unit, user=context.user)
        self.default_advisors = None
        advisors = context.catalogues["advisor"]
        if context.user.pk in dict(advisors.entries):
            self.default_advisors = [context.user.pk]

    def plan_row(self, parsed):
        context, values = self.context, parsed.values
        catalogue = context.catalogues["organisation"]
        org_label = (
            catalogue.label(values["organisation"]) if "organisation" in values else parsed.raw.get("organisation", "")
        )
        day = values.get("date")
        label = f"{org_label} – {day:%d.%m.%Y}" if day else org_label
        if "advisors" not in values and "advisors" not in context.columns and self.default_advisors is None:
            parsed.error(
                "advisors",
                _(
                    "Berater*innen: bitte eine Spalte „Berater*innen“ angeben (Sie selbst beraten nicht in der Fachstelle)."
                ),
            )
        if parsed.errors:
            return self.fail(parsed, label)
        key = (values.get("organisation"), day, frozenset(values.get("topics", [])))
        first = self.seen.get(key)
        if first is not None:
            return self.repeated(parsed, label, first)
        matches = self.existing.get(key, [])
        instance = copy.copy(matches[0]) if matches else None
        data = {name: values[name] for name in CONSULTATION_FIELDS if name in values}
        if instance is None:
            data["unit"] = context.unit.pk
            data.setdefault("participants", 1)
            if "advisors" not in data and self.default_advisors:
                data["advisors"] = self.default_advisors
            form = self.new_forms.bind(data)
        else:
            current = matches[0]
            related = {
                "topics": self.topics_of[current.pk],
                "advisors": list(current.advisors.values_list("pk", flat=True)),
            }
            if _same_values(current, data, related):
                self.seen[key] = _Seen(parsed.row.number, parsed.raw)
                return RowResult(parsed.row.number, "unchanged", label)
            form = _bind(ConsultationForm, data, instance=instance, user=context.user)
        if not form.is_valid():
            _form_errors(form, parsed, {})
            self._friendlier(parsed)
            return self.fail(parsed, label)
        self.seen[key] = _Seen(parsed.row.number, parsed.raw)
        cleaned = form.cleaned_data
        topics = list(cleaned["topics"])
        advisors = list(cleaned["advisors"])
        if instance is None:
            self.ops.append(_Op(parsed.row.number, "new", self._save(form, topics, advisors, True)))
            return RowResult(parsed.row.number, "new", label)
        before = snapshot(matches[0])
        after = {
            **snapshot(form.instance),
            "topics": sorted(t.pk for t in topics),
            "advisors": sorted(a.pk for a in advisors),
            "criteria": before.get("criteria", []),
        }
        if not _differs(before, after, skip=("version", "created_by_id", "region_id")):
            self.seen[key].raw = parsed.raw
            return RowResult(parsed.row.number, "unchanged", label)
        self.ops.append(_Op(parsed.row.number, "update", self._save(form, topics, advisors, False, before)))
        return RowResult(parsed.row.number, "update", label)

    def _friendlier(self, parsed):
        header = self.context.header_of("duration_minutes")
        for error in parsed.errors:
            if header and error.column == header and "gültige" in error.message:
                error.message = _(
                    "Die Dauer wird in Schritten von 15 Minuten erfasst (15 Minuten bis 12 Stunden), z. B. 45, 90 "
                    "oder „1,5 h“."
                )

    def _save(self, form, topics, advisors, created, before=None):
        context = self.context

        def apply(run):
            consultation = form.instance
            if not created:
                consultation.version += 1
            consultation._change_reason = run.change_reason
            try:
                consultation_save(consultation=consultation, by=context.user, topics=topics, advisors=advisors)
            finally:
                del consultation._change_reason
            return [(consultation, "created" if created else "updated", before)]

        return apply


# --- Events -------------------------------------------------------------------------------------------------------

EVENT_FIELDS = [
    "title",
    "kind",
    "date",
    "format",
    "status",
    "place",
    "region",
    "teaching_units",
    "participants",
    "topics",
    "organisations",
    "is_joint",
]


class EventPlanner(_Planner):
    compared_fields = tuple(EVENT_FIELDS)

    def prepare(self):
        context = self.context
        self.seen: dict[tuple, _Seen] = {}
        self.existing: dict[tuple, list[Event]] = {}
        self.new_forms = _NewForms(EventForm, user=context.user)
        for event in Event.objects.filter(unit=context.unit).prefetch_related("topics", "organisations"):
            self.existing.setdefault((normalise(event.title), event.date), []).append(event)

    def plan_row(self, parsed):
        context, values = self.context, parsed.values
        title = values.get("title", parsed.raw.get("title", ""))
        day = values.get("date")
        label = f"{title} – {day:%d.%m.%Y}" if day else title
        if parsed.errors:
            return self.fail(parsed, label)
        key = (normalise(title), day)
        first = self.seen.get(key)
        if first is not None:
            return self.repeated(parsed, label, first)
        matches = self.existing.get(key, [])
        instance = copy.copy(matches[0]) if matches else None
        data = {name: values[name] for name in EVENT_FIELDS if name in values}
        if instance is None:
            data["unit"] = context.unit.pk
        elif "organisations" in data:
            # Listed organisations are added; those already linked stay.
            current = [o.pk for o in matches[0].organisations.all()]
            data["organisations"] = list(dict.fromkeys([*current, *data["organisations"]]))
        if instance is None:
            form = self.new_forms.bind(data)
        else:
            related = {
                "topics": [t.pk for t in matches[0].topics.all()],
                "organisations": [o.pk for o in matches[0].organisations.all()],
            }
            if _same_values(matches[0], data, related):
                self.seen[key] = _Seen(parsed.row.number, parsed.raw)
                return RowResult(parsed.row.number, "unchanged", label)
            form = _bind(EventForm, data, instance=instance, user=context.user)
        if not form.is_valid():
            _form_errors(form, parsed, {})
            return self.fail(parsed, label)
        self.seen[key] = _Seen(parsed.row.number, parsed.raw)
        topics = list(form.cleaned_data.get("topics", []))
        organisations = form.organisations_to_save()
        if instance is None:
            self.ops.append(_Op(parsed.row.number, "new", self._save(form, topics, organisations, True)))
            return RowResult(parsed.row.number, "new", label)
        before = snapshot(matches[0])
        after = {
            **snapshot(form.instance),
            "topics": sorted(t.pk for t in topics),
            "organisations": sorted(o.pk for o in organisations),
        }
        if not _differs(before, after):
            return RowResult(parsed.row.number, "unchanged", label)
        self.ops.append(_Op(parsed.row.number, "update", self._save(form, topics, organisations, False, before)))
        return RowResult(parsed.row.number, "update", label)

    def _save(self, form, topics, organisations, created, before=None):
        context = self.context

        def apply(run):
            event = form.instance
            if not created:
                event.version += 1
            event._change_reason = run.change_reason
            try:
                event_save(event=event, by=context.user, topics=topics, organisations=organisations)
            finally:
                del event._change_reason
            return [(event, "created" if created else "updated", before)]

        return apply


PLANNERS = {"organisations": OrganisationPlanner, "consultations": ConsultationPlanner, "events": EventPlanner}


def _planner(*, kind, table, mapping, value_map, unit, user, progress=None) -> _Planner:
    context = _Context(kind=kind, table=table, mapping=mapping, value_map=value_map, unit=unit, user=user)
    return PLANNERS[kind.key](context).plan(progress)


def _counts(results) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for result in results:
        counts[result.status] += 1
    return counts


def _check_columns(kind, mapping):
    from casework.imports.mapping import missing_required

    missing = missing_required(kind, mapping)
    if missing:
        raise ImportRefused(
            _("Es fehlen Spalten, die für %(kind)s nötig sind: %(columns)s.")
            % {"kind": kind.label, "columns": ", ".join(f"„{f.label}“" for f in missing)}
        )


# --- The three entry points -----------------------------------------------------------------------------------------


def dry_run(*, kind, table, mapping, value_map, unit, user, progress=None) -> Plan:
    """What an import would do, row by row, with German messages at their cells. Writes nothing.

    Raises ImportRefused when required columns are missing or the person may not import into `unit`.
    """
    if not may_import(user, unit):
        raise ImportRefused(_("Importieren dürfen nur Koordinator*innen der Fachstelle."))
    _check_columns(kind, mapping)
    planner = _planner(
        kind=kind, table=table, mapping=mapping, value_map=value_map, unit=unit, user=user, progress=progress
    )
    return Plan(planner.results, _counts(planner.results))


def run_import(*, kind, table, mapping, value_map, unit, user, filename, sha256, progress=None) -> ImportRun:
    """Import all rows in one transaction, or none: ImportRefused (German) when a row has errors.
    `progress(done_rows, total_rows)` is called now and then (planning first, then writing)."""
    if not may_import(user, unit):
        raise ImportRefused(_("Importieren dürfen nur Koordinator*innen der Fachstelle."))
    _check_columns(kind, mapping)
    total = len(table.rows)
    with transaction.atomic():
        # Checking the rows counts as the first half of the progress, writing them as the second.
        planning = (lambda done, _total: progress(done // 2, total)) if progress else None
        planner = _planner(
            kind=kind, table=table, mapping=mapping, value_map=value_map, unit=unit, user=user, progress=planning
        )
        counts = _counts(planner.results)
        if counts["error"]:
            raise ImportRefused(
                _("Die Datei enthält %(count)s fehlerhafte Zeilen; es wurde nichts importiert.")
                % {"count": counts["error"]}
            )
        del counts["error"]
        run = ImportRun.objects.create(
            unit=unit,
            kind=kind.key,
            filename=(filename or "")[:255],
            sha256=sha256,
            created_by=user,
            created_by_name=person_label(user),
            counts=counts,
        )
        records = []
        for done, op in enumerate(planner.ops, start=1):
            for record, action, previous in op.apply(run):
                records.append(
                    ImportedRecord(
                        run=run,
                        model=record._meta.label_lower,
                        object_id=record.pk,
                        action=action,
                        row_number=op.row,
                        version=record.version,
                        previous=previous,
                    )
                )
            if progress and done % PROGRESS_EVERY == 0:
                progress(min(total, total // 2 + done * total // max(2 * len(planner.ops), 1)), total)
        ImportedRecord.objects.bulk_create(records)
    if progress:
        progress(total, total)
    return run


# --- Undo -------------------------------------------------------------------------------------------------------

UNDO_ORDER = [
    "organisations.contactperson",
    "casework.consultation",
    "casework.event",
    "organisations.organisation",
]
MODELS = {
    "organisations.contactperson": ContactPerson,
    "casework.consultation": Consultation,
    "casework.event": Event,
    "organisations.organisation": Organisation,
}


def _named(record) -> str:
    return f"{record._meta.verbose_name} „{record}“"


def undo_import(*, run: ImportRun, user) -> None:
    """Delete what `run` created and restore what it changed, in one transaction; UndoRefused (German,
    naming the record) when a record was changed or deleted since, or the run is undone already."""
    if not access.can(user, Action.DELETE, [run.unit_id]):
        raise UndoRefused(_("Rückgängig machen dürfen nur Koordinator*innen der Fachstelle."))
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if run.status == ImportRun.Status.UNDONE:
            raise UndoRefused(_("Dieser Import wurde bereits rückgängig gemacht."))
        imported = list(run.records.all())
        found = {}
        for model_label in {record.model for record in imported}:
            pks = [record.object_id for record in imported if record.model == model_label]
            found[model_label] = MODELS[model_label]._default_manager.select_for_update().in_bulk(pks)
        for record in imported:
            current = found[record.model].get(record.object_id)
            if current is None:
                raise UndoRefused(
                    _(
                        "Der Import kann nicht rückgängig gemacht werden: ein importierter Datensatz "
                        "(%(model)s #%(pk)s) wurde inzwischen gelöscht."
                    )
                    % {"model": MODELS[record.model]._meta.verbose_name, "pk": record.object_id}
                )
            if current.version != record.version:
                raise UndoRefused(
                    _("Der Import kann nicht rückgängig gemacht werden: %(record)s wurde nach dem Import geändert.")
                    % {"record": _named(current)}
                )
        reason = _("Import „%(file)s“ (#%(pk)s) rückgängig gemacht") % {"file": run.filename, "pk": run.pk}
        created_ids = {
            model_label: {r.object_id for r in imported if r.model == model_label and r.action == "created"}
            for model_label in MODELS
        }
        _check_created_unused(found, created_ids)
        for record in imported:
            if record.action == ImportedRecord.Action.UPDATED:
                _restore(found[record.model][record.object_id], record.previous, by=user, reason=reason)
        for model_label in UNDO_ORDER:
            for record in imported:
                if record.model == model_label and record.action == ImportedRecord.Action.CREATED:
                    current = found[model_label][record.object_id]
                    current._history_user = user
                    current._change_reason = reason
                    try:
                        current.delete()
                    except (ProtectedError, RestrictedError) as error:
                        raise UndoRefused(
                            _(
                                "Der Import kann nicht rückgängig gemacht werden: %(record)s wird inzwischen von "
                                "anderen Datensätzen verwendet."
                            )
                            % {"record": _named(current)}
                        ) from error
        run.status = ImportRun.Status.UNDONE
        run.undone_at = timezone.now()
        run.undone_by = user
        run.undone_by_name = person_label(user)
        run.save(update_fields=["status", "undone_at", "undone_by", "undone_by_name"])


def _check_created_unused(found, created_ids):
    """Created records that others have used since (a consultation of a new organisation, a follow-up, an
    event listing it) are not deleted: that would take the other records with them."""
    organisations = created_ids["organisations.organisation"]
    if organisations:
        used = (
            Consultation.objects.filter(organisation_id__in=organisations)
            .exclude(pk__in=created_ids["casework.consultation"])
            .values_list("organisation_id", flat=True)
            .first()
        )
        if used is None:
            used = (
                Event.organisations.through.objects.filter(organisation_id__in=organisations)
                .exclude(event_id__in=created_ids["casework.event"])
                .values_list("organisation_id", flat=True)
                .first()
            )
        if used is None:
            used = (
                ContactPerson.objects.filter(organisation_id__in=organisations)
                .exclude(pk__in=created_ids["organisations.contactperson"])
                .values_list("organisation_id", flat=True)
                .first()
            )
        if used is not None:
            raise _in_use(found["organisations.organisation"][used])
    consultations = created_ids["casework.consultation"]
    if consultations:
        used = FollowUp.objects.filter(consultation_id__in=consultations).values_list("consultation_id", flat=True)
        used = used.first()
        if used is not None:
            raise _in_use(found["casework.consultation"][used])


def _in_use(record):
    return UndoRefused(
        _(
            "Der Import kann nicht rückgängig gemacht werden: zu %(record)s wurden inzwischen weitere Angaben "
            "erfasst (z. B. Beratungen, Ansprechpersonen, Wiedervorlagen)."
        )
        % {"record": _named(record)}
    )


def _restore(record, previous: dict, *, by, reason):
    """Put back the values an update of the import replaced; the version goes up like any edit."""
    m2m = {}
    for name, value in previous.items():
        try:
            model_field = record._meta.get_field(name)
        except Exception:  # noqa: BLE001 - an attname such as "region_id"
            model_field = next((f for f in record._meta.concrete_fields if f.attname == name), None)
        if model_field is None or name == "version":
            continue
        if model_field.many_to_many:
            m2m[name] = value
            continue
        setattr(record, model_field.attname, model_field.to_python(value) if value is not None else None)
    record.version += 1

    def set_relations():
        for name, pks in m2m.items():
            getattr(record, name).set(pks)

    _reason_saved(record, by=by, reason=reason, created=False, set_relations=set_relations)


# --- The row report (command line; the UI may use the labels) ------------------------------------------------

STATUS_LABELS = {
    "new": _lazy("neu"),
    "update": _lazy("wird geändert"),
    "unchanged": _lazy("unverändert"),
    "error": _lazy("Fehler"),
}


def summary(counts: dict[str, int]) -> str:
    """„2 neu, 1 geändert, 5 unverändert, 1 fehlerhaft“"""
    return _("%(new)s neu, %(update)s geändert, %(unchanged)s unverändert, %(error)s fehlerhaft") % {
        "new": counts.get("new", 0),
        "update": counts.get("update", 0),
        "unchanged": counts.get("unchanged", 0),
        "error": counts.get("error", 0),
    }


def report_lines(plan: Plan) -> list[str]:
    """The row report as text lines, in German: status and label per row, each error under its row."""
    lines = []
    for row in plan.rows:
        note = f" ({row.note})" if row.note else ""
        lines.append(f"{_('Zeile')} {row.number:>5}  {str(STATUS_LABELS[row.status]):<14} {row.label}{note}")
        for error in row.errors:
            where = _("Spalte „%(column)s“") % {"column": error.column} if error.column else _("Zeile")
            lines.append(f"{'':>13}{where}: {error.message}")
    return lines
