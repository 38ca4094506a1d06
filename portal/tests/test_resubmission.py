"""The same form posted twice — a double tap on 提交, a retry on a slow mobile network, the back
button — makes one case, one comment, one correction request: each form's page carries a
one-time token (portal.models.OwnerSubmission). Through the pages, reading the rows back."""
import re

import pytest
from django.test import Client

from complaints.models import Complaint, TimelineEntry
from crm.models import Notification
from portal.forms import new_token
from portal.models import OwnerSubmission

from .conftest import refusals, token_of
from .test_cases import jpeg_with_gps

pytestmark = pytest.mark.django_db


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


# --- a post without its page's token ------------------------------------------------------------
# A page opened before the forms had tokens, a forged post, or a script posts no token (or a
# malformed one): it cannot be told from a second post of the same form, so it is refused, writes
# nothing, and the form comes back with what the owner typed and a fresh token to send it again.

EXPIRED = "页面已过期，请核对后重新提交。"
WORDS = "希望周末上门施工"


def _written():
    """Everything an owner's form can write."""
    from complaints.models import NegotiationRound, ReturnVisit

    return (Complaint.objects.count(), TimelineEntry.objects.filter(kind__startswith="owner_").count(),
            NegotiationRound.objects.count(), ReturnVisit.objects.count(), OwnerSubmission.objects.count(),
            Notification.objects.count())


@pytest.fixture
def on_a_case(client, place, owner_login, make_user):
    """form → (url it posts to, the owner's input, where the input must show again): each portal
    form that writes, with the case (or page) it needs."""
    from complaints import services as complaint_services

    from .test_cases import report
    from .test_loop import _disposed, plan_approved

    staff = {r: make_user(r, username=r) for r in ("front_desk", "cs_staff", "cs_supervisor", "manager")}
    owner_login(0)

    def ready(form):
        if form in ("report", "correction"):
            return {"report": ("/m/report/", {"kind": "complaint", "category": "security", "unit": place["units"][0].pk,
                                              "description": WORDS}, f"{WORDS}</textarea>"),
                    "correction": ("/m/me/correction/", {"customer": place["owners"][0].pk, "text": WORDS},
                                   f"{WORDS}</textarea>")}[form]
        report(client, place["units"][0], description="卫生间漏水")
        case = Complaint.objects.get()
        complaint_services.complaint_transfer(complaint=case, user=staff["front_desk"], handler=staff["cs_staff"])
        if form == "plan":
            plan_approved(case, staff)
        elif form == "visit":
            _disposed(case, staff, client)
        url = f"/m/cases/{case.pk}/{form}/"
        return {"comment": (url, {"text": WORDS}, f"{WORDS}</textarea>"),
                "plan": (url, {"agreed": "no", "comment": WORDS}, f"{WORDS}</textarea>"),
                "visit": (url, {"handled": "yes", "satisfaction": "4", "more_needs": WORDS}, f"{WORDS}</textarea>"),
                "chase": (url, {}, 'data-testid="chase"')}[form]

    return ready


@pytest.mark.parametrize("token", [None, "", "abc", "<script>" * 3, "x" * 65])
@pytest.mark.parametrize("form", ["report", "comment", "correction", "plan", "visit", "chase"])
def test_a_post_without_a_valid_token_is_refused_keeps_the_input_and_writes_nothing(client, on_a_case, form, token):
    url, data, kept = on_a_case(form)
    before = _written()
    response = client.post(url, data if token is None else {**data, "token": token})
    page = response.content.decode()
    assert response.status_code == 200
    assert EXPIRED in refusals(response)
    assert kept in page  # what the owner typed (the 催办 button, for a chase) is on the page again
    assert _written() == before
    fresh = token_of(page, url) if form != "report" else token_of(page)
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,64}", fresh)
    assert fresh != token
    # the form shown again, sent as it is, is taken once
    answers = [client.post(url, {**data, "token": fresh}) for _ in range(2)]
    assert [a.status_code for a in answers] == [302, 302], [refusals(a) for a in answers if a.status_code != 302]
    after = _written()
    assert after != before and after[4] == before[4] + 1  # one submission for both posts
    assert client.post(url, {**data, "token": fresh}).status_code == 302 and _written() == after


def test_the_plan_answer_posted_twice_is_one_round(client, on_a_case):
    from complaints.models import NegotiationRound

    url, data, _kept = on_a_case("plan")
    case_page = url.rsplit("/", 2)[0] + "/"
    data["token"] = token_of(client.get(case_page).content.decode(), url)
    first, second = client.post(url, data, follow=True), client.post(url, data, follow=True)
    assert "已提交您的意见。" in first.content.decode() and "已提交您的意见。" in second.content.decode()
    assert list(NegotiationRound.objects.values_list("agreed", "owner_opinion")) == [(False, WORDS)]


def test_the_return_visit_posted_twice_is_one_visit_and_one_new_need(client, on_a_case):
    from complaints.models import ReturnVisit

    url, data, _kept = on_a_case("visit")
    case_page = url.rsplit("/", 2)[0] + "/"
    data["token"] = token_of(client.get(case_page).content.decode(), url)
    for _ in range(2):
        assert "感谢您的评价。" in client.post(url, data, follow=True).content.decode()
    assert list(ReturnVisit.objects.values_list("satisfaction", "more_needs")) == [(4, WORDS)]
    assert Complaint.objects.filter(description=WORDS).count() == 1  # the need became one new case


def test_a_chase_tapped_twice_is_one_chase_and_both_say_it_was_made(client, on_a_case):
    url, data, _kept = on_a_case("chase")
    case_page = url.rsplit("/", 2)[0] + "/"
    token = token_of(client.get(case_page).content.decode(), url)
    for _ in range(2):
        assert "已催办，我们会尽快处理。" in client.post(url, {"token": token}, follow=True).content.decode()
    assert TimelineEntry.objects.filter(kind="owner_chase").count() == 1
    # a second chase from a new page the same working day is the rule's refusal
    assert refusals(client.post(url, {"token": new_token()}, follow=True)) == [
        "每个工作日只能催办一次，我们已在加紧处理。"]
