from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group, User
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult
from guardian.admin import (
    AdminGroupObjectPermissionsForm,
    AdminUserObjectPermissionsForm,
    GroupManage,
    GuardedModelAdmin,
)
from guardian.shortcuts import get_perms_for_model
from simple_history.admin import SimpleHistoryAdmin

from casework.models import (
    Assessment,
    AssessmentRating,
    Case,
    CaseGoal,
    CaseOutcome,
    CaseOutcomeReached,
    Consultation,
    Event,
    FollowUp,
    QualityArea,
    QualityCriterion,
    Topic,
    Unit,
)


def in_use(entry) -> bool:
    """Whether any record (not a history copy) refers to this catalogue entry."""
    # Hidden relations too (related_name="+", e.g. a consultation's Kreis).
    relations = [f for f in entry._meta.get_fields(include_hidden=True) if f.auto_created and not f.concrete]
    for relation in relations:
        model = relation.related_model
        if model._meta.model_name.startswith("historical") or model._meta.auto_created:
            continue
        if model._base_manager.filter(**{relation.field.name: entry}).exists():
            return True
    return False


class RetireInsteadOfDelete:
    """Catalogue entries in use are retired, never deleted: deleting a topic would silently take it off
    every consultation (and out of past funder figures). Unused entries may still be deleted one by one."""

    def has_delete_permission(self, request, obj=None):
        if obj is not None and in_use(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


# Who created or completed a record: these fields carry no verbose_name in the models (adding one
# would need a migration), so the admin labels them; English msgids, German text in locale/de.
PERSON_FIELD_LABELS = {"created_by": _("created by"), "done_by": _("done by")}


class PersonFieldLabels:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.name in PERSON_FIELD_LABELS:
            field.label = PERSON_FIELD_LABELS[db_field.name]
        return field


@admin.register(Unit)
class UnitAdmin(GuardedModelAdmin):
    """Object permissions per unit (guardian), with the permission names shown in German."""

    list_display = ["short_name", "name", "code", "colour"]

    def get_obj_perms_base_context(self, request, obj):
        context = super().get_obj_perms_base_context(request, obj)
        permissions = list(context["model_perms"])
        for permission in permissions:
            permission.name = permission_name(permission, self.model)  # for display only, never saved
        context["model_perms"] = permissions
        return context

    def get_obj_perms_manage_user_form(self, request):
        return UserObjectPermissionsForm

    def get_obj_perms_manage_group_form(self, request):
        return GroupObjectPermissionsForm

    def get_obj_perms_group_select_form(self, request):
        return GroupSelectForm


@admin.register(Topic)
class TopicAdmin(RetireInsteadOfDelete, SimpleHistoryAdmin):
    list_display = ["name", "unit", "position", "retired_at"]
    list_filter = ["unit", "retired_at"]
    list_editable = ["position", "retired_at"]
    search_fields = ["name"]


@admin.register(Consultation)
class ConsultationAdmin(PersonFieldLabels, SimpleHistoryAdmin):
    list_display = ["date", "organisation", "unit", "shared_with", "format", "duration_minutes"]
    list_filter = ["unit", "format", "date"]
    list_select_related = ["organisation", "unit", "shared_with"]
    search_fields = ["organisation__name", "summary", "agreements"]
    date_hierarchy = "date"
    autocomplete_fields = ["organisation", "advisors"]
    raw_id_fields = ["region"]
    filter_horizontal = ["topics"]


@admin.register(CaseGoal, CaseOutcome)
class CaseCatalogueAdmin(RetireInsteadOfDelete, SimpleHistoryAdmin):
    list_display = ["name", "unit", "position", "retired_at"]
    list_filter = ["unit", "retired_at"]
    list_editable = ["position", "retired_at"]


class CaseOutcomeReachedInline(admin.TabularInline):
    model = CaseOutcomeReached
    extra = 0


@admin.register(Case)
class CaseAdmin(PersonFieldLabels, SimpleHistoryAdmin):
    list_display = ["title", "organisation", "unit", "status", "opened_on", "closed_on"]
    list_filter = ["unit", "status", "goal"]
    list_select_related = ["organisation", "unit"]
    search_fields = ["title", "organisation__name"]
    autocomplete_fields = ["organisation"]
    inlines = [CaseOutcomeReachedInline]


class QualityCriterionInline(admin.TabularInline):
    model = QualityCriterion
    extra = 0

    def has_delete_permission(self, request, obj=None):
        # `obj` is the area: criteria of an area in use are retired, not deleted.
        return not (obj is not None and in_use(obj)) and super().has_delete_permission(request, obj)


@admin.register(QualityArea)
class QualityAreaAdmin(RetireInsteadOfDelete, SimpleHistoryAdmin):
    list_display = ["name", "unit", "position", "retired_at"]
    inlines = [QualityCriterionInline]


class AssessmentRatingInline(admin.TabularInline):
    model = AssessmentRating
    extra = 0


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "date", "unit"]
    list_select_related = ["organisation", "unit"]
    autocomplete_fields = ["organisation"]
    inlines = [AssessmentRatingInline]


@admin.register(FollowUp)
class FollowUpAdmin(PersonFieldLabels, SimpleHistoryAdmin):
    list_display = ["what", "due_on", "assigned_to", "unit", "done_at"]
    list_filter = ["unit", "done_at"]
    list_select_related = ["assigned_to", "unit"]
    raw_id_fields = ["consultation", "case"]


@admin.register(Event)
class EventAdmin(PersonFieldLabels, SimpleHistoryAdmin):
    list_display = ["title", "kind", "date", "unit", "is_joint", "participants"]
    list_filter = ["unit", "kind", "is_joint"]
    search_fields = ["title"]
    autocomplete_fields = ["organisations"]
    filter_horizontal = ["topics"]


# --- German admin for people, groups and background tasks ---------------------------------------
#
# Django stores permission names in English ("Can add log entry") and third-party apps name some
# models and apps in plain English strings. The English phrases below are msgids: the German text
# comes from locale/de, so the English admin keeps showing English.

PERMISSION_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def model_label(model) -> str:
    """A model's name in the active language, also for simple-history's and guardian's models."""
    history_of = getattr(model, "instance_type", None)  # set on simple-history's history models
    if history_of is None:
        # Names derived from the class name ("group object permission") are plain English strings.
        return gettext(str(model._meta.verbose_name))
    owner = history_of._meta.auto_created  # a many-to-many table's history names its owner model
    if owner:
        field = next(f for f in owner._meta.many_to_many if f.remote_field.through is history_of)
        return gettext("History: %(model)s – %(field)s") % {
            "model": owner._meta.verbose_name,
            "field": field.verbose_name,
        }
    return gettext("History: %(model)s") % {"model": history_of._meta.verbose_name}


def permission_name(permission, model) -> str:
    """'Kann „Beratung“ ändern' instead of the stored English 'Can change Beratung'."""
    action, _separator, model_name = permission.codename.partition("_")
    if action in PERMISSION_ACTIONS and model_name == model._meta.model_name:
        return PERMISSION_ACTIONS[action] % {"model": model_label(model)}
    return permission.name  # this project's own permissions are named in German already


def permission_label(permission) -> str:
    """'Beratungsarbeit | Beratung | Kann „Beratung“ ändern': the entry in the permission pickers."""
    model = permission.content_type.model_class()
    if model is None:  # a content type whose model is gone
        return str(permission)
    app_name = gettext(str(model._meta.app_config.verbose_name))
    return f"{app_name} | {model_label(model)} | {permission_name(permission, model)}"


class GermanPermissionLabels:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request=request, **kwargs)
        if db_field.name in ("permissions", "user_permissions"):
            field.label_from_instance = permission_label
        return field


class GermanObjectPermissionChoices:
    """guardian's object-permission forms list the stored English names; show German ones."""

    def get_obj_perms_field_choices(self):
        model = type(self.obj)
        return [(p.codename, permission_name(p, model)) for p in get_perms_for_model(self.obj)]


class UserObjectPermissionsForm(GermanObjectPermissionChoices, AdminUserObjectPermissionsForm):
    pass


class GroupObjectPermissionsForm(GermanObjectPermissionChoices, AdminGroupObjectPermissionsForm):
    pass


class GroupSelectForm(GroupManage):
    # guardian leaves this field without a label, so it shows the English field name.
    group = forms.CharField(
        label=_("Group"), max_length=80, error_messages={"does_not_exist": _("This group does not exist")}
    )


class PasswordChangeFormWithTranslatedWarning(AdminPasswordChangeForm):
    # Django appends this warning as an untranslatable string; the markup is what its admin script uses.
    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _("If disabled, the current password for this user will be lost."),
    )


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class PersonAdmin(GermanPermissionLabels, UserAdmin):
    change_password_form = PasswordChangeFormWithTranslatedWarning


@admin.register(Group)
class GroupWithGermanPermissionsAdmin(GermanPermissionLabels, GroupAdmin):
    pass


# django-tasks-db names its app in a plain string; the app's name is not part of any migration.
apps.get_app_config("django_tasks_database").verbose_name = _("Tasks Database Backend")

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    """django-tasks-db's admin with column titles that can be translated."""

    @admin.display(description=_("task name"))
    def task_name(self, obj):
        return obj.task_name

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, obj):
        return super().formatted_traceback(obj)

    @admin.display(description=_("run after"))
    def display_run_after(self, obj):
        return super().display_run_after(obj)


from casework.audit import admin as audit_admin  # noqa: E402, F401 – registers the read-only access log
