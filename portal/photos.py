"""An owner's photo as it is stored: checked by the shared upload validator, then re-encoded
with Pillow so that nothing of its metadata (EXIF: GPS position, camera, time) is kept; the
picture is turned upright first, since its orientation lived in the EXIF data."""
from __future__ import annotations

import io
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from crm.uploads import validate_upload

FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "GIF": ("image/gif", ".gif"),
           "WEBP": ("image/webp", ".webp")}


UNREADABLE = _("照片无法识别，请重新拍摄或选择 JPG、PNG 图片。")


def clean_photo(upload) -> SimpleUploadedFile:
    """The photo without metadata, or a ValidationError in Chinese."""
    try:
        validate_upload(upload, "image", label=_("照片"))
    except ValidationError as exc:
        if exc.code == "content":  # "文件内容与扩展名不符" means nothing to an owner
            raise ValidationError(UNREADABLE, code="image") from exc
        raise
    try:
        with Image.open(upload) as image:
            image.load()
            kind = image.format
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(UNREADABLE, code="image") from exc
    if kind not in FORMATS:
        raise ValidationError(UNREADABLE, code="image")
    content_type, ext = FORMATS[kind]
    if kind == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    out = io.BytesIO()
    # Pillow writes no EXIF, XMP or text chunks unless it is given them.
    upright.save(out, format=kind, **({"quality": 88} if kind in ("JPEG", "WEBP") else {}))
    name = f"{PurePath(upload.name or 'photo').stem[:80] or 'photo'}{ext}"
    return SimpleUploadedFile(name, out.getvalue(), content_type=content_type)
