"""The Sachbericht: the narrative sections coordinators write, the title page, and freezing both into a report.

A draft (NarrativeDraft) belongs to a scope ("mo", "lots" or "all") and a period, like a report. When a
report is requested, the draft's texts and the title page (funding notice, Aktenzeichen, logos) are copied
into a ReportNarrative; generating puts them into the frozen figures:

    figures["narrative"] = [{"key": "ausgangslage", "title": "Ausgangslage",
                             "paragraphs": ["Absatz …", {"list": ["Punkt", …]}, …],
                             "figures": ["consultations", …]}, …]    # all OUTLINE sections, in order
    figures["title_page"] = {"funding_notice": "Gefördert durch …",
                             "references": [{"unit": "Fachstelle MO", "reference": "III 4 – 12/2025"}],
                             "logos": [{"id": 3, "sha256": "…", "name": "Ministerium"}]}

Texts are plain: a blank line separates paragraphs, lines starting with "- " or "• " are list items.
Templates print them with Django's escaping, so no markup typed into a section reaches the PDF.

Where the figures go: each outline section names the figure sections (reports.figures) printed after
it. „Umsetzung der Maßnahmen“ is followed by what was done (Beratungen, Organisationen, Regionen,
Prozesse, Qualifizierung), „Ergebnisse und Wirkungen“ by what came of it (Qualitätsstandards, Ziele)
and by every figure section the outline does not name. A report without any text keeps the figures'
own order (`report_blocks`).
"""

import base64
import hashlib
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework.concurrency import VersionCheck
from reports.models import (
    DEFAULT_FUNDING_NOTICE,
    FundingReference,
    NarrativeDraft,
    Report,
    ReportLogo,
    ReportNarrative,
    TitlePageSettings,
)

MAX_SECTION_CHARS = 20_000
MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_PIXELS = 40_000_000  # far below Pillow's decompression-bomb limit
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
LIST_MARKERS = ("- ", "• ")


@dataclass(frozen=True)
class OutlineSection:
    key: str
    title: str
    hint: str
    figures: tuple[str, ...] = ()


OUTLINE = (
    OutlineSection(
        "ausgangslage",
        gettext_lazy("Ausgangslage"),
        gettext_lazy(
            "Rahmenbedingungen im Berichtszeitraum: Bedarfe der Organisationen, Lage in den Regionen, "
            "personelle Besetzung der Fachstelle."
        ),
    ),
    OutlineSection(
        "ziele",
        gettext_lazy("Ziele und Zielgruppen"),
        gettext_lazy(
            "Welche Ziele laut Zuwendungsbescheid verfolgt wurden und welche Zielgruppen erreicht werden sollten."
        ),
    ),
    OutlineSection(
        "umsetzung",
        gettext_lazy("Umsetzung der Maßnahmen"),
        gettext_lazy(
            "Was getan wurde: Beratungen, Begleitung von Prozessen, Qualifizierungsangebote und Veranstaltungen. "
            "Die Tabellen zu Beratungen, Organisationen, Regionen, Prozessen und Qualifizierung folgen auf diesen Abschnitt."
        ),
        ("consultations", "organisations", "regions", "cases", "events"),
    ),
    OutlineSection(
        "ergebnisse",
        gettext_lazy("Ergebnisse und Wirkungen"),
        gettext_lazy(
            "Was erreicht wurde und woran es sichtbar ist, gern mit Beispielen. "
            "Die Tabellen zu Qualitätsstandards, Lots*innen und Zielen folgen auf diesen Abschnitt."
        ),
        ("quality", "guides", "targets"),
    ),
    OutlineSection(
        "kooperationen",
        gettext_lazy("Kooperationen und Vernetzung"),
        gettext_lazy("Zusammenarbeit mit Partner*innen, Netzwerken, Kommunen und der jeweils anderen Fachstelle."),
    ),
    OutlineSection(
        "abweichungen",
        gettext_lazy("Abweichungen vom Plan und Gründe"),
        gettext_lazy("Wo die Umsetzung von der Planung abwich, warum, und wie darauf reagiert wurde."),
    ),
    OutlineSection(
        "ausblick",
        gettext_lazy("Ausblick"),
        gettext_lazy("Vorhaben und Schwerpunkte für den nächsten Zeitraum."),
    ),
)
OUTLINE_KEYS = tuple(section.key for section in OUTLINE)
# Figure sections the outline does not name follow this section.
FIGURES_FALLBACK = "ergebnisse"


# --- Plain text → paragraphs and lists ------------------------------------------------------------


def _marker_of(line: str) -> str | None:
    stripped = line.lstrip()
    return next((m for m in LIST_MARKERS if stripped.startswith(m)), None)


def paragraphs(text: str) -> list:
    """Plain text as blocks: a str per paragraph, {"list": [items]} per list.

    Blank lines end a paragraph or list; a line starting with "- " or "• " is a list item, an indented line
    after it continues the item; any other line after a list starts a new paragraph. Lines of one paragraph
    keep their line breaks ("\\n")."""
    blocks = []
    current = None  # the open block: a list of lines (paragraph) or a dict (list)
    for raw in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            current = None
            continue
        marker = _marker_of(line)
        if marker:
            item = line.lstrip()[len(marker) :].strip()
            if not isinstance(current, dict):
                current = {"list": []}
                blocks.append(current)
            current["list"].append(item)
        elif isinstance(current, dict) and raw[:1].isspace() and current["list"]:
            current["list"][-1] = f"{current['list'][-1]} {line.strip()}"
        elif isinstance(current, list):
            current.append(line.strip())
        else:
            current = [line.strip()]
            blocks.append(current)
    return ["\n".join(block) if isinstance(block, list) else block for block in blocks]


def frozen_sections(texts: dict) -> list[dict]:
    """The outline with the given texts, as the report's figures keep it (see the module docstring)."""
    return [
        {
            "key": section.key,
            "title": str(section.title),
            "paragraphs": paragraphs(texts.get(section.key, "")),
            "figures": list(section.figures),
        }
        for section in OUTLINE
    ]


def report_blocks(figures: dict) -> list[dict]:
    """The figure sections of `figures` with the narrative sections placed between them.

    Narrative sections come as their frozen dicts plus "narrative": True (empty ones too, so the figures
    after them keep their place; templates skip their heading). Without texts: the figure sections as they are.
    """
    narrative = figures.get("narrative") or []
    sections = figures.get("sections") or []
    if not any(section.get("paragraphs") for section in narrative):
        return list(sections)
    claimed = {key for section in narrative for key in section.get("figures", ())}
    fallback = FIGURES_FALLBACK if any(s["key"] == FIGURES_FALLBACK for s in narrative) else narrative[-1]["key"]
    blocks = []
    for section in narrative:
        blocks.append({**section, "narrative": True})
        keys = list(section.get("figures", ()))
        for figure in sections:
            named = figure.get("key") in keys
            unnamed = section["key"] == fallback and figure.get("key") not in claimed
            if named or unnamed:
                blocks.append(figure)
    return blocks


# --- Drafts ---------------------------------------------------------------------------------------


class DraftVersionCheck(VersionCheck):
    """The project's version check, naming who saved the draft last (drafts keep no history)."""

    def changes_since(self, loaded) -> list[tuple]:
        self.record.refresh_from_db(fields=["updated_by"])
        return [(self.record.updated_by, [])]


def draft_for(scope: str, period) -> NarrativeDraft:
    """The draft of `scope` and `period` (a reports.periods.Period), created empty if there is none."""
    key = {"scope": scope, "period_kind": period.kind, "first_day": period.first, "last_day": period.last}
    draft = NarrativeDraft.objects.filter(**key).first()
    if draft is not None:
        return draft
    try:
        with transaction.atomic():
            return NarrativeDraft.objects.create(**key)
    except IntegrityError:  # created by a parallel request just now
        return NarrativeDraft.objects.get(**key)


def existing_draft(scope: str, period) -> NarrativeDraft | None:
    return NarrativeDraft.objects.filter(
        scope=scope, period_kind=period.kind, first_day=period.first, last_day=period.last
    ).first()


def clean_texts(data: dict) -> dict:
    """Only the outline's keys, as text without trailing blanks; empty sections left out."""
    texts = {}
    for key in OUTLINE_KEYS:
        value = str(data.get(key) or "").replace("\r\n", "\n").rstrip()
        if value.strip():
            texts[key] = value
    return texts


def save_texts(draft: NarrativeDraft, texts: dict, user) -> NarrativeDraft:
    """Store the texts (the caller has claimed the version, see casework.concurrency.save_or_refuse)."""
    draft.texts = clean_texts(texts)
    draft.updated_by = user
    draft.save(update_fields=["texts", "updated_by", "updated_at", "version"])
    return draft


def previous_texts(scope: str, period) -> dict:
    """The texts of the period before (same scope and kind): its draft, else the latest report of it."""
    previous = period.previous()
    draft = existing_draft(scope, previous)
    if draft is not None and draft.texts:
        return dict(draft.texts)
    snapshot = (
        ReportNarrative.objects.filter(
            report__scope=scope,
            report__period_kind=previous.kind,
            report__first_day=previous.first,
            report__last_day=previous.last,
        )
        .order_by("-report__requested_at", "-report_id")
        .first()
    )
    if snapshot is None:
        return {}
    return {
        section["key"]: _plain(section.get("paragraphs", []))
        for section in snapshot.sections
        if section.get("key") in OUTLINE_KEYS and section.get("paragraphs")
    }


def _plain(blocks) -> str:
    """Frozen paragraphs back to plain text (the inverse of `paragraphs`)."""
    parts = []
    for block in blocks:
        if isinstance(block, dict):
            parts.append("\n".join(f"- {item}" for item in block.get("list", [])))
        else:
            parts.append(str(block))
    return "\n\n".join(parts)


def take_over(draft: NarrativeDraft, previous: dict, *, overwrite: bool) -> list[str]:
    """Copy `previous` texts into the draft's empty sections (all of them with `overwrite`); the keys copied.

    The caller has claimed the draft's version; the caller saves (save_texts)."""
    texts = dict(draft.texts)
    copied = []
    for key in OUTLINE_KEYS:
        if previous.get(key) and (overwrite or not texts.get(key, "").strip()) and texts.get(key) != previous[key]:
            texts[key] = previous[key]
            copied.append(key)
    draft.texts = texts
    return copied


# --- Title page -------------------------------------------------------------------------------------


def title_settings() -> TitlePageSettings:
    settings_row = TitlePageSettings.objects.order_by("pk").first()
    if settings_row is None:
        settings_row, _created = TitlePageSettings.objects.get_or_create(pk=1)
    return settings_row


def funding_references(units) -> dict:
    """Unit pk → Aktenzeichen (only those entered)."""
    rows = FundingReference.objects.filter(unit__in=units).exclude(reference="")
    return {row.unit_id: row.reference for row in rows}


def title_page_snapshot(units) -> dict:
    units = sorted(units, key=lambda u: u.pk)
    references = funding_references(units)
    row = TitlePageSettings.objects.order_by("pk").first()
    return {
        "funding_notice": row.funding_notice if row is not None else DEFAULT_FUNDING_NOTICE,
        "references": [{"unit": u.short_name, "reference": references[u.pk]} for u in units if references.get(u.pk)],
        "logos": [
            {"id": pk, "sha256": sha, "name": name}
            for pk, sha, name in ReportLogo.objects.values_list("pk", "sha256", "name")
        ],
    }


def logo_images(title_page: dict | None) -> list[dict]:
    """The frozen logos as {"name", "src"} with data: URLs; a logo deleted since is left out."""
    wanted = (title_page or {}).get("logos") or []
    if not wanted:
        return []
    rows = {logo.pk: logo for logo in ReportLogo.objects.filter(pk__in=[w["id"] for w in wanted])}
    images = []
    for entry in wanted:
        logo = rows.get(entry["id"])
        if logo is None or logo.sha256 != entry.get("sha256"):
            continue
        content = bytes(logo.content)
        src = f"data:{logo.content_type};base64,{base64.b64encode(content).decode('ascii')}"
        images.append({"name": logo.name, "src": src, "width": logo.width, "height": logo.height})
    return images


def save_title_page(settings_row: TitlePageSettings, funding_notice: str, references: dict) -> TitlePageSettings:
    """Store the funding notice and the Aktenzeichen (unit pk → text; empty removes it)."""
    settings_row.funding_notice = funding_notice.strip()
    settings_row.save(update_fields=["funding_notice", "version"])
    for unit_id, reference in references.items():
        if reference:
            FundingReference.objects.update_or_create(unit_id=unit_id, defaults={"reference": reference})
        else:
            FundingReference.objects.filter(unit_id=unit_id).delete()
    return settings_row


def read_logo(upload) -> dict:
    """The checked image of an uploaded file: PNG or JPEG, ≤ 2 MB; ValidationError with a German message."""
    from PIL import Image, UnidentifiedImageError

    if upload.size > MAX_LOGO_BYTES:
        raise ValidationError(_("Das Logo ist größer als 2 MB. Bitte eine kleinere Datei hochladen."))
    content = upload.read(MAX_LOGO_BYTES + 1)
    if len(content) > MAX_LOGO_BYTES:
        raise ValidationError(_("Das Logo ist größer als 2 MB. Bitte eine kleinere Datei hochladen."))
    not_an_image = _("Die Datei ist kein PNG- oder JPEG-Bild.")
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format
            width, height = image.size
            if kind not in LOGO_FORMATS:
                raise ValidationError(not_an_image)
            if width * height > MAX_LOGO_PIXELS:
                raise ValidationError(_("Das Logo hat zu viele Bildpunkte."))
            image.verify()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(not_an_image) from None
    return {
        "content": content,
        "content_type": LOGO_FORMATS[kind],
        "width": width,
        "height": height,
        "sha256": hashlib.sha256(content).hexdigest(),
    }


def add_logo(name: str, image: dict) -> ReportLogo:
    position = (ReportLogo.objects.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    return ReportLogo.objects.create(name=name, position=position, **image)


# --- Freezing into a report --------------------------------------------------------------------------


def freeze(report: Report, units) -> ReportNarrative:
    """Copy the draft's texts and the title page into `report` now (at its request)."""
    from reports.generation import period_of  # generation imports this module

    draft = existing_draft(report.scope, period_of(report))
    return ReportNarrative.objects.create(
        report=report,
        sections=frozen_sections(draft.texts if draft else {}),
        title_page=title_page_snapshot(units),
    )


def frozen_parts(report: Report, units) -> tuple[list, dict]:
    """(narrative sections, title page) of `report`: as frozen at its request, else (command line) as now."""
    snapshot = ReportNarrative.objects.filter(report=report).first()
    if snapshot is None:
        snapshot = freeze(report, units)
    return snapshot.sections, snapshot.title_page
