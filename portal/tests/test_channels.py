"""消息设置: the owner chooses which moments also come by SMS (站内 always), through the page;
crm.notifications.notify_owner honours it, so a moment with SMS off sends no SMS."""
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from complaints import services as complaint_services
from crm.models import Notification, OwnerChannelChoice
from crm.notifications import deliver_pending
from crm.sms import ConsoleBackend

from .test_cases import report

pytestmark = pytest.mark.django_db


def case_texts(phone):
    return [params["number"] for to, template, params in ConsoleBackend.sent if to == phone and template == "case_update"]


def test_the_owner_turns_sms_off_for_some_moments_and_reads_it_back(client, place, owner_login):
    owner_login(0)
    page = client.get("/m/me/messages/").content.decode()
    for moment in ("案件已受理", "处理方案待您确认", "已处理，请您评价", "客服回复"):
        assert moment in page
    assert page.count('checked') == 4  # SMS on for every moment until the owner chooses
    response = client.post("/m/me/messages/", {"plan-sms": "on", "disposed-sms": "on"})
    assert response.status_code == 302
    choice = OwnerChannelChoice.objects.get(user__owner_account__phone=place["owners"][0].phone)
    assert choice.choices == {"accepted": [], "plan": ["sms"], "disposed": ["sms"], "reply": []}
    page = client.get("/m/me/messages/").content.decode()
    assert page.count('checked') == 2 and "消息设置已保存" in page
    assert "微信" not in page  # the WeChat channel is off by default


def test_a_notice_with_sms_off_goes_to_the_inbox_and_sends_no_sms(client, place, owner_login, make_user):
    phone = place["owners"][0].phone
    owner_login(0)
    client.post("/m/me/messages/", {"plan-sms": "on", "disposed-sms": "on"})  # 受理 and 回复: inbox only
    ConsoleBackend.sent.clear()
    report(client, place["units"][0])
    case = place["owners"][0].complaints.get()
    complaint_services.complaint_owner_reply(complaint=case, user=make_user("cs_supervisor"), text="师傅明天上门")
    deliver_pending()
    notes = Notification.objects.filter(recipient__owner_account__phone=phone, secret=False)
    assert {n.sms_to for n in notes} == {""} and notes.count() == 2
    assert all(n.delivered_at for n in notes)
    assert case_texts(phone) == []
    inbox = client.get("/m/inbox/").content.decode()
    assert case.number in inbox and "有新的客服回复" in inbox


def test_a_moment_left_on_still_sends_its_sms(client, place, owner_login):
    phone = place["owners"][0].phone
    owner_login(0)
    client.post("/m/me/messages/", {"accepted-sms": "on"})
    ConsoleBackend.sent.clear()
    report(client, place["units"][0])
    deliver_pending()
    assert case_texts(phone) == [place["owners"][0].complaints.get().number]


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.one_of(st.sampled_from(["accepted-sms", "plan-sms", "reply-wechat", "x-sms"]),
                                      st.text(max_size=12)),
                            st.text(max_size=8), max_size=6))
def test_any_settings_post_keeps_only_known_moments_and_channels(client, place, owner_login, data):
    if not getattr(client, "_signed_in", False):
        owner_login(0)
        client._signed_in = True
    data = {k.replace("\x00", ""): v.replace("\x00", "") for k, v in data.items()}
    assert client.post("/m/me/messages/", data).status_code == 302
    choices = OwnerChannelChoice.objects.get().choices
    assert set(choices) == {"accepted", "plan", "disposed", "reply"}
    assert all(set(channels) <= {"sms"} for channels in choices.values())  # WeChat is off by default
