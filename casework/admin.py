from django.contrib import admin
from guardian.admin import GuardedModelAdmin
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


@admin.register(Unit)
class UnitAdmin(GuardedModelAdmin):
    list_display = ["short_name", "name", "code", "colour"]


@admin.register(Topic)
class TopicAdmin(RetireInsteadOfDelete, SimpleHistoryAdmin):
    list_display = ["name", "unit", "position", "retired_at"]
    list_filter = ["unit", "retired_at"]
    list_editable = ["position", "retired_at"]
    search_fields = ["name"]


@admin.register(Consultation)
class ConsultationAdmin(SimpleHistoryAdmin):
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
class CaseAdmin(SimpleHistoryAdmin):
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
class FollowUpAdmin(SimpleHistoryAdmin):
    list_display = ["what", "due_on", "assigned_to", "unit", "done_at"]
    list_filter = ["unit", "done_at"]
    list_select_related = ["assigned_to", "unit"]
    raw_id_fields = ["consultation", "case"]


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "date", "unit", "is_joint", "participants"]
    list_filter = ["unit", "kind", "is_joint"]
    search_fields = ["title"]
    autocomplete_fields = ["organisations"]
    filter_horizontal = ["topics"]
