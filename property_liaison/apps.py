from django.apps import AppConfig


class PropertyLiaisonConfig(AppConfig):
    name = "property_liaison"
    verbose_name = "物业协调"
