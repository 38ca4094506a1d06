"""The same form posted twice — a double tap on 提交, a retry on a slow mobile network, the back
button — makes one case, one comment, one correction request: each form's page carries a
one-time token (portal.models.OwnerSubmission). Through the pages, reading the rows back."""
import re

import pytest
from django.test import Client

from complaints.models import Complaint, TimelineEntry
from crm.models import Notification
from portal.models import OwnerSubmission

from .test_cases import jpeg_with_gps

pytestmark = pytest.mark.django_db


def token_of(page: str, form_action: str = "") -> str:
    """The one-time token of the page's form (the one posting to ``form_action`` when given)."""
    if form_action:
        page = page[page.index(f'action="{form_action}"'):]
    found = re.search(r'name="token" value="([^"]+)"', page)
    return found.group(1) if found else ""


def report_data(client, unit, **extra):
    page = client.get("/m/report/").content.decode()
    return {"kind": "complaint", "category": "security", "unit": unit.pk, "description": "小区东门门禁坏了，外人随便进出",
            "token": token_of(page), **extra}


def test_a_report_posted_twice_makes_one_case_and_both_answers_show_it(client, place, owner_login):
    owner_login(0)
    data = report_data(client, place["units"][0])
    first = client.post("/m/report/", data)
    second = client.post("/m/report/", {**data, "photos": [jpeg_with_gps()]})
    case = Complaint.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/m/cases/{case.pk}/"
    assert case.attachments.count() == 0  # the second post added nothing
    assert OwnerSubmission.objects.get().complaint == case
    accepted = Notification.objects.filter(channel="owner", title__contains=case.number)
    assert accepted.count() == 1  # one 已受理 message, not two
    assert case.number in client.get(second["Location"]).content.decode()


def test_a_new_report_page_makes_a_new_case_with_the_same_words(client, place, owner_login):
    owner_login(0)
    client.post("/m/report/", report_data(client, place["units"][0]))
    client.post("/m/report/", report_data(client, place["units"][0]))  # a second visit to the form
    assert Complaint.objects.count() == 2


def test_a_refused_report_keeps_its_token_and_then_makes_one_case(client, place, owner_login):
    owner_login(0)
    data = report_data(client, place["units"][0], description="")
    page = client.post("/m/report/", data).content.decode()
    assert token_of(page) == data["token"] and not Complaint.objects.exists()
    data["description"] = "楼道灯不亮"
    client.post("/m/report/", data)
    client.post("/m/report/", data)
    assert Complaint.objects.get().description == "楼道灯不亮"


def test_another_owners_token_is_not_mine(client, place, owner_login):
    owner_login(0)
    data = report_data(client, place["units"][0])
    client.post("/m/report/", data)
    other = owner_login(1, Client())
    other.post("/m/report/", {**data, "unit": place["units"][1].pk})
    assert sorted(Complaint.objects.values_list("customer__name", flat=True)) == ["业主1", "业主2"]


def test_a_comment_posted_twice_is_added_once(client, place, owner_login):
    owner_login(0)
    client.post("/m/report/", report_data(client, place["units"][0]))
    case = Complaint.objects.get()
    page = client.get(f"/m/cases/{case.pk}/").content.decode()
    data = {"text": "今天早上开始滴水了", "token": token_of(page, f"/m/cases/{case.pk}/comment/")}
    for _ in range(2):
        assert client.post(f"/m/cases/{case.pk}/comment/", data).status_code == 302
    assert TimelineEntry.objects.filter(complaint=case, kind="owner_comment").count() == 1
    assert client.get(f"/m/cases/{case.pk}/").content.decode().count("今天早上开始滴水了") == 1


def test_a_correction_request_posted_twice_makes_one_case(client, place, owner_login):
    owner_login(0)
    page = client.get("/m/me/").content.decode()
    data = {"customer": place["owners"][0].pk, "text": "我的手机号已更换", "token": token_of(page)}
    first, second = (client.post("/m/me/correction/", data) for _ in range(2))
    case = Complaint.objects.get()
    assert first["Location"] == second["Location"] == f"/m/cases/{case.pk}/"
    assert case.description == "我的手机号已更换"
