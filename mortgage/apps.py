from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MortgageConfig(AppConfig):
    name = "mortgage"
    verbose_name = _("产权证与按揭")
