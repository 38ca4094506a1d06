"""The national default warranty periods (商品房住宅质量保证书 / 建设工程质量管理条例); admins edit them.

The rows are seeded in Chinese and are data from then on (an admin renames or adds a category).
A default's name is marked (``gettext_noop``) so the catalogue holds its English; the pages show
it in the reader's language while the row keeps the seeded name (``shown_name``). The notes are
seen in the admin only, as the admin typed or left them."""
from django.utils.translation import gettext
from django.utils.translation import gettext_noop

DEFAULT_WARRANTY_CATEGORIES = [
    # code, name, months, note
    ("structure", gettext_noop("地基基础和主体结构"), 600, "设计文件规定的合理使用年限（按 50 年）"),  # i18n: data
    ("waterproofing", gettext_noop("屋面、卫生间、外墙防水"), 60, "有防水要求的卫生间、房间和外墙面的防渗漏"),  # i18n: data
    ("heating_cooling", gettext_noop("供热与供冷系统"), 24, "两个采暖期、供冷期"),  # i18n: data
    ("electrical", gettext_noop("电气管线"), 24, ""),
    ("plumbing", gettext_noop("给排水管道"), 24, ""),
    ("equipment", gettext_noop("设备安装"), 24, ""),
    ("decoration", gettext_noop("装修工程"), 24, ""),
]
_DEFAULT_NAMES = {name for _code, name, _months, _note in DEFAULT_WARRANTY_CATEGORIES}


def shown_name(name: str) -> str:
    """A category's name as a page shows it: a default name still as seeded in the reader's
    language; any other name (an admin's) as typed."""
    return gettext(name) if name in _DEFAULT_NAMES else name


def ensure_default_categories(model, using: str = "default") -> int:
    """Create the missing default categories (how many); an admin's edits to existing ones are kept.

    ``model`` is the WarrantyCategory class, or its historical version inside a migration."""
    created = 0
    for code, name, months, note in DEFAULT_WARRANTY_CATEGORIES:
        created += model.objects.using(using).get_or_create(
            code=code, defaults={"name": name, "period_months": months, "note": note})[1]
    return created
