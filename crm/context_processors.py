from django.utils import translation

from crm.navigation import nav_for
from crm.notifications import badge_text, unread_count
from crm.scopes import user_role


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    role = user_role(user)
    from crm.roles import Role

    # Loaded with the user by crm.backends.CrmBackend; counted here only without it. Both stop at
    # crm.notifications.BADGE_CAP + 1.
    unread = user.crm_unread if hasattr(user, "crm_unread") else unread_count(user)
    return {
        "nav_items": nav_for(user, request.path),
        "unread_notifications": unread,
        "unread_badge": badge_text(unread),
        "user_role": role,
        "user_role_label": Role(role).label if role in Role.values else "",
        # English labels are longer: the bar folds into its menu button below 1400px (static/crm/app.css).
        "nav_expand": "xxl" if translation.get_language() == "en" else "lg",
    }
