from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Beratungsarbeit")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from casework.roles import ensure_roles
        from casework.search.index import ensure_sqlite_index
        from casework.search.ordering import register_sqlite_collation

        post_migrate.connect(ensure_roles, sender=self)
        post_migrate.connect(ensure_sqlite_index, sender=self)
        connection_created.connect(register_sqlite_collation, dispatch_uid="german_collation")
