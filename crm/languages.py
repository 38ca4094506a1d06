"""The user's language: chosen with the switch, remembered on the staff profile, applied at
login (not only through the browser's cookie), and used wherever the product speaks to one user
outside their request: the notifications they receive, the exports they asked for."""
from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

# Where the signed-in user's language waits for the locale middleware (crm.middleware): put there
# at login from the profile and by the switch, so that it beats a cookie left by someone else.
SESSION_KEY = "crm_language"


def valid(language: str | None) -> bool:
    return language in dict(settings.LANGUAGES)


def user_language(user) -> str:
    """The language the user chose (their profile), else the office's."""
    profile = getattr(user, "profile", None) if user is not None and hasattr(user, "profile") else None
    chosen = profile.language if profile is not None else ""
    return chosen if valid(chosen) else settings.LANGUAGE_CODE


def users_languages(user_ids: Iterable[int]) -> dict[int, str]:
    """{user id: language} of many users in one query (users who never chose are left out)."""
    from crm.models import StaffProfile

    return {uid: lang for uid, lang in StaffProfile.objects.filter(user_id__in=set(user_ids))
            .exclude(language="").values_list("user_id", "language") if valid(lang)}


def language_remember(*, user, language: str) -> bool:
    """Keep the user's choice on their staff profile. Returns whether it changed. An update, not
    a save: a preference is not a change of the record worth a history row. A user without a
    profile (a bare superuser) keeps the choice in the cookie and the session only."""
    from crm.models import StaffProfile

    if not valid(language) or not getattr(user, "is_authenticated", False):
        return False
    return bool(StaffProfile.objects.filter(user_id=user.pk).exclude(language=language)
                .update(language=language))


def apply_at_login(request, user) -> None:
    """On login: the language the user chose before (on any computer) for this session."""
    from crm.models import StaffProfile

    chosen = StaffProfile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    if valid(chosen) and hasattr(request, "session"):
        request.session[SESSION_KEY] = chosen


def recorded(message, **values) -> str:
    """A text kept as a record (a timeline line, a history row's reason, a case's major reason):
    written in the office's language whoever's request or job writes it, so that the record
    reads the same to everyone who opens it. ``message`` is marked for translation
    (``gettext_lazy``) so the catalogue holds it; ``values`` fill its ``{placeholders}``."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        text = str(message)
        return text.format(**{k: str(v) for k, v in values.items()}) if values else text
