"""Forms sent concurrently or twice: optimistic locking for edits, one-time tokens for creates.

Edit: the form carries the version of the record the person loaded (hidden `loaded_version`).
`save_or_refuse` raises it with one conditional UPDATE in the transaction of the save. If someone saved in
between, the UPDATE finds no row: the save is refused with a message naming who changed which fields (from
the history), the input stays in the form and the hidden version becomes the current one, so a deliberate
second save goes through. A POST without a valid version is refused too (django-concurrency would stop
checking); services called directly (scripts, demo data, tests) do not check.

Create: the form carries a one-time token (hidden `submission_token`, new on every rendering). `create_once`
stores it as a `Submission` in the transaction of the create; the same token again (double click, back
button, a second tab, a parallel request that fails on the unique index) leads to the record created
first. A POST without a token creates as before.
"""

import datetime
import uuid

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework.access import parse_pk
from casework.models import Submission
from casework.ui.labels import person_label

VERSION_FIELD = "loaded_version"
TOKEN_FIELD = "submission_token"  # noqa: S105 - a field name, not a secret
SUBMISSIONS_KEPT = datetime.timedelta(days=7)


def _number(value):
    """A version as sent by the form; None if missing or not a version (they start at 1, like ids)."""
    return parse_pk(value)


class VersionCheck:
    """The version of one record with a `version` column: the value a form carries, the claim, the changes."""

    def __init__(self, record):
        self.record = record

    def loaded(self) -> str:
        return str(self.record.version)

    def claim(self, loaded) -> bool:
        """Raise the version if it is still `loaded`; the save that follows writes the new one (and its history)."""
        number = _number(loaded)
        rows = type(self.record)._default_manager.filter(pk=self.record.pk, version=number)
        if number is None or not rows.update(version=number + 1):
            return False
        self.record.version = number + 1
        return True

    def current(self) -> str | None:
        rows = type(self.record)._default_manager.filter(pk=self.record.pk)
        version = rows.values_list("version", flat=True).first()
        return None if version is None else str(version)

    def changes_since(self, loaded) -> list[tuple]:
        """(user, [labels of the fields changed]) per history entry after `loaded` (unknown: the latest entry)."""
        history = getattr(self.record, "history", None)
        if history is None:
            return []
        number = _number(loaded)
        number = max(self.record.version - 1, 1) if number is None else number
        newer = list(
            history.filter(version__gt=number).select_related("history_user").order_by("version", "history_id")
        )
        previous = history.filter(version__lte=number).order_by("-version", "-history_id").first()
        meta = type(self.record)._meta
        skipped = [field.name for field in meta.concrete_fields if not field.editable]
        changes = []
        for entry in newer:
            delta = entry.diff_against(previous, excluded_fields=skipped).changes if previous else []
            changes.append((entry.history_user, [str(meta.get_field(change.field).verbose_name) for change in delta]))
            previous = entry
        return changes


class ConcurrencySafeForm:
    """Form mixin: editing a record, the form carries its loaded version; creating, a one-time token.

    ModelForms take the record from `instance`; other forms pass `record=` (a model instance or a
    VersionCheck). Both fields are hidden: a crispy layout needs `helper.render_hidden_fields = True`, a
    template that renders fields one by one `{% for hidden in form.hidden_fields %}{{ hidden }}{% endfor %}`.
    """

    refusal_hint = gettext_lazy("Ihre Eingaben stehen unten noch im Formular – bitte prüfen und erneut speichern.")

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        record = getattr(self, "instance", None) if record is None else record
        if isinstance(record, VersionCheck):
            self.version_check = record
        else:
            self.version_check = VersionCheck(record) if record is not None and record.pk is not None else None
        if self.version_check is not None:
            initial = self.version_check.loaded()
            self.fields[VERSION_FIELD] = forms.CharField(required=False, widget=forms.HiddenInput, initial=initial)
        else:
            self.fields[TOKEN_FIELD] = forms.CharField(required=False, widget=forms.HiddenInput, initial=new_token)

    def clean(self):
        cleaned = super().clean()
        # Read by save_or_refuse and create_once, never saved with the record.
        for name in (VERSION_FIELD, TOKEN_FIELD):
            cleaned.pop(name, None)
        return cleaned


class VersionForm(ConcurrencySafeForm, forms.Form):
    """Nothing but the loaded version: for buttons that change a record (e.g. reopening a case)."""

    refusal_hint = gettext_lazy("Bitte den aktuellen Stand prüfen und dann erneut versuchen.")


def new_token() -> str:
    return str(uuid.uuid4())


# --- Edit ----------------------------------------------------------------------------------------------


def save_or_refuse(form, *, save):
    """`save()` in one transaction with the version check; its result, or None if refused (form: see above)."""
    check = form.version_check
    loaded = form.data.get(form.add_prefix(VERSION_FIELD))
    with transaction.atomic():
        if check.claim(loaded):
            return save()
    current = check.current()
    form.add_error(None, refusal_message(check, loaded, current, hint=form.refusal_hint))
    form.data = form.data.copy()
    form.data[form.add_prefix(VERSION_FIELD)] = current or ""
    return None


def refusal_message(check, loaded, current, *, hint) -> str:
    """„Inzwischen hat Aylin Demir diesen Datensatz geändert (Zusammenfassung, Themen). <hint>“"""
    if current is None:
        return _("Inzwischen wurde dieser Datensatz gelöscht.")
    changes = check.changes_since(loaded)
    people = list(dict.fromkeys(person_label(user) for user, _fields in changes if user is not None))
    fields = list(dict.fromkeys(field for _user, changed in changes for field in changed))
    if not people:
        text = _("Inzwischen wurde dieser Datensatz geändert")
    elif len(people) == 1:
        text = _("Inzwischen hat %(people)s diesen Datensatz geändert") % {"people": people[0]}
    else:
        names = _("%(first)s und %(last)s") % {"first": ", ".join(people[:-1]), "last": people[-1]}
        text = _("Inzwischen haben %(people)s diesen Datensatz geändert") % {"people": names}
    if fields:
        text += f" ({', '.join(fields)})"
    return f"{text}. {hint}"


# --- Create --------------------------------------------------------------------------------------------


def create_once(request, form, *, create, success):
    """Validate `form` and `create()` its record once per token: the record (new or created first), or None.

    None means the form is invalid (render it again). Adds `success` as message, or for a repeated token
    „Dieser Eintrag wurde bereits gespeichert.“
    """
    token = _token(form.data.get(form.add_prefix(TOKEN_FIELD)))
    earlier = _created_with(token, request.user) if token else None
    if earlier is not None:
        return _repeated(request, earlier)
    if not form.is_valid():
        return None
    try:
        with transaction.atomic():
            record = create()
            if token:
                content_type = ContentType.objects.get_for_model(record)
                Submission.objects.create(
                    token=token, user=request.user, content_type=content_type, object_id=record.pk
                )
    except IntegrityError:
        # A parallel request with the same token committed first; this one's writes are rolled back.
        earlier = _created_with(token, request.user) if token else None
        if earlier is None:
            raise
        return _repeated(request, earlier)
    if token:
        submissions_purge()
    messages.success(request, success)
    return record


def _token(value):
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _created_with(token, user):
    submission = Submission.objects.filter(token=token).select_related("content_type").first()
    if submission is None:
        return None
    if submission.user_id != user.pk:
        raise SuspiciousOperation("Submission token of another person")
    record = submission.record
    if record is None:  # deleted since: the form creates anew
        submission.delete()
    return record


def _repeated(request, record):
    messages.info(request, _("Dieser Eintrag wurde bereits gespeichert."))
    return record


def submissions_purge(*, kept=SUBMISSIONS_KEPT) -> int:
    """Forget tokens older than `kept`: by then nobody sends that form again."""
    return Submission.objects.filter(created_at__lt=timezone.now() - kept).delete()[0]
