"""Bad files: oversized uploads, files whose content is not what their name says, and an
.xlsx zip bomb (a tiny workbook whose sheet XML unpacks past the limit) — refused by the
shared validator (crm/uploads.py) and by every import page, with nothing saved."""
from __future__ import annotations

import io
import os
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from crm.uploads import XLSX_MAX_MEMBERS, validate_upload

FUZZ = hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(sheet_xml: bytes = b"<worksheet/>", extra_members: int = 0) -> bytes:
    """A minimal .xlsx-shaped zip: content types, a workbook and one (possibly huge) sheet."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for n in range(extra_members):
            archive.writestr(f"xl/media/x{n}.xml", "")
    return buffer.getvalue()


def zip_bomb(expanded: int) -> bytes:
    """Sheet XML of ``expanded`` bytes that compresses about a thousandfold."""
    row = b"<row><c><v>0</v></c></row>"
    return workbook(b"<worksheet><sheetData>" + row * (expanded // len(row)) + b"</sheetData></worksheet>")


def upload(content: bytes, name: str, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- The validator ---------------------------------------------------------------------------------


def test_a_real_small_workbook_passes_and_is_left_at_its_start(settings):
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    file = upload(buffer.getvalue(), "名单.xlsx", XLSX)
    assert validate_upload(file, "xlsx") is file
    assert file.tell() == 0


def test_a_zip_bomb_is_refused_by_its_unpacked_size(settings):
    settings.XLSX_MAX_EXPANDED_BYTES = 1024 * 1024
    bomb = zip_bomb(3 * 1024 * 1024)
    assert len(bomb) < 64 * 1024  # tiny on the wire
    with pytest.raises(ValidationError, match="解压后过大"):
        validate_upload(upload(bomb, "bomb.xlsx"), "xlsx")


def test_a_zip_bomb_is_refused_by_its_ratio_even_under_the_unpacked_limit(settings):
    settings.XLSX_MAX_EXPANDED_BYTES = 200 * 1024 * 1024
    with pytest.raises(ValidationError, match="压缩炸弹"):
        validate_upload(upload(zip_bomb(8 * 1024 * 1024), "bomb.xlsx"), "xlsx")


def test_a_workbook_of_too_many_parts_is_refused():
    with pytest.raises(ValidationError, match="部件过多"):
        validate_upload(upload(workbook(extra_members=XLSX_MAX_MEMBERS), "many.xlsx"), "xlsx")


def test_an_oversized_file_is_refused_before_it_is_read(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="过大"):
        validate_upload(upload(b"%PDF-" + b"0" * 2000, "scan.pdf"), "document")


@FUZZ
@given(body=st.binary(min_size=0, max_size=200), kind_ext=st.sampled_from(
    [("image", ".jpg"), ("image", ".png"), ("document", ".pdf"), ("xlsx", ".xlsx"), ("image", ".gif")]))
def test_bytes_that_do_not_match_their_extension_are_refused_in_chinese(body, kind_ext):
    kind, ext = kind_ext
    magic = {".jpg": b"\xff\xd8\xff", ".png": b"\x89PNG", ".pdf": b"%PDF", ".xlsx": b"PK", ".gif": b"GIF8"}[ext]
    if body.startswith(magic):
        body = b"X" + body
    with pytest.raises(ValidationError) as refused:
        validate_upload(upload(body, "文件" + ext), kind)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.messages[0])


@FUZZ
@given(name=st.text(st.characters(blacklist_characters="/\\\x00", blacklist_categories=("Cs",)), min_size=1,
               max_size=30).filter(lambda n: n.strip(". ") and not n.lower().rstrip().endswith(
                   (".jpg", ".jpeg", ".png", ".gif", ".webp", ".pdf"))))
def test_files_with_other_or_no_extensions_are_refused(name):
    with pytest.raises(ValidationError, match="只能上传"):
        validate_upload(upload(b"%PDF-1.4", name), "document")


# --- Every import page ------------------------------------------------------------------------------


def _owners_import(client, content, name="客户.xlsx"):
    return client.post(reverse("owners:import"), {"kind": "customers", "file": upload(content, name, XLSX)})


def _overdue_import(client, content, name="逾期名单.xlsx"):
    return client.post(reverse("mortgage:overdue_upload"),
                       {"report_date": "2026-11-20", "file": upload(content, name, XLSX)})


# page -> (role, post, whether it checks the compression ratio)
IMPORTS = {"owners": ("cs_staff", _owners_import, True), "mortgage": ("finance", _overdue_import, True)}


def _rows():
    from mortgage.models import OverdueRecord, OverdueUpload
    from owners.models import Customer

    return Customer.objects.count(), OverdueUpload.objects.count(), OverdueRecord.objects.count()


@pytest.mark.parametrize("page", sorted(IMPORTS))
def test_every_import_refuses_an_oversized_file_and_a_zip_bomb_and_saves_nothing(page, as_role, settings):
    role, post, checks_ratio = IMPORTS[page]
    client = as_role(role)
    before = _rows()
    settings.XLSX_MAX_EXPANDED_BYTES = 1024 * 1024
    bomb = post(client, zip_bomb(3 * 1024 * 1024))
    assert bomb.status_code == 200 and "解压后过大" in bomb.content.decode()
    if checks_ratio:
        settings.XLSX_MAX_EXPANDED_BYTES = 200 * 1024 * 1024
        ratio = post(client, zip_bomb(8 * 1024 * 1024))
        assert ratio.status_code == 200 and "压缩炸弹" in ratio.content.decode()
    settings.UPLOAD_MAX_BYTES = 2000
    big = post(client, workbook(os.urandom(5000)))  # random bytes do not compress
    assert big.status_code == 200 and "过大" in big.content.decode()
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    fake = post(client, b"%PDF-1.4 not a workbook")
    assert fake.status_code == 200 and any(w in fake.content.decode() for w in ("不符", "有效的 .xlsx"))
    assert _rows() == before


@FUZZ
@given(body=st.binary(min_size=1, max_size=300))
def test_garbage_posted_as_an_overdue_list_is_refused_and_saves_nothing(as_role, body):
    client = as_role("finance")
    before = _rows()
    response = _overdue_import(client, body)
    assert response.status_code == 200
    assert _rows() == before


def test_a_photo_that_is_not_an_image_is_refused_on_a_repair_request(as_role):
    from owners.models import Unit
    from property_liaison.models import RepairRequest, WarrantyCategory

    client = as_role("cs_staff")
    before = RepairRequest.objects.count()
    response = client.post(reverse("property_liaison:repair_create"), {
        "unit": Unit.objects.first().pk, "category": WarrantyCategory.objects.first().pk, "source": "owner",
        "location": "厨房", "description": "漏水", "reported_on": "2026-11-20",
        "photo": upload(b"MZ\x90\x00 an executable", "photo.jpg", "image/jpeg")})
    assert response.status_code == 200
    assert "文件内容与扩展名不符" in response.content.decode()
    assert RepairRequest.objects.count() == before


def test_a_riff_file_that_is_not_webp_is_refused_as_an_image():
    wav = SimpleUploadedFile("photo.webp", b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32)
    with pytest.raises(ValidationError, match="与扩展名不符"):
        validate_upload(wav, "image")
    webp = SimpleUploadedFile("photo.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32)
    assert validate_upload(webp, "image") is webp
