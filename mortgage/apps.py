from django.apps import AppConfig


class MortgageConfig(AppConfig):
    name = "mortgage"
    verbose_name = "产权证与按揭"
