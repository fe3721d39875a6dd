from django.contrib import admin
from guardian.admin import GuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from casework.models import Consultation, Topic, Unit


@admin.register(Unit)
class UnitAdmin(GuardedModelAdmin):
    list_display = ["short_name", "name", "code", "colour"]


@admin.register(Topic)
class TopicAdmin(SimpleHistoryAdmin):
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
