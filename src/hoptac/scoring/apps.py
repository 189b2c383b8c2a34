from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "hoptac.scoring"
    label = "scoring"
    verbose_name = _("Classification of cooperatives")

    def ready(self) -> None:
        # The official classes feed the indicators of the source "scores" (docs/indicators.md).
        from hoptac.indicators.engine import register_source

        from .indicators import scores_source

        register_source("scores", scores_source)
