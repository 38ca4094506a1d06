"""The user's language is kept on their staff profile, applied at login, and used for what is
sent to them (notifications) and made for them (exports)."""
import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from crm.demo import DEMO_PASSWORD
from crm.exports import export_run
from crm.models import ExportJob, Notification, StaffProfile
from crm.notifications import notify

pytestmark = pytest.mark.django_db


def _log_in(client, user):
    """Through the login page, as a person does (the signal that applies the language runs)."""
    response = client.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:300]


def _switch(client, language, next_url="/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def test_switching_language_keeps_it_on_the_staff_profile(client, make_user):
    user = make_user("cs_staff")
    client.force_login(user)
    assert _switch(client, "en").status_code == 302
    assert StaffProfile.objects.get(user=user).language == "en"
    assert _switch(client, "zh-hans").status_code == 302
    assert StaffProfile.objects.get(user=user).language == "zh-hans"


def test_an_unknown_language_is_not_kept(client, make_user):
    user = make_user("cs_staff")
    client.force_login(user)
    _switch(client, "xx")
    assert StaffProfile.objects.get(user=user).language == ""


def test_the_language_chosen_follows_the_user_to_another_computer(client, make_user):
    user = make_user("cs_staff")
    client.force_login(user)
    _switch(client, "en")
    other = type(client)()  # another browser: no cookie, a new session
    _log_in(other, user)
    response = other.get(reverse("home"))
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
    # …and the cookie is set from it, so the login page after signing out speaks it too
    assert other.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_the_profile_language_beats_a_cookie_left_by_someone_else(client, make_user):
    user = make_user("cs_staff")
    StaffProfile.objects.filter(user=user).update(language="zh-hans")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _log_in(client, user)
    assert client.get(reverse("home"))["Content-Language"] == "zh-hans"


def test_a_user_who_never_chose_keeps_the_cookie(client, make_user):
    user = make_user("cs_staff")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _log_in(client, user)
    assert client.get(reverse("home"))["Content-Language"] == "en"


def test_a_notification_is_written_in_each_recipients_language(make_user):
    english, chinese, unset = make_user("cs_staff"), make_user("cs_staff"), make_user("cs_staff")
    StaffProfile.objects.filter(user=english).update(language="en")
    StaffProfile.objects.filter(user=chinese).update(language="zh-hans")
    notify(recipients=[english, chinese, unset], title=format_lazy(_("新转交的案件：{number}"), number="TS-1"),
           body=_("待审批"))
    titles = dict(Notification.objects.values_list("recipient__username", "title"))
    bodies = dict(Notification.objects.values_list("recipient__username", "body"))
    assert titles[english.username] == "Case transferred to you: TS-1"
    assert bodies[english.username] == "Pending approval"
    assert titles[chinese.username] == titles[unset.username] == "新转交的案件：TS-1"
    assert bodies[chinese.username] == "待审批"


def test_an_approval_request_reaches_an_english_approver_in_english(make_user):
    from clubs import services
    from owners.models import Project

    staff, manager = make_user("cs_staff"), make_user("manager")
    StaffProfile.objects.filter(user=manager).update(language="en")
    project = Project.objects.create(code="P1", name="阳光花园")
    club = services.club_create(user=staff, name="阳光·悦邻会", project=project, founding_plan="方案")
    services.club_submit(user=staff, club=club)
    note = Notification.objects.get(recipient=manager)
    assert note.title.startswith("Awaiting approval: ") and note.title.endswith("(version 1)")


def _headers(path_or_bytes) -> list:
    sheet = openpyxl.load_workbook(path_or_bytes).active
    return [c.value for c in sheet[1]]


def test_a_background_export_has_the_headers_of_its_users_language(make_user):
    user = make_user("cs_staff")
    StaffProfile.objects.filter(user=user).update(language="en")
    job = ExportJob.objects.create(user=user, register="clubs-forums")
    export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    headers = _headers(Path(settings.EXPORT_ROOT) / job.file_name)
    assert headers[:3] == ["Number", "Name", "Type"]
    assert headers[-1] == "Handled by"


def test_a_background_export_of_a_user_who_never_chose_is_chinese(make_user):
    job = ExportJob.objects.create(user=make_user("cs_staff"), register="clubs-forums")
    export_run(job_id=job.pk)
    job.refresh_from_db()
    assert _headers(Path(settings.EXPORT_ROOT) / job.file_name)[:3] == ["编号", "名称", "类型"]


def test_an_export_downloaded_from_an_english_page_has_english_headers(client, make_user):
    user = make_user("cs_staff")
    client.force_login(user)
    _switch(client, "en")
    response = client.get(reverse("crm:export_register", args=["clubs-forums"]))
    assert response.status_code == 200
    assert _headers(io.BytesIO(b"".join(response.streaming_content)))[:3] == ["Number", "Name", "Type"]


def test_the_home_page_cards_follow_a_language_switch(as_role):
    client = as_role("front_desk")
    assert "指标 20 户" in client.get(reverse("home")).content.decode()  # cached for a minute…
    _switch(client, "en")
    page = client.get(reverse("home")).content.decode()
    assert "Quota 20 owners" in page and "指标 20 户" not in page  # …but per language


def test_the_complaint_register_of_an_english_user_has_no_chinese_header(make_user):
    """The clock columns (受理转交时限, …) are built from the clock's name: in English too."""
    import re

    user = make_user("cs_supervisor")
    StaffProfile.objects.filter(user=user).update(language="en")
    job = ExportJob.objects.create(user=user, register="complaints")
    export_run(job_id=job.pk)
    job.refresh_from_db()
    headers = _headers(Path(settings.EXPORT_ROOT) / job.file_name)
    assert any(h.endswith(" time limit") for h in headers)
    assert [h for h in headers if re.search(r"[\u4e00-\u9fff]", h)] == []
