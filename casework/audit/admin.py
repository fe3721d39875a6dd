"""The access log in the Django admin: read-only, for superusers only (the tool's viewer is for administrators).

Registered from casework/admin.py (the admin autodiscovers only an app's own admin module).
"""

from django.contrib import admin

from casework.audit.models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "user_label", "address", "target_kind", "target_id", "detail")
    list_filter = ("kind",)
    search_fields = ("user_label", "target_kind", "target_id")
    date_hierarchy = "at"
    readonly_fields = [field.name for field in AccessEvent._meta.fields]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    # Entries are only ever appended by the application.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
