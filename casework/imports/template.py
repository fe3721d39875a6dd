"""An XLSX template per kind: the headers and drop-down lists for the catalogue columns.

The lists live on a hidden sheet "Listen"; each catalogue column of the first sheet validates against
its list (data validation). Columns that take several values per cell (topics, organisations) offer
the list but accept more than one entry ("A; B").
"""

import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from casework.imports.kinds import ImportKind
from casework.imports.mapping import build_catalogue

TEMPLATE_ROWS = 2000  # rows the drop-downs are offered in
LIST_SHEET = "Listen"
VALUE_HINTS = {
    "date": gettext_lazy("Datum als TT.MM.JJJJ, z. B. 03.02.2025"),
    "integer": gettext_lazy("ganze Zahl"),
    "duration": gettext_lazy("Minuten (z. B. 90) oder Stunden (z. B. „1,5 h“)"),
    "boolean": gettext_lazy("„ja“ oder „nein“"),
}


def template_xlsx(kind: ImportKind, unit, user=None) -> bytes:
    """An XLSX file with the kind's headers (required ones bold, marked in a note) and data validation
    drop-downs for topics, formats, Kreise, organisation types (…), fed from a hidden sheet "Listen"."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(kind.label)[:31]
    lists = workbook.create_sheet(LIST_SHEET)
    hints = workbook.create_sheet(_("Hinweise"))
    hints.append([_("Spalte"), _("Pflicht"), _("Eingabe")])
    hints["A1"].font = hints["B1"].font = hints["C1"].font = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFE8CC")
    list_column = 0
    for index, import_field in enumerate(kind.fields, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=str(import_field.label))
        cell.font = Font(bold=import_field.required)
        if import_field.required:
            cell.fill = required_fill
        sheet.column_dimensions[letter].width = max(14, min(40, len(str(import_field.label)) + 4))
        hint = str(VALUE_HINTS.get(import_field.value, _("Text")))
        if import_field.catalogue:
            entries = build_catalogue(import_field.catalogue, unit=unit, user=user).entries
            hint = _("aus der Liste „%(label)s“ (Blatt „%(sheet)s“)") % {
                "label": import_field.label,
                "sheet": LIST_SHEET,
            }
            if import_field.multiple:
                hint += " " + _("– mehrere durch „;“ getrennt")
            if entries:
                list_column += 1
                list_letter = get_column_letter(list_column)
                lists.cell(row=1, column=list_column, value=str(import_field.label)).font = Font(bold=True)
                for row, (_pk, label) in enumerate(entries, start=2):
                    lists.cell(row=row, column=list_column, value=label)
                reference = f"{quote_sheetname(LIST_SHEET)}!${list_letter}$2:${list_letter}${len(entries) + 1}"
                validation = DataValidation(
                    type="list",
                    formula1=reference,
                    allow_blank=True,
                    showErrorMessage=not import_field.multiple,
                    errorStyle="warning",
                    errorTitle=_("Unbekannter Wert"),
                    error=_("Bitte einen Eintrag aus der Liste wählen."),
                )
                validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
                sheet.add_data_validation(validation)
        elif import_field.value == "date":
            for row in range(2, TEMPLATE_ROWS + 1):
                sheet.cell(row=row, column=index).number_format = "DD.MM.YYYY"
        if import_field.required:
            cell.comment = Comment(_("Pflichtspalte"), "Vielfalt-Beratung")
        hints.append([str(import_field.label), _("ja") if import_field.required else "", hint])
    hints.column_dimensions["A"].width = 36
    hints.column_dimensions["C"].width = 70
    lists.sheet_state = "hidden"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
