"""The property liaison speaks each user's language: refusals on the pages, notices in the
recipient's language (their profile), a default warranty category's name in the reader's
language; what it writes as a record (a history reason, a redo note) stays in the office's."""
import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from crm.models import Notification, StaffProfile
from property_liaison import services
from property_liaison.models import RepairRequest, WarrantyCategory
from property_liaison.tests.factories import project_with_company, unit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def english(client, *users):
    StaffProfile.objects.filter(user__in=users).update(language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _finding(staff, project, requirement="加强值守"):
    inspection = services.inspection_record(user=staff, project=project, kind="routine", date=TODAY(), summary="",
                                            scores={"security": (80, "")})
    return services.finding_add(user=staff, inspection=inspection, area="security", description="门岗脱岗",
                                requirement=requirement, deadline=TODAY() + dt.timedelta(days=3))


def test_a_rectification_notice_reaches_each_company_user_in_their_language(client, make_user):
    staff = make_user("cs_staff")
    project, company = project_with_company()
    abroad = make_user("property_company", property_company=company)
    local = make_user("property_company", property_company=company)
    english(client, abroad)
    rect = _finding(staff, project).rectifications.get()
    deadline = rect.deadline.isoformat()
    note = Notification.objects.get(recipient=abroad)
    assert note.title == "Rectification notice: 加强值守"
    assert note.body == (f"{project.name}, rectification deadline {deadline}; "
                         "please answer in the system once rectified.")
    chinese = Notification.objects.get(recipient=local)
    assert (chinese.title, chinese.body) == ("整改通知：加强值守", f"{project.name}，整改期限 {deadline}，请整改后在系统中答复。")


def test_a_send_back_by_an_english_developer_tells_an_english_company_in_english(client, make_user):
    staff, project_company = make_user("cs_staff"), project_with_company()
    project, company = project_company
    liaison = make_user("property_company", property_company=company)
    english(client, staff, liaison)
    rect = _finding(staff, project).rectifications.get()
    services.follow_up_answer(user=liaison, follow_up=rect, answer="好了")
    assert Notification.objects.filter(recipient=staff).latest("pk").title == \
        "Rectification answered, to verify: 加强值守"
    client.force_login(staff)
    client.post(reverse("property_liaison:rectification_act", args=[rect.pk, "reopen"]), {"note": "仍未整改"})
    rect.refresh_from_db()
    assert rect.status == "open" and rect.verification_note == "仍未整改"
    note = Notification.objects.filter(recipient=liaison).latest("pk")
    assert note.title == "Rectification sent back: 加强值守"
    assert note.body == f"{project.name}, sent back because: 仍未整改; rectification deadline {rect.deadline}."


def test_a_repair_before_delivery_is_refused_in_english_and_nothing_is_written(client, make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    delivered = TODAY() - dt.timedelta(days=30)
    home = unit(project, delivered=delivered)
    english(client, staff)
    client.force_login(staff)
    body = client.post(reverse("property_liaison:repair_create"), {
        "unit": home.pk, "category": WarrantyCategory.objects.get(code="plumbing").pk, "source": "owner",
        "location": "厨房", "description": "漏水", "reported_on": (delivered - dt.timedelta(days=1)).isoformat(),
    }).content.decode()
    assert f"Reported on cannot be before the unit&#x27;s delivery date ({delivered:%Y-%m-%d})." in body
    assert not RepairRequest.objects.exists()


def test_a_default_category_reads_in_english_an_admins_name_as_typed_and_a_redo_note_stays_chinese(
        client, make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    home = unit(project, delivered=TODAY() - dt.timedelta(days=30))
    renamed = WarrantyCategory.objects.get(code="equipment")
    renamed.name = "电梯与设备"
    renamed.save()
    repairs = [services.repair_register(user=staff, unit=home, category=WarrantyCategory.objects.get(code=code),
                                        location="厨房", description="漏水", reported_on=TODAY())
               for code in ("plumbing", "equipment")]
    english(client, staff)
    client.force_login(staff)
    page = client.get(reverse("property_liaison:repair_list")).content.decode()
    assert "Water supply and drainage pipes" in page and "给排水管道" not in page
    assert "电梯与设备" in page
    assert WarrantyCategory.objects.get(code="plumbing").name == "给排水管道"
    repair = repairs[0]
    services.repair_assign(user=staff, repair=repair, assignee="工程部", due_date=TODAY())
    services.repair_complete(user=staff, repair=repair, on=TODAY(), note="已换管")
    response = client.post(reverse("property_liaison:repair_act", args=[repair.pk, "reject"]),
                           {"on": TODAY().isoformat(), "note": "仍漏水"})
    assert response.status_code == 302
    assert RepairRequest.objects.get(pk=repair.pk).completion_note == "返修：仍漏水"
