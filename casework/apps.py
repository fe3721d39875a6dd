from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Beratungsarbeit")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from casework.audit.receivers import connect as connect_audit_receivers
        from casework.dashboard.stamp import ensure_triggers as ensure_figures_triggers
        from casework.privacy.erasure import connect_signals as connect_erasure_signals
        from casework.roles import ensure_roles
        from casework.search.documents import connect as connect_search_documents
        from casework.search.index import ensure_sqlite_index
        from casework.search.lexicon import ensure_postgresql_vocabulary
        from casework.search.ordering import register_sqlite_collation
        from casework.ui.choices import ensure_triggers as ensure_catalogue_triggers

        post_migrate.connect(ensure_roles, sender=self)
        post_migrate.connect(ensure_sqlite_index, sender=self)
        post_migrate.connect(ensure_postgresql_vocabulary, sender=self)
        post_migrate.connect(ensure_figures_triggers, sender=self)  # the dashboard's cache version
        post_migrate.connect(ensure_catalogue_triggers, sender=self)  # the list filters' cache version
        connection_created.connect(register_sqlite_collation, dispatch_uid="german_collation")
        connect_audit_receivers()  # access log: sign-in/out, account and role changes
        connect_search_documents()  # a consultation's search document follows the names around it
        connect_erasure_signals()  # deleted records keep no names or free texts in history (Art. 17)
