"""Reporting a case from the portal and following it, through the pages, reading rows back."""
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from PIL import Image

from complaints import services as complaint_services
from complaints.models import Attachment, Channel, Complaint, SlaClock, TimelineEntry
from crm.models import Notification
from portal.forms import new_token

from .conftest import post_form, refusals

pytestmark = pytest.mark.django_db


def jpeg_with_gps(name="leak.jpg") -> SimpleUploadedFile:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (30.0, 15.0, 0.0), 3: "E", 4: (120.0, 10.0, 0.0)}  # GPS IFD
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif()  # the upload does carry EXIF
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def report(client, unit, **extra):
    """The owner fills in the report page and sends it (with that page's one-time token)."""
    data = {"kind": "complaint", "category": "repairs", "unit": unit.pk, "description": "卫生间漏水，楼下已渗水",
            **extra}
    return post_form(client, "/m/report/", "", data) if "token" not in extra else client.post("/m/report/", data)


def test_an_owner_reports_a_case_with_a_photo_registered_with_the_portal_channel_and_clocks(client, place,
                                                                                          owner_login):
    owner_login(0)
    response = report(client, place["units"][0], photos=[jpeg_with_gps(), jpeg_with_gps("b.jpg")])
    case = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/m/cases/{case.pk}/"
    assert case.channel == Channel.OWNER_PORTAL and case.customer == place["owners"][0]
    assert case.unit == place["units"][0] and case.number.startswith("TS-") and case.needs_transfer
    assert SlaClock.objects.filter(complaint=case, rule__code="transfer", state="running").exists()
    photos = list(Attachment.objects.filter(complaint=case))
    assert len(photos) == 2
    for photo in photos:
        with photo.file.open("rb") as f:
            stored = Image.open(io.BytesIO(f.read()))
            assert not stored.getexif() and stored.size == (40, 30)
    inbox = Notification.objects.get(recipient__owner_account__phone=place["owners"][0].phone, secret=False)
    assert case.number in inbox.title and inbox.url == f"/m/cases/{case.pk}/"
    page = client.get(f"/m/cases/{case.pk}/").content.decode()
    assert "已受理" in page and case.number in page and f"/m/photos/{photos[0].pk}/" in page
    assert client.get(f"/m/photos/{photos[0].pk}/").status_code == 200


def test_the_register_shows_the_portal_queue(client, place, owner_login, make_user):
    owner_login(0)
    report(client, place["units"][0])
    complaint_services.complaint_register(
        received_by=make_user("front_desk"), kind="complaint", channel="phone", category="repairs", title="电话来的",
        description="x", customer=place["owners"][1], unit=place["units"][1])
    client.force_login(make_user("front_desk"))
    page = client.get("/complaints/?queue=portal").content.decode()
    assert 'data-testid="portal-queue"' in page
    assert Complaint.objects.get(channel="owner_portal").number in page and "电话来的" not in page


def test_another_owners_unit_case_and_photo_are_404(client, place, owner_login):
    from django.test import Client

    other = owner_login(1, Client())
    report(other, place["units"][1], photos=[jpeg_with_gps()])
    theirs = Complaint.objects.get()
    photo = Attachment.objects.get()
    owner_login(0)
    assert report(client, place["units"][1]).status_code == 404  # a unit that is not mine
    assert Complaint.objects.count() == 1
    assert client.get(f"/m/cases/{theirs.pk}/").status_code == 404
    assert client.get(f"/m/photos/{photo.pk}/").status_code == 404
    assert theirs.title not in client.get("/m/cases/").content.decode()


def test_at_most_ten_cases_a_day(client, place, owner_login):
    owner_login(0)
    for _ in range(10):
        assert report(client, place["units"][0]).status_code == 302
    page = report(client, place["units"][0])
    assert page.status_code == 200 and "每天最多提交 10 件" in page.content.decode()
    assert Complaint.objects.count() == 10


def test_the_case_page_speaks_plainly_and_never_shows_internal_entries(client, place, owner_login, make_user):
    owner_login(0)
    report(client, place["units"][0])
    case = Complaint.objects.get()
    supervisor, staff = make_user("cs_supervisor"), make_user("cs_staff")
    complaint_services.complaint_classify(complaint=case, user=supervisor, valid=True, severity="important")
    complaint_services.complaint_investigate(complaint=case, user=staff, cause="防水层破损 INTERNAL-CAUSE",
                                             responsibility="施工单位 INTERNAL-RESP")
    # staff reply to the owner through the case page's 回复业主 form
    client_staff = type(client)()
    client_staff.force_login(staff)
    client_staff.post(f"/complaints/{case.pk}/owner-reply/", {"text": "师傅明天上午九点上门"})
    assert TimelineEntry.objects.filter(complaint=case, kind="owner_reply", text="师傅明天上午九点上门").exists()
    page = client.get(f"/m/cases/{case.pk}/").content.decode()
    assert "师傅明天上午九点上门" in page and "经核实，已确认受理" in page
    assert "INTERNAL" not in page and staff.username not in page
    case.refresh_from_db()
    assert case.next_deadline and timezone.localtime(case.next_deadline).strftime("%Y-%m-%d %H:%M") in page
    assert Notification.objects.filter(channel="owner", title__contains="客服回复").exists()


def test_my_cases_newest_first(client, place, owner_login):
    owner_login(0)
    report(client, place["units"][0], description="第一件")
    report(client, place["units"][0], description="第二件")
    Complaint.objects.filter(title="第一件").update(received_at=timezone.now() - dt.timedelta(hours=1))
    page = client.get("/m/cases/").content.decode()
    assert page.index("第二件") < page.index("第一件")


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.fixed_dictionaries({
    "kind": st.one_of(st.just("complaint"), st.text(max_size=20)),
    "category": st.one_of(st.just("repairs"), st.text(max_size=20)),
    "description": st.one_of(st.just(""), st.just("   "), st.text(min_size=1001, max_size=1100),
                             st.text(alphabet="\x00\x01\x02\x07", min_size=1, max_size=5)),
    "preferred_by": st.one_of(st.just(""), st.text(max_size=20), st.just("2000-01-01T10:00")),
}))
def test_bad_report_input_is_refused_in_chinese_and_nothing_is_written(client, place, owner_login, data):
    if not getattr(client, "_signed_in", False):
        owner_login(0)
        client._signed_in = True
    response = client.post("/m/report/", {**data, "unit": place["units"][0].pk, "token": new_token()})
    assert response.status_code == 200
    assert "页面已过期，请核对后重新提交。" not in refusals(response)  # refused for what was typed
    assert not Complaint.objects.exists() and not Attachment.objects.exists()


@pytest.mark.parametrize("name, content, message", [
    ("x.exe", b"MZ\x90\x00", "只能上传"),
    ("fake.jpg", b"not an image at all", "照片无法识别"),
    ("broken.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 40, "照片无法识别"),
])
def test_a_bad_photo_is_refused_and_nothing_is_written(client, place, owner_login, name, content, message):
    owner_login(0)
    response = report(client, place["units"][0], photos=[SimpleUploadedFile(name, content)])
    assert response.status_code == 200 and message in response.content.decode()
    assert not Complaint.objects.exists() and not Attachment.objects.exists()


def test_ten_photos_are_refused(client, place, owner_login):
    owner_login(0)
    response = report(client, place["units"][0], photos=[jpeg_with_gps(f"{i}.jpg") for i in range(10)])
    assert "最多上传 9 张照片" in response.content.decode() and not Complaint.objects.exists()


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["a.jpg", "a.png", "a.gif", "a.webp", "a.JPG", "a", "a.pdf", "a.svg"]),
       head=st.sampled_from([b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"RIFF\x00\x00\x00\x00WEBP"]),
       body=st.binary(max_size=200))
def test_random_bytes_as_a_photo_are_refused_in_chinese_and_nothing_is_written(client, place, owner_login, name,
                                                                             head, body):
    if not getattr(client, "_signed_in", False):
        owner_login(0)
        client._signed_in = True
    response = report(client, place["units"][0], photos=[SimpleUploadedFile(name, head + body)])
    assert response.status_code == 200
    refusals(response)
    assert not Complaint.objects.exists() and not Attachment.objects.exists()
