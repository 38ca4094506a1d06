"""OpenAPI (drf-spectacular): the bearer token as the schema's security scheme."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.BearerAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "The token issued in the admin (System clients)."}


# The served schema's own settings (SpectacularAPIView.custom_settings), over SPECTACULAR_SETTINGS.
SCHEMA_SETTINGS = {
    # One name for an ownership's kind, sent and read back (spectacular hashed it: "Kind71dEnum").
    "ENUM_NAME_OVERRIDES": {"OwnershipKindEnum": "owners.models.Ownership.Kind"},
}
