from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casework.admin import PersonFieldLabels, RetireInsteadOfDelete
from organisations.models import ContactPerson, Organisation, Region


@admin.register(Region)
class RegionAdmin(RetireInsteadOfDelete, SimpleHistoryAdmin):
    """A region in use ends with "gültig bis" instead of being deleted."""

    list_display = ["name", "key", "kind", "administrative_district", "valid_from", "valid_until"]
    list_filter = ["administrative_district", "kind"]
    search_fields = ["name", "key"]


class ContactPersonInline(admin.TabularInline):
    model = ContactPerson
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(PersonFieldLabels, SimpleHistoryAdmin):
    list_display = ["name", "kind", "legal_form", "region"]
    list_filter = ["kind", "legal_form", "units", "region"]
    list_select_related = ["region"]
    search_fields = ["name", "municipality"]
    inlines = [ContactPersonInline]
