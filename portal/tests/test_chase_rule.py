"""催办 from the portal: an owner may chase a case once a working day (DOMAIN.md, Owners online).

A chase counts for the working day it falls on in the office's time zone; one made on a weekend
or a holiday counts for the next working day (the working calendar, with its 调休 days). Each
chase is on the case's timeline and its handler is told; a refused chase says why and writes
nothing. The 2026 dates below are on the State Council's arrangement: 1–7 October off, Saturday
10 October and Sunday 20 September worked (调休)."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from complaints import services as complaint_services
from complaints.models import Complaint, TimelineEntry
from crm.models import Notification
from portal.tests.conftest import act, refusals

from .test_cases import report

pytestmark = pytest.mark.django_db

OFFICE = ZoneInfo("Asia/Shanghai")
ONCE_A_DAY = "每个工作日只能催办一次，我们已在加紧处理。"
CHASED = "已催办，我们会尽快处理。"


@pytest.fixture
def staff(make_user):
    return {r: make_user(r, username=r) for r in ("front_desk", "cs_staff", "cs_supervisor")}


@pytest.fixture
def case(client, place, owner_login, staff):
    """The first owner's case, reported on the portal and transferred to cs_staff."""
    owner_login(0)
    report(client, place["units"][0], description="卫生间漏水，楼下已渗水")
    case = Complaint.objects.get()
    complaint_services.complaint_transfer(complaint=case, user=staff["front_desk"], handler=staff["cs_staff"])
    Notification.objects.all().delete()  # what the report and the transfer sent
    return case


@pytest.fixture
def clock(monkeypatch):
    """clock("2026-11-02 09:00") sets the office's local time the next requests happen at."""
    real, state = timezone.now, {}
    monkeypatch.setattr(timezone, "now", lambda: state.get("now") or real())

    def set_to(local: str):
        state["now"] = dt.datetime.fromisoformat(local).replace(tzinfo=OFFICE)

    return set_to


def chase(client, case):
    """The owner presses 催办 on the case page; returns the page shown after it."""
    return act(client, case.pk, "chase", follow=True)


def chases(case):
    return list(TimelineEntry.objects.filter(complaint=case, kind="owner_chase").values_list("at", flat=True))


@pytest.mark.parametrize("first, second, again", [
    ("2026-11-02 09:00", "2026-11-02 17:30", False),     # Monday, twice
    ("2026-11-02 07:30", "2026-11-02 10:00", False),     # 07:30 in Shanghai is still Sunday in UTC
    ("2026-11-02 23:59:59", "2026-11-03 00:00", True),   # local midnight (still Monday in UTC)
    ("2026-11-06 17:00", "2026-11-07 10:00", True),      # Friday, then Saturday (which counts for Monday)
    ("2026-11-07 10:00", "2026-11-09 09:00", False),     # Saturday counts for Monday
    ("2026-11-07 10:00", "2026-11-08 10:00", False),     # Saturday and Sunday: both Monday's
    ("2026-10-01 10:00", "2026-10-08 09:00", False),     # National Day counts for Thursday 8 October
    ("2026-10-09 10:00", "2026-10-10 10:00", True),      # Friday, then a 调休 Saturday worked
    ("2026-10-10 10:00", "2026-10-11 10:00", True),      # the 调休 Saturday, then Sunday (Monday's)
    ("2026-09-19 10:00", "2026-09-20 10:00", False),     # Saturday counts for the 调休 Sunday worked
])
def test_a_second_chase_is_refused_on_the_same_working_day_and_accepted_on_another(
        client, case, clock, first, second, again):
    clock(first)
    assert CHASED in chase(client, case).content.decode()
    clock(second)
    page = chase(client, case)
    if again:
        assert CHASED in page.content.decode()
        assert len(chases(case)) == 2
    else:
        assert refusals(page) == [ONCE_A_DAY]
        assert chases(case) == [dt.datetime.fromisoformat(first).replace(tzinfo=OFFICE)]


def test_the_last_chase_decides_not_the_first(client, case, clock):
    for day in ("2026-11-02 10:00", "2026-11-03 10:00"):
        clock(day)
        chase(client, case)
    clock("2026-11-03 16:00")
    assert refusals(chase(client, case)) == [ONCE_A_DAY]
    assert len(chases(case)) == 2


def test_a_chase_counts_for_its_own_case_only_and_a_comment_is_no_chase(client, case, place, clock, staff):
    report(client, place["units"][0], description="门禁卡失效")
    other = Complaint.objects.exclude(pk=case.pk).get()
    clock("2026-11-02 09:00")
    act(client, case.pk, "comment", {"text": "楼下也开始渗水"})
    assert CHASED in chase(client, case).content.decode()
    assert CHASED in chase(client, other).content.decode()
    assert len(chases(case)) == len(chases(other)) == 1


def test_a_chase_is_on_the_timeline_by_the_owner_and_the_handler_is_told(client, case, clock, staff, place):
    clock("2026-11-02 09:00")
    chase(client, case)
    entry = TimelineEntry.objects.get(complaint=case, kind="owner_chase")
    assert (entry.text, entry.actor.owner_account.customers.get()) == ("业主催办", place["owners"][0])
    assert entry.at == dt.datetime(2026, 11, 2, 9, 0, tzinfo=OFFICE)
    told = Notification.objects.get()
    assert (told.recipient, told.title, told.body, told.url) == (
        staff["cs_staff"], f"业主催办：{case.number} {case.title}", "", f"/complaints/{case.pk}/")


def test_without_a_handler_the_supervisors_are_told(client, case, clock, staff, make_user):
    Complaint.objects.filter(pk=case.pk).update(handler=None)
    second = make_user("cs_supervisor", username="cs_supervisor_2")
    clock("2026-11-02 09:00")
    chase(client, case)
    told = Notification.objects.order_by("recipient__username")
    assert [(n.recipient, n.title, n.body, n.url) for n in told] == [
        (who, f"业主催办：{case.number} {case.title}", "", f"/complaints/{case.pk}/")
        for who in (staff["cs_supervisor"], second)]


def test_a_handler_who_can_no_longer_open_the_case_is_replaced_by_the_supervisors(client, case, clock, staff,
                                                                                  make_user):
    from crm.tests.factories import make_project

    elsewhere = make_user("project_dept", username="xiangmu", projects=[make_project(code="far")])
    Complaint.objects.filter(pk=case.pk).update(handler=elsewhere)
    case.refresh_from_db()
    clock("2026-11-02 09:00")
    chase(client, case)
    told = Notification.objects.get()
    assert (told.recipient, told.title) == (staff["cs_supervisor"], f"业主催办：{case.number} {case.title}")
    assert told.body == "（原通知对象 xiangmu 无法查看该记录，改由您处理。）"


def test_the_handler_hears_an_owners_comment_in_the_owners_words(client, case, staff):
    act(client, case.pk, "comment", {"text": "楼下也开始渗水"})
    told = Notification.objects.get()
    assert (told.recipient, told.title, told.body) == (staff["cs_staff"], f"业主补充了说明：{case.number}", "楼下也开始渗水")
    Complaint.objects.filter(pk=case.pk).update(handler=None)
    act(client, case.pk, "comment", {"text": "物业已上门查看"})
    told = Notification.objects.get(recipient=staff["cs_supervisor"])
    assert (told.title, told.body, told.url) == (f"业主补充了说明：{case.number}", "物业已上门查看",
                                                 f"/complaints/{case.pk}/")


@pytest.mark.parametrize("state", ["closed", "archived"])
def test_a_finished_case_cannot_be_chased_and_says_so(client, case, clock, state):
    Complaint.objects.filter(pk=case.pk).update(state=state)
    clock("2026-11-02 09:00")
    assert refusals(chase(client, case)) == ["案件已办结。"]
    assert chases(case) == [] and not Notification.objects.exists()


def test_without_a_handler_the_chase_goes_to_whoever_may_open_the_case(client, case, clock, staff, make_user):
    """If an admin took 查看案件 away from the supervisors, the administrators are told instead."""
    from django.contrib.auth.models import Group, Permission

    Group.objects.get(name="cs_supervisor").permissions.remove(
        Permission.objects.get(content_type__app_label="complaints", codename="view_complaint"))
    admin = make_user("admin", username="guanliyuan")
    Complaint.objects.filter(pk=case.pk).update(handler=None)
    clock("2026-11-02 09:00")
    chase(client, case)
    told = Notification.objects.get()
    assert (told.recipient, told.title) == (admin, f"业主催办：{case.number} {case.title}")
    assert told.body == "（原通知对象 cs_supervisor 无法查看该记录，改由您处理。）"


# The case page offers 催办 exactly when the service takes it: while the next step is the
# company's. Every state of a case, with the refusal a forged post of 催办 gets (None: accepted).
HANDLED = "您反映的问题已有处理结果，无需催办；如仍有问题，请补充说明。"
PLAN_WAITS = "处理方案正等您确认，请先告诉我们您是否同意。"
VISIT_WAITS = "请先告诉我们处理结果是否满意。"
CHASE_BY_STATE = [
    ("registered", "", None), ("transferred", "", None), ("classified", "", None), ("investigated", "", None),
    ("plan_pending", "", None), ("plan_rejected", "", None), ("negotiation_failed", "", None), ("agreed", "", None),
    ("plan_approved", "", PLAN_WAITS),
    ("executed", "", HANDLED), ("fed_back", "", HANDLED), ("correcting", "", HANDLED), ("corrected", "", HANDLED),
    ("replied", "", HANDLED),
    ("executed", "due", VISIT_WAITS), ("fed_back", "due", VISIT_WAITS), ("agreed", "due", VISIT_WAITS),
    ("executed", "done", HANDLED), ("corrected", "done", HANDLED),
    ("closed", "done", "案件已办结。"), ("archived", "done", "案件已办结。"), ("closed", "", "案件已办结。"),
]


def test_every_state_of_a_case_is_in_the_table():
    from complaints.models import State

    assert {state for state, _visit, _refusal in CHASE_BY_STATE} == set(State.values)


@pytest.mark.parametrize("state, visit, refusal", CHASE_BY_STATE)
def test_the_case_page_offers_a_chase_exactly_when_the_service_takes_it(client, case, clock, state, visit, refusal):
    Complaint.objects.filter(pk=case.pk).update(state=state, visit_state=visit)
    clock("2026-11-02 09:00")
    page = client.get(f"/m/cases/{case.pk}/").content.decode()
    assert ('data-testid="chase"' in page) is (refusal is None)
    assert 'data-testid="chased-today"' not in page
    answer = chase(client, case)  # the post a page offering no button cannot make: forged, or an old page
    if refusal is None:
        assert CHASED in answer.content.decode() and len(chases(case)) == 1
        assert Notification.objects.count() == 1
    else:
        assert refusals(answer) == [refusal]
        assert chases(case) == [] and not Notification.objects.exists()
        assert Complaint.objects.filter(pk=case.pk, state=state, visit_state=visit).exists()


def test_once_chased_today_the_page_says_so_instead_of_offering_the_button(client, case, clock):
    clock("2026-11-02 09:00")
    page = chase(client, case).content.decode()
    assert 'data-testid="chase"' not in page
    assert f'<p class="muted" data-testid="chased-today">{ONCE_A_DAY}</p>' in page
    clock("2026-11-03 09:00")  # the next working day
    page = client.get(f"/m/cases/{case.pk}/").content.decode()
    assert 'data-testid="chase"' in page and 'data-testid="chased-today"' not in page
