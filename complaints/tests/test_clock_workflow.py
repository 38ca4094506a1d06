"""The SLA clock's declared workflow (complaints.models.CLOCK_FLOW) and the history rows of every
set-based write of the complaints app (issue 15 §2): each write is read back, and so is its
history row."""
import datetime as dt

import pytest
from django.utils import timezone

from complaints import clocks, services, sla
from complaints.models import CLOCK_FLOW, ClockState, Complaint, Severity, SlaClock, State
from crm.models import Rule

pytestmark = pytest.mark.django_db


def _last(obj):
    return obj.history.order_by("-history_date", "-history_id").first()


def test_every_clock_state_is_reached_only_through_a_declared_transition():
    declared = {t.target for t in CLOCK_FLOW.transitions} | {s for t in CLOCK_FLOW.transitions for s in t.sources}
    assert declared == set(ClockState.values)
    assert CLOCK_FLOW.model is SlaClock


def test_a_pause_stamps_who_and_when_and_writes_a_history_row(case_in, users):
    case = case_in("classified")
    clock = case.clocks.get(rule__code=sla.IMPORTANT)
    before = clock.history.count()
    clocks.clock_pause(clock=clock, user=users["cs_staff"], reason="业主出差")
    stored = SlaClock.objects.get(pk=clock.pk)
    assert (stored.state, stored.paused_by, stored.paused_reason) == (ClockState.PAUSED, users["cs_staff"], "业主出差")
    assert stored.paused_at is not None
    row = _last(stored)
    assert stored.history.count() == before + 1
    assert (row.state, row.paused_by_id, row.paused_at, row.history_user) == (
        ClockState.PAUSED, users["cs_staff"].pk, stored.paused_at, users["cs_staff"])


def test_a_resume_writes_a_history_row_and_keeps_who_paused_on_the_timeline(case_in, users):
    case = case_in("classified")
    clock = clocks.clock_pause(clock=case.clocks.get(rule__code=sla.IMPORTANT), user=users["cs_staff"], reason="出差")
    clocks.clock_resume(clock=clock, user=users["cs_supervisor"])
    stored = SlaClock.objects.get(pk=clock.pk)
    assert (stored.state, stored.paused_at) == (ClockState.RUNNING, None)
    row = _last(stored)
    assert (row.state, row.history_user, row.history_change_reason) == (ClockState.RUNNING, users["cs_supervisor"],
                                                                         "恢复时限")
    assert "暂停人：" in case.timeline.last().text


def test_a_clock_that_cannot_be_paused_is_refused_with_the_same_words(case_in, users):
    case = case_in("executed")
    clock = case.clocks.get(rule__code=sla.IMPORTANT)
    assert clock.state == ClockState.MET
    with pytest.raises(Exception, match="该时限当前不能暂停"):
        clocks.clock_pause(clock=clock, user=users["cs_staff"], reason="x")
    assert SlaClock.objects.get(pk=clock.pk).state == ClockState.MET


def test_stopping_clocks_writes_their_met_history(case_in, users):
    case = case_in("executed")
    clock = case.clocks.get(rule__code=sla.IMPORTANT)
    case.refresh_from_db()
    assert (clock.state, clock.met_at) == (ClockState.MET, case.disposed_at)  # the transition's own stamp
    row = _last(clock)
    assert (row.state, row.met_at, row.history_change_reason) == (ClockState.MET, case.disposed_at, "按时完成")


def test_a_clock_stopped_after_its_deadline_is_late_with_its_history(case_in, users):
    case = case_in("agreed")
    clock = case.clocks.get(rule__code=sla.IMPORTANT)
    SlaClock.objects.filter(pk=clock.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    services.complaint_execute(complaint=case, user=users["cs_staff"], result="已修复")
    clock.refresh_from_db()
    assert clock.state == ClockState.LATE
    assert (_last(clock).state, _last(clock).history_change_reason) == (ClockState.LATE, "超时完成")


def test_cancelled_clocks_have_their_history(case_in, users):
    case = case_in("registered", needs_transfer=True)
    clock = case.clocks.get(rule__code=sla.TRANSFER)
    services.complaint_classify(complaint=case, user=users["cs_supervisor"], valid=False, reason="非本公司责任")
    clock.refresh_from_db()
    assert clock.state == ClockState.CANCELLED
    assert _last(clock).state == ClockState.CANCELLED
    case.refresh_from_db()
    assert case.classified_at == case.closed_at is not None  # one stamp instant for both


def test_the_scan_writes_one_history_row_per_clock_it_changed_and_none_the_second_time(case_in, users):
    case = case_in("classified")
    clock = case.clocks.get(rule__code=sla.IMPORTANT)
    SlaClock.objects.filter(pk=clock.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    now = timezone.now()
    before = clock.history.count()
    assert clocks.sla_scan(now=now)["breached"] == 1
    clock.refresh_from_db()
    assert (clock.state, clock.breached_at, clock.escalation) == (ClockState.BREACHED, now, 2)
    row = _last(clock)
    assert (row.state, row.breached_at, row.escalation, row.history_date) == (ClockState.BREACHED, now, 2, now)
    assert clock.history.count() == before + 1
    assert clocks.sla_scan(now=now) == {"warned": 0, "breached": 0, "to_manager": 0, "notified": 0}
    assert clock.history.count() == before + 1


def test_the_scan_warns_and_escalates_with_history(case_in, users):
    case = case_in("classified")
    clock = case.clocks.get(rule__code=sla.IMPORTANT)
    now = timezone.now()
    SlaClock.objects.filter(pk=clock.pk).update(warn_at=now - dt.timedelta(minutes=1))
    assert clocks.sla_scan(now=now)["warned"] == 1
    clock.refresh_from_db()
    assert (_last(clock).state, _last(clock).escalation) == (ClockState.AT_RISK, 1)
    SlaClock.objects.filter(pk=clock.pk).update(deadline=now, escalate_at=now)
    later = now + dt.timedelta(minutes=1)
    result = clocks.sla_scan(now=later)
    assert (result["breached"], result["to_manager"]) == (1, 1)
    clock.refresh_from_db()
    assert (clock.state, clock.escalation) == (ClockState.BREACHED, 3)
    assert _last(clock).escalation == 3 and _last(clock).history_change_reason == "超时未处理，上报经理"


def test_make_major_writes_a_history_row_per_case_it_changed(case_in, users):
    case = case_in("investigated")
    assert clocks.make_major([case.pk], reason="测试升级", user=users["cs_supervisor"]) == [case.pk]
    stored = Complaint.objects.get(pk=case.pk)
    assert (stored.severity, stored.major_reason) == (Severity.MAJOR, "测试升级")
    row = _last(stored)
    assert (row.severity, row.history_user, row.history_change_reason) == (
        Severity.MAJOR, users["cs_supervisor"], "升级为重大投诉：测试升级")
    count = stored.history.count()
    assert clocks.make_major([case.pk], reason="测试升级") == []
    assert stored.history.count() == count


def test_linking_an_event_writes_the_link_and_the_events_major_time_into_history(new_case, place, users):
    Rule.objects.filter(key="complaints.event_major_owner_count").update(value=2)
    event = services.event_create(project=place["project"], title="地库积水", user=users["cs_staff"])
    first = new_case(owner=0)
    services.event_link(complaint=first, event=event, user=users["cs_staff"])
    row = _last(Complaint.objects.get(pk=first.pk))
    assert (row.event_id, row.history_user, row.history_change_reason) == (event.pk, users["cs_staff"],
                                                                          "关联事件：地库积水")
    second = new_case(owner=1)
    services.event_link(complaint=second, event=event, user=users["cs_staff"])
    event.refresh_from_db()
    assert event.major_at is not None
    assert (_last(event).major_at, _last(event).history_user) == (event.major_at, users["cs_staff"])
    assert _last(Complaint.objects.get(pk=second.pk)).severity == Severity.MAJOR


def test_a_case_archived_by_hand_is_stamped_by_its_transition(case_in, users):
    case = case_in("closed")
    services.complaint_archive(complaint=case, user=users["cs_supervisor"])
    stored = Complaint.objects.get(pk=case.pk)
    assert stored.state == State.ARCHIVED and stored.archived_at is not None
    assert _last(stored).archived_at == stored.archived_at


@pytest.mark.parametrize("op", ["pause", "resume"])
def test_every_allowed_and_forbidden_edge_of_a_pause_or_resume(case_in, users, op):
    """From each clock state, the case page's pause and resume succeed exactly from the
    transition's declared sources, and a refused one leaves the row and its history alone."""
    case = case_in("classified")
    clock = case.clocks.get(rule__code=sla.IMPORTANT)
    allowed = CLOCK_FLOW.get(op).sources
    for state in ClockState.values:
        paused_at = timezone.now() - dt.timedelta(hours=1) if state == ClockState.PAUSED else None
        SlaClock.objects.filter(pk=clock.pk).update(state=state, paused_at=paused_at)
        clock = SlaClock.objects.get(pk=clock.pk)
        rows = clock.history.count()
        try:
            if op == "pause":
                clocks.clock_pause(clock=clock, user=users["cs_staff"], reason="业主出差")
            else:
                clocks.clock_resume(clock=clock, user=users["cs_staff"])
        except Exception as exc:  # noqa: BLE001 - the refusal's words are checked below
            assert state not in allowed, (op, state, exc)
            assert str(clocks.CLOCK_REFUSALS[op]) in str(exc)
            assert SlaClock.objects.get(pk=clock.pk).state == state and clock.history.count() == rows
        else:
            assert state in allowed, (op, state)
            assert SlaClock.objects.get(pk=clock.pk).state == CLOCK_FLOW.get(op).target
            assert clock.history.count() == rows + 1
