from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Beratungsarbeit")

    def ready(self):
        from django.db.models.signals import post_migrate

        from casework.roles import ensure_roles

        post_migrate.connect(ensure_roles, sender=self)
