"""The complaints pages speak English to an English user: the services' refusals and the views'
messages, the notices in each recipient's language, while the case's timeline stays in the
office's language whoever wrote it (crm.languages.recorded)."""
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from complaints import services
from crm.models import Notification, StaffProfile

pytestmark = pytest.mark.django_db


def _english_client(client, user):
    StaffProfile.objects.filter(user=user).update(language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def test_an_english_user_linking_an_event_without_a_name_is_refused_in_english(client, case_in, users):
    case = case_in("classified")
    _english_client(client, users["cs_staff"])
    response = client.post(reverse("complaints:link_event", args=[case.pk]), {"event": "", "title": " "},
                           follow=True)
    assert "Please enter the event&#x27;s name." in response.content.decode()
    case.refresh_from_db()
    assert case.event_id is None


def test_an_english_user_sees_the_success_message_in_english_and_the_timeline_stays_chinese(client, case_in, users):
    case = case_in("classified")
    _english_client(client, users["cs_staff"])
    response = client.post(reverse("complaints:act", args=[case.pk, "investigate"]),
                           {"cause": "防水层破损", "responsibility": "施工单位"}, follow=True)
    assert "Done: Investigate." in response.content.decode()
    case.refresh_from_db()
    assert case.state == "investigated"
    line = case.timeline.filter(kind="investigate").get().text
    assert line == "调查与分析：原因：防水层破损；责任：施工单位"


def test_an_important_case_reaches_an_english_manager_in_english_and_the_supervisor_in_chinese(new_case, users):
    StaffProfile.objects.filter(user=users["manager"]).update(language="en")
    case = new_case()
    services.complaint_classify(complaint=case, user=users["cs_supervisor"], valid=True, severity="important")
    english = Notification.objects.get(recipient=users["manager"], title__contains=case.number)
    chinese = Notification.objects.get(recipient=users["cs_supervisor"], title__contains=case.number)
    assert english.title == f"Important complaint: {case.number} {case.title}"
    assert chinese.title == f"重要投诉：{case.number} {case.title}"


def test_a_refusal_raised_by_a_service_is_english_under_an_english_request(new_case, users):
    case = new_case()
    with translation.override("en"):
        with pytest.raises(Exception) as exc:
            services.complaint_classify(complaint=case, user=users["cs_supervisor"], valid=False, reason="")
        assert str(exc.value.messages[0]) == "When classifying as invalid, enter the explanation given to the owner."
    case.refresh_from_db()
    assert case.valid is None


def test_a_missing_time_limit_rule_is_refused_in_english(new_case):
    """clocks.py formats this refusal with ``gettext as _now``: crm's makemessages extracts it."""
    from django.utils import timezone

    from complaints import clocks

    case = new_case()
    with translation.override("en"):
        with pytest.raises(Exception) as exc:
            clocks.clock_start(case, "no_such_rule", start=timezone.now())
        assert exc.value.messages == ["The time limit rule “no_such_rule” is missing; please ask the system "
                                      "administrator to add it in the basic settings."]
    assert not case.clocks.filter(rule__code="no_such_rule").exists()
