"""The national default warranty periods (商品房住宅质量保证书 / 建设工程质量管理条例); admins edit them."""

DEFAULT_WARRANTY_CATEGORIES = [
    # code, name, months, note
    ("structure", "地基基础和主体结构", 600, "设计文件规定的合理使用年限（按 50 年）"),
    ("waterproofing", "屋面、卫生间、外墙防水", 60, "有防水要求的卫生间、房间和外墙面的防渗漏"),
    ("heating_cooling", "供热与供冷系统", 24, "两个采暖期、供冷期"),
    ("electrical", "电气管线", 24, ""),
    ("plumbing", "给排水管道", 24, ""),
    ("equipment", "设备安装", 24, ""),
    ("decoration", "装修工程", 24, ""),
]


def ensure_default_categories(model, using: str = "default") -> int:
    """Create the missing default categories (how many); an admin's edits to existing ones are kept.

    ``model`` is the WarrantyCategory class, or its historical version inside a migration."""
    created = 0
    for code, name, months, note in DEFAULT_WARRANTY_CATEGORIES:
        created += model.objects.using(using).get_or_create(
            code=code, defaults={"name": name, "period_months": months, "note": note})[1]
    return created
