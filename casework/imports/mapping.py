"""Columns to fields, and file values to catalogue entries (topics, Kreise, formats, …).

Values are compared in a normal form (casework/search/text.py, without punctuation): "Gießen",
"giessen" and "GIESSEN" are the same Kreis, "e. V." and "eV" the same legal form. What still matches
nothing is reported with suggestions; the person's choices come back as `value_map` and apply to every
row of the file.
"""

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.db.models import F
from django.utils import timezone

from casework import access
from casework.imports.kinds import ImportField, ImportKind
from casework.imports.reading import Table
from casework.imports.values import split_list, text_of
from casework.models import Consultation, Event, Unit
from casework.search.text import normalise
from casework.ui.labels import person_label
from organisations.models import Organisation, Region
from organisations.services import name_key

# value_map: field key → {normalised raw value: catalogue pk (int for records, str for choices)}
ValueMap = dict[str, dict[str, int | str]]
SUGGESTIONS = 3
SUGGESTION_RATIO = 0.6
_PUNCTUATION = re.compile(r"[^0-9a-z*]+")
_REQUIRED_MARK = re.compile(r"\s*(\*|\(pflicht\)|\(pflichtfeld\))\s*$")


def normalise_value(raw) -> str:
    """The key of a file value in value_map: no accents, case, ß/ss, punctuation or spacing differences."""
    return _normalised_text(text_of(raw))


@functools.lru_cache(maxsize=65536)
def _normalised_text(text: str) -> str:
    # The same topics, places and names recur in every row of a list: each is folded once.
    return " ".join(_PUNCTUATION.sub(" ", normalise(text)).split())


def _header_key(header) -> str:
    return normalise_value(_REQUIRED_MARK.sub("", str(header or "").strip()))


def normalised_value_map(value_map) -> ValueMap:
    """`value_map` keyed by normalised values (the UI may keep the values as the file spells them)."""
    return {
        key: {normalise_value(raw): pk for raw, pk in (entries or {}).items()}
        for key, entries in (value_map or {}).items()
    }


# --- Columns ----------------------------------------------------------------------------------------------


def guess_mapping(kind: ImportKind, headers: list[str]) -> dict[int, str | None]:
    """Column index → field key, by the template headers and aliases (accent/case-insensitive); None for
    columns that match no field. Each field is given to one column at most (the first)."""
    by_label = {}
    by_alias = {}
    for import_field in kind.fields:
        by_label.setdefault(_header_key(import_field.label), import_field.key)
        for alias in import_field.aliases:
            by_alias.setdefault(_header_key(alias), import_field.key)
    mapping: dict[int, str | None] = {}
    taken = set()
    # Template headers first, so that an alias of one field never takes the column of another's label.
    for lookup in (by_label, by_alias):
        for index, header in enumerate(headers):
            if mapping.get(index):
                continue
            key = lookup.get(_header_key(header))
            if key and key not in taken:
                mapping[index] = key
                taken.add(key)
    return {index: mapping.get(index) for index in range(len(headers))}


def missing_required(kind: ImportKind, mapping: dict[int, str | None]) -> list[ImportField]:
    """The required fields no column is mapped to."""
    mapped = {key for key in mapping.values() if key}
    return [f for f in kind.fields if f.required and f.key not in mapped]


def column_of(mapping: dict[int, str | None], field_key: str) -> int | None:
    return next((index for index, key in mapping.items() if key == field_key), None)


# --- Catalogues -------------------------------------------------------------------------------------------

CHOICE_ALIASES = {
    "organisation_kind": {
        Organisation.Kind.MIGRANT_ORGANISATION: [
            "mo",
            "migrantenorganisation",
            "migrantische selbstorganisation",
            "mso",
        ],
        Organisation.Kind.GUIDE_PROJECT: [
            "lots*innen projekt",
            "lotsenprojekt",
            "lotsinnenprojekt",
            "lots",
            "wir lots*innen",
        ],
        Organisation.Kind.OTHER: ["sonstige", "sonstiges", "andere"],
    },
    "legal_form": {
        Organisation.LegalForm.REGISTERED_ASSOCIATION: ["e v", "ev", "eingetragener verein", "verein e v"],
        Organisation.LegalForm.UNREGISTERED: ["initiative", "nicht eingetragener verein", "nicht eingetragen", "n e v"],
        Organisation.LegalForm.GGMBH: ["ggmbh"],
        Organisation.LegalForm.FOUNDATION: ["stiftung"],
        Organisation.LegalForm.PUBLIC_BODY: ["kommune", "korperschaft des offentlichen rechts", "kdor"],
        Organisation.LegalForm.OTHER: ["sonstige", "sonstiges", "andere"],
    },
    "host_type": {
        Organisation.HostType.MUNICIPALITY: ["stadt", "gemeinde", "landkreis", "kreis"],
        Organisation.HostType.VOLUNTEER_AGENCY: ["freiwilligenzentrum"],
        Organisation.HostType.WELFARE: ["wohlfahrt"],
        Organisation.HostType.ASSOCIATION: ["e v", "ev"],
        Organisation.HostType.OTHER: ["sonstige", "sonstiger"],
    },
    "charitable_status": {
        Organisation.CharitableStatus.YES: ["j", "x", "gemeinnutzig"],
        Organisation.CharitableStatus.NO: ["n"],
        Organisation.CharitableStatus.APPLIED: ["in beantragung", "beantragt"],
        Organisation.CharitableStatus.UNKNOWN: ["unklar", "weiss nicht", "k a"],
    },
    "consultation_format": {
        Consultation.Format.ON_SITE: ["vor ort", "bei der organisation", "prasenz", "vor ort termin"],
        Consultation.Format.OFFICE: ["buro", "fachstelle", "in der fachstelle", "in den raumen der fachstelle"],
        Consultation.Format.PHONE: ["telefon", "tel", "telefonat", "anruf"],
        Consultation.Format.VIDEO: ["online", "videokonferenz", "zoom", "videocall", "video call"],
        Consultation.Format.WRITTEN: ["e mail", "email", "mail", "schriftlich", "brief"],
    },
    "initiator": {
        Consultation.Initiator.ORGANISATION: ["organisation", "verein", "projekt", "anfrage der organisation"],
        Consultation.Initiator.UNIT: ["fachstelle", "wir", "uns"],
        Consultation.Initiator.THIRD_PARTY: ["dritte", "vermittlung", "vermittelt"],
    },
    "event_kind": {
        Event.Kind.TRAINING: ["fortbildung", "workshop", "seminar", "qualifizierung"],
        Event.Kind.NETWORKING: ["vernetzung", "netzwerktreffen", "austauschtreffen"],
        Event.Kind.CONFERENCE: ["fachtagung", "tagung", "konferenz"],
        Event.Kind.OTHER: ["sonstige", "sonstiges", "andere"],
    },
    "event_format": {
        Event.Format.IN_PERSON: ["prasenz", "vor ort", "in prasenz"],
        Event.Format.ONLINE: ["digital", "video", "virtuell"],
        Event.Format.HYBRID: [],
    },
    "event_status": {
        Event.Status.PLANNED: ["geplant", "in planung", "anstehend"],
        Event.Status.HELD: ["stattgefunden", "durchgefuhrt", "ja", "erledigt"],
        Event.Status.CANCELLED: ["abgesagt", "ausgefallen", "storniert"],
    },
}
CHOICES = {
    "organisation_kind": Organisation.Kind,
    "legal_form": Organisation.LegalForm,
    "host_type": Organisation.HostType,
    "charitable_status": Organisation.CharitableStatus,
    "consultation_format": Consultation.Format,
    "initiator": Consultation.Initiator,
    "event_kind": Event.Kind,
    "event_format": Event.Format,
    "event_status": Event.Status,
}


@dataclass
class Catalogue:
    """The entries one catalogue field may take, with every key they are known by."""

    name: str
    entries: list[tuple[int | str, str]] = field(default_factory=list)  # (pk, label)
    keys: dict[str, list[int | str]] = field(default_factory=dict)  # normalised key → pks
    places: dict[int, str] = field(default_factory=dict)  # organisations: pk → normalised municipality
    _labels: dict = field(default_factory=dict, repr=False)

    def add(self, pk, label, *keys):
        self.entries.append((pk, label))
        for key in {normalise_value(label), *(normalise_value(k) for k in keys)} - {""}:
            pks = self.keys.setdefault(key, [])
            if pk not in pks:
                pks.append(pk)

    def candidates(self, raw) -> list[int | str]:
        key = normalise_value(raw)
        found = self.keys.get(key)
        if found is None and self.name == "organisation":
            found = self.keys.get(normalise_value(name_key(text_of(raw))))
        return list(found or [])

    def knows(self, raw) -> bool:
        return bool(self.candidates(raw))

    def label(self, pk) -> str:
        if len(self._labels) != len(self.entries):
            self._labels = dict(self.entries)
        return self._labels.get(pk, str(pk))

    def suggestions(self, raw, limit=SUGGESTIONS) -> list[tuple[int | str, str]]:
        """The entries most like `raw`, best first ("Meinten Sie …?")."""
        key = normalise_value(raw)
        if not key:
            return []
        scores = {}
        for other, pks in self.keys.items():
            if key in other or other in key:
                score = 0.9 if min(len(key), len(other)) >= 4 else 0.5
            else:
                matcher = SequenceMatcher(None, key, other)
                if matcher.real_quick_ratio() < SUGGESTION_RATIO or matcher.quick_ratio() < SUGGESTION_RATIO:
                    continue
                score = matcher.ratio()
            if score >= SUGGESTION_RATIO:
                for pk in pks:
                    scores[pk] = max(scores.get(pk, 0), score)
        best = sorted(scores, key=lambda pk: (-scores[pk], self.label(pk)))[:limit]
        return [(pk, self.label(pk)) for pk in best]


def _region_keys(region) -> list[str]:
    name = region.name
    keys = [name, f"Kreis {name}", f"Landkreis {name}"]
    if name.endswith("(Stadt)"):
        base = name.removesuffix("(Stadt)").strip()
        keys += [base, f"Stadt {base}", f"{base} Stadt", f"kreisfreie Stadt {base}"]
    elif name.endswith("(Landkreis)"):
        base = name.removesuffix("(Landkreis)").strip()
        keys += [base, f"Landkreis {base}", f"Kreis {base}", f"{base} Land", f"{base} Landkreis"]
    elif region.kind == Region.Kind.CITY:
        keys += [f"Stadt {name}", f"kreisfreie Stadt {name}", name.replace(" am Main", "")]
    if region.key:
        keys.append(region.key)
    return keys


def build_catalogue(name: str, *, unit, user=None, today=None) -> Catalogue:
    """One catalogue, read once per file (one or two queries)."""
    catalogue = Catalogue(name)
    if name in CHOICES:
        aliases = CHOICE_ALIASES.get(name, {})
        for value, label in CHOICES[name].choices:
            catalogue.add(value, str(label), value, *aliases.get(value, []))
    elif name == "topic":
        topics = access.topics_selectable_for([unit.pk]).order_by(F("unit_id").asc(nulls_last=True), "position", "name")
        for topic in topics:
            catalogue.add(topic.pk, topic.name)
    elif name == "region":
        today = today or timezone.localdate()
        for region in Region.objects.valid_on(today).order_by("name"):
            catalogue.add(region.pk, region.name, *_region_keys(region))
    elif name == "organisation":
        organisations = (
            access.organisations_visible_to(user) if user is not None else Organisation.objects.filter(units=unit)
        )
        rows = organisations.select_related("region").values_list("pk", "name", "municipality", "region__name")
        for pk, org_name, municipality, region_name in rows.order_by("name_sort", "name", "pk").iterator(
            chunk_size=2000
        ):
            catalogue.add(pk, f"{org_name} ({municipality or region_name})", org_name, name_key(org_name))
            catalogue.places[pk] = normalise(municipality)
    elif name == "advisor":
        for person in access.advisors_of([unit.pk]):
            keys = [
                person.username,
                person.email,
                f"{person.last_name}, {person.first_name}",
                f"{person.last_name} {person.first_name}",
                person.last_name,
            ]
            catalogue.add(person.pk, person_label(person), *[k for k in keys if k and k.strip(" ,")])
        # A surname alone counts only where it is unique.
        for key, pks in list(catalogue.keys.items()):
            if len(pks) > 1:
                del catalogue.keys[key]
    elif name == "unit":
        for other in Unit.objects.exclude(pk=unit.pk):
            catalogue.add(other.pk, other.short_name, other.name, other.code)
    else:
        raise ValueError(f"Unknown catalogue {name!r}")
    return catalogue


class Catalogues:
    """The catalogues of one file, each built on first use."""

    def __init__(self, *, unit, user=None):
        self.unit, self.user = unit, user
        self._built = {}

    def __getitem__(self, name) -> Catalogue:
        if name not in self._built:
            self._built[name] = build_catalogue(name, unit=self.unit, user=self.user)
        return self._built[name]


def catalogue_options(*, kind: ImportKind, field_key: str, unit, user=None) -> list[tuple[int | str, str]]:
    """Every entry a value of `field_key` may be mapped to (pk, label), for the UI's drop-downs."""
    import_field = kind.field(field_key)
    if not import_field.catalogue:
        return []
    return list(build_catalogue(import_field.catalogue, unit=unit, user=user).entries)


# --- Values that match nothing ----------------------------------------------------------------------------


@dataclass
class Unmatched:
    field: str
    value: str  # as in the file (first spelling seen)
    count: int  # rows with it
    suggestions: list[tuple[int | str, str]] = field(default_factory=list)  # (pk, label), best first
    key: str = ""  # normalised value: the key to use in value_map


def cell_items(import_field: ImportField, raw, catalogue: Catalogue | None) -> list[str]:
    """The values of one cell: several for list fields (topics, organisations)."""
    if raw is None or text_of(raw) == "":
        return []
    if import_field.multiple:
        return split_list(raw, is_known=catalogue.knows if catalogue else (lambda text: False))
    return [text_of(raw)]


def unmatched_values(
    *, kind: ImportKind, table: Table, mapping, unit, user=None, value_map=None, catalogues=None
) -> list[Unmatched]:
    """Values of catalogue fields that match no entry exactly after normalisation (and are not yet in
    `value_map`), with suggestions by similarity ("Meinten Sie …?"). `user` limits organisations to those the
    person may see (without it: the unit's organisations)."""
    value_map = normalised_value_map(value_map)
    catalogues = catalogues or Catalogues(unit=unit, user=user)
    found: dict[tuple[str, str], Unmatched] = {}
    counted = defaultdict(set)
    for index, key in mapping.items():
        if not key:
            continue
        import_field = kind.field(key)
        if not import_field.catalogue:
            continue
        catalogue = catalogues[import_field.catalogue]
        chosen = value_map.get(key, {})
        for row in table.rows:
            raw = row.values[index] if index < len(row.values) else None
            for item in cell_items(import_field, raw, catalogue):
                normal = normalise_value(item)
                if not normal or normal in chosen or catalogue.candidates(item):
                    continue
                entry = found.get((key, normal))
                if entry is None:
                    entry = found[(key, normal)] = Unmatched(key, item, 0, catalogue.suggestions(item), normal)
                if row.number not in counted[(key, normal)]:
                    counted[(key, normal)].add(row.number)
                    entry.count += 1
    order = {f.key: position for position, f in enumerate(kind.fields)}
    return sorted(found.values(), key=lambda u: (order[u.field], -u.count, u.key))
