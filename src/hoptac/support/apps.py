from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "hoptac.support"
    label = "support"
    verbose_name = _("Support to organisations")

    def ready(self) -> None:
        # The indicators of the source "support" (consolidation, the Farmers' Union's counts, the fund's
        # loans, support amounts) are computed here; the engine asks this app for them.
        from hoptac.indicators.engine import register_source

        from .indicators import support_values

        register_source("support", support_values)
