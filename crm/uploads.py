"""One validator for every uploaded file: size, extension per kind, the file's first bytes,
and for .xlsx the zip checks that stop a zip bomb before openpyxl unpacks anything.

    from crm.uploads import validate_upload
    validate_upload(upload, "image")      # photos
    validate_upload(upload, "document")   # scans and evidence: images or PDF
    validate_upload(upload, "xlsx")       # Excel imports

A refused file raises ValidationError with a Chinese message and leaves the file's
position at its start, so the caller can read it as if nothing had happened.
"""
from __future__ import annotations

import zipfile
import zlib
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

_JPEG, _PNG = (b"\xff\xd8\xff",), (b"\x89PNG\r\n\x1a\n",)
_IMAGES = {".jpg": _JPEG, ".jpeg": _JPEG, ".png": _PNG, ".gif": (b"GIF87a", b"GIF89a"), ".webp": (b"RIFF",)}

# kind -> ({extension: accepted first bytes}, what to tell the user)
KINDS: dict[str, tuple[dict[str, tuple[bytes, ...]], str]] = {
    "image": (_IMAGES, _("JPG、PNG、GIF、WEBP 图片")),
    "document": ({**_IMAGES, ".pdf": (b"%PDF-",)}, _("JPG、PNG、GIF、WEBP 图片或 PDF 文件")),
    "xlsx": ({".xlsx": (b"PK\x03\x04",)}, _("Excel 文件（.xlsx）")),
}

# A real workbook has a few dozen parts; thousands of members is an attack on the parser.
XLSX_MAX_MEMBERS = 1000
# Sheet XML compresses well, but not a thousandfold: above this ratio a large member is a bomb.
XLSX_MAX_RATIO = 200
_RATIO_FLOOR = 1024 * 1024  # small members may compress as they like
_CHUNK = 64 * 1024


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def validate_upload(upload, kind: str, *, label: str = _("文件")):
    """Check an uploaded file of ``kind`` ("image", "document" or "xlsx"); return it unchanged."""
    if not upload:
        return upload
    allowed, described = KINDS[kind]
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(gettext("{label}过大：不能超过 {size} MB。").format(label=label, size=_mb(limit)),
                              code="too_large")
    ext = PurePath(upload.name or "").suffix.lower()
    if ext not in allowed:
        raise ValidationError(gettext("只能上传{kinds}。").format(kinds=described), code="extension")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    # RIFF is a container (WAV, AVI too): a WebP image says WEBP at bytes 8-12.
    if not any(head.startswith(magic) for magic in allowed[ext]) or (ext == ".webp" and head[8:12] != b"WEBP"):
        raise ValidationError(_("文件内容与扩展名不符。"), code="content")
    if kind == "xlsx":
        check_xlsx_archive(upload)
    return upload


def check_xlsx_archive(upload) -> None:
    """A workbook is a zip: refuse too many members, a forged or excessive unpacked size and
    an implausible compression ratio. Sizes are measured by unpacking with a running count
    (the sizes written in the zip's directory can lie), stopping at the limit."""
    budget = settings.XLSX_MAX_EXPANDED_BYTES
    bomb = ValidationError(_("文件解压后过大，已拒绝（疑似压缩炸弹）。"), code="zip_bomb")
    invalid = ValidationError(_("文件不是有效的 .xlsx 工作簿。"), code="invalid")
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise invalid
            if len(infos) > XLSX_MAX_MEMBERS:
                raise ValidationError(_("工作簿包含的部件过多，已拒绝。"), code="members")
            if sum(info.file_size for info in infos) > budget:
                raise bomb
            for info in infos:
                if info.file_size > _RATIO_FLOOR and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1):
                    raise bomb
            for info in infos:
                with archive.open(info) as member:
                    while chunk := member.read(_CHUNK):
                        budget -= len(chunk)
                        if budget < 0:
                            raise bomb
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, EOFError, RuntimeError) as exc:
        raise invalid from exc
    finally:
        upload.seek(0)
