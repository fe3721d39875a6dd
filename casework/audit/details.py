"""How the log viewer reads an entry's `detail`: codes stored in English, read in the viewer's language.

Entries keep codes ("is_active:0", "groups+:3,5"), not sentences, so they read in German (or English)
whenever they are shown. A detail that is no known code (another feature's free-form id list) is shown as is.
"""

from django.utils.translation import gettext_lazy as _

YES_NO = {"1": _("ja"), "0": _("nein")}
FLAGS = {"is_active": _("aktiv"), "is_staff": _("Mitarbeiter-Status"), "is_superuser": _("Superuser-Status")}
WORDS = {
    "created": _("angelegt"),
    "deleted": _("gelöscht"),
    "password": _("Passwort geändert"),
    "unknown_username": _("unbekannter Benutzername"),
    "locked_out": _("gesperrt nach zu vielen Fehlversuchen"),
    # Written by the accounts screens (casework/accounts/people) and the second factor.
    "invited": _("eingeladen"),
    "invitation_resent": _("Einladung erneut gesendet"),
    "deactivated": _("deaktiviert"),
    "reactivated": _("wieder aktiviert"),
    "roles_changed": _("Rollen geändert"),
    "removed": _("entfernt"),
}
COUNTS = {
    "reassigned_follow_ups": _("Wiedervorlagen übertragen"),
    "reassigned_cases": _("Beratungsprozesse übertragen"),
}
LISTS = {
    "groups+": _("Gruppen hinzugefügt"),
    "groups-": _("Gruppen entfernt"),
    "permissions+": _("Einzelrechte hinzugefügt"),
    "permissions-": _("Einzelrechte entfernt"),
    "members-": _("alle Mitglieder entfernt"),
}


def read_detail(detail: str, group_names=None) -> str:
    """The German reading of a stored detail; group ids become the groups' names where known."""
    group_names = group_names or {}
    parts = [_read_code(code, group_names) for code in detail.split()]
    return "; ".join(str(part) for part in parts) if all(part is not None for part in parts) else detail


def group_ids(detail: str) -> set[int]:
    """Ids of groups a detail names (to look their names up for a whole page at once)."""
    ids = set()
    for code in detail.split():
        name, _sep, values = code.partition(":")
        if name in ("groups+", "groups-"):
            ids |= {int(value) for value in values.split(",") if value.isdigit()}
    return ids


def _read_code(code, group_names):
    if code in WORDS:
        return WORDS[code]
    name, sep, value = code.partition(":")
    if not sep:
        return None
    if name in FLAGS and value in YES_NO:
        return f"{FLAGS[name]}: {YES_NO[value]}"
    if name in COUNTS and value.isdigit():
        return f"{COUNTS[name]}: {value}"
    if name in LISTS:
        if value == "*":
            return f"{LISTS[name]}: {_('alle')}" if name != "members-" else LISTS[name]
        names = [
            group_names.get(int(v), v) if name.startswith("groups") and v.isdigit() else v for v in value.split(",")
        ]
        return f"{LISTS[name]}: {', '.join(str(n) for n in names)}"
    return None
