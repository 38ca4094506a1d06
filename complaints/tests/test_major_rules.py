"""The automatic major rules at their boundaries, found by mutation testing (QUALITY.md): which
cases each rule may change, what a change records (reason, clocks, timeline, notices), and the
event's five-owner threshold exactly."""
import datetime as dt

import pytest
from django.utils import timezone

from complaints import clocks, services, sla
from complaints.models import ClockState, Complaint, Kind, Severity, SlaClock
from crm.calendar import calendar
from crm.models import Notification, Rule

from .conftest import at

pytestmark = pytest.mark.django_db
OLD = dt.timedelta(days=30)


def test_making_major_swaps_a_classified_cases_clocks_and_records_why(case_in, users):
    from crm.rules import forget

    case = case_in("investigated", received_at=at(2026, 11, 2, 10))
    bystander = case_in("investigated", received_at=at(2026, 11, 2, 10))
    Rule.objects.filter(key="complaints.sla_manager_percent").update(value=200)
    forget("complaints.sla_manager_percent")
    assert clocks.make_major([case.pk], reason="测试原因", user=users["manager"]) == [case.pk]
    case.refresh_from_db()
    assert (case.severity, case.major_reason) == (Severity.MAJOR, "测试原因")
    states = dict(case.clocks.values_list("rule__code", "state"))
    assert states[sla.IMPORTANT] == ClockState.CANCELLED
    assert states[sla.MAJOR_ANSWER] == states[sla.MAJOR_RESOLVE] == ClockState.RUNNING
    # another classified case keeps its severity and clocks
    assert Complaint.objects.filter(pk=bystander.pk).values_list("severity", "major_reason").get() == (
        Severity.IMPORTANT, "")
    assert dict(bystander.clocks.values_list("rule__code", "state")) == {sla.IMPORTANT: ClockState.RUNNING}
    answer = case.clocks.get(rule__code=sla.MAJOR_ANSWER)
    expected = sla.clock_times(calendar(), case.received_at, answer.rule, 80, manager_percent=200)
    assert (answer.started_at, answer.deadline, answer.warn_at, answer.escalate_at) == (
        expected["started_at"], expected["deadline"], expected["warn_at"], expected["escalate_at"])
    assert case.next_deadline == answer.deadline
    entry = case.timeline.get(kind="major")
    assert (entry.actor, entry.text) == (users["manager"], "升级为重大投诉：测试原因")
    for role in ("cs_supervisor", "manager"):
        note = Notification.objects.get(recipient=users[role], title__startswith="升级为重大投诉")
        assert (note.title, note.body, note.level) == (f"升级为重大投诉：{case.number}", "测试原因", "danger")


def test_making_major_leaves_unclassified_disposed_closed_and_major_cases_as_they_are(case_in, users):
    registered = case_in("registered")
    executed = case_in("executed")
    closed = case_in("closed")
    major = case_in("registered")
    services.complaint_classify(complaint=major, user=users["cs_supervisor"], valid=True, severity="major")
    assert clocks.make_major([], reason="x") == []
    assert clocks.make_major([closed.pk, major.pk], reason="x") == []
    assert sorted(clocks.make_major([registered.pk, executed.pk, closed.pk, major.pk], reason="x")) == sorted(
        [registered.pk, executed.pk])
    # a registered case gets its clocks when it is classified; a disposed one keeps its history
    assert not SlaClock.objects.filter(complaint=registered).exists()
    assert dict(executed.clocks.values_list("rule__code", "state"))[sla.IMPORTANT] == ClockState.MET
    assert not executed.clocks.filter(rule__code__in=[sla.MAJOR_ANSWER, sla.MAJOR_RESOLVE]).exists()
    assert Complaint.objects.get(pk=closed.pk).severity != Severity.MAJOR
    assert Complaint.objects.get(pk=major.pk).major_reason == ""


def test_the_major_notice_names_five_cases_and_says_there_are_more(case_in, users):
    def listed(cases):  # in the register's order
        return list(Complaint.objects.filter(pk__in=[c.pk for c in cases]).values_list("number", flat=True))

    six = [case_in("registered") for _ in range(6)]
    assert len(clocks.make_major([c.pk for c in six], reason="长" * 250)) == 6
    note = Notification.objects.get(recipient=users["manager"], title__startswith="升级为重大投诉")
    assert note.title == "升级为重大投诉：" + "、".join(listed(six)[:5]) + "等"
    assert Complaint.objects.get(pk=six[0].pk).major_reason == "长" * 200
    five = [case_in("registered") for _ in range(5)]
    clocks.make_major([c.pk for c in five], reason="五件")
    note = Notification.objects.get(recipient=users["manager"], body="五件")
    assert note.title == "升级为重大投诉：" + "、".join(listed(five))


def test_only_valid_open_undisposed_complaints_become_major_after_seven_days(case_in, users):
    old = timezone.now() - OLD
    due = case_in("investigated", received_at=old)
    dispute = case_in("investigated", kind=Kind.DISPUTE, received_at=old)
    need = case_in("registered", kind=Kind.NEED, received_at=old)
    invalid = case_in("registered", received_at=old)
    services.complaint_classify(complaint=invalid, user=users["cs_supervisor"], valid=False, reason="非本公司责任")
    unclassified = case_in("registered", received_at=old)
    disposed = case_in("executed", received_at=old)
    closed = case_in("closed", received_at=old)
    assert sorted(clocks.auto_major()) == sorted([due.pk, dispute.pk])
    assert Complaint.objects.get(pk=due.pk).major_reason == "有效投诉超过7天未解决"
    for untouched in (need, invalid, unclassified, disposed, closed):
        assert Complaint.objects.get(pk=untouched.pk).severity != Severity.MAJOR


def test_the_seven_day_rule_counts_the_days_the_admin_sets(case_in):
    Rule.objects.filter(key="complaints.unresolved_major_days").update(value=3)
    case = case_in("investigated", received_at=at(2026, 12, 1, 10))
    assert clocks.auto_major(now=at(2026, 12, 4, 23, 59)) == []
    assert clocks.auto_major(now=at(2026, 12, 5, 0, 0)) == [case.pk]
    assert Complaint.objects.get(pk=case.pk).major_reason == "有效投诉超过3天未解决"


def test_an_event_becomes_major_at_exactly_the_owner_count_and_once(new_case, place, users):
    Rule.objects.filter(key="complaints.event_major_owner_count").update(value=3)
    event = services.event_create(project=place["project"], title="2号楼停水", user=users["cs_staff"])
    first = new_case(owner=0, event=event)
    need = new_case(owner=5, kind=Kind.NEED, event=event)  # a need is not a complaint about the event
    second = new_case(owner=1, event=event)
    event.refresh_from_db()
    assert event.major_at is None and Complaint.objects.get(pk=first.pk).severity != Severity.MAJOR
    third = new_case(owner=2, event=event)
    event.refresh_from_db()
    became = event.major_at
    assert became is not None
    for case in (first, second, third):
        assert Complaint.objects.get(pk=case.pk).major_reason == "同一事件“2号楼停水”已有3户业主投诉（≥3户）"
    assert Complaint.objects.filter(pk=need.pk).values_list("severity", "major_reason").get() == ("", "")
    fourth = new_case(owner=3, event=event)
    event.refresh_from_db()
    assert event.major_at == became
    assert Complaint.objects.get(pk=fourth.pk).major_reason == "同一事件“2号楼停水”已有4户业主投诉（≥3户）"
    assert clocks.event_major_check(event, user=users["cs_staff"]) == []


def test_a_closed_complaint_counts_its_owner_but_stays_closed(case_in, place, users):
    Rule.objects.filter(key="complaints.event_major_owner_count").update(value=2)
    event = services.event_create(project=place["project"], title="地库积水", user=users["cs_staff"])
    closed = case_in("closed", owner=0)
    Complaint.objects.filter(pk=closed.pk).update(event=event)
    open_case = case_in("registered", owner=1)
    services.event_link(complaint=open_case, event=event, user=users["cs_staff"])
    assert Complaint.objects.get(pk=open_case.pk).severity == Severity.MAJOR
    assert Complaint.objects.get(pk=closed.pk).severity != Severity.MAJOR
    entry = Complaint.objects.get(pk=open_case.pk).timeline.get(kind="major")
    assert entry.actor == users["cs_staff"]


def _typed(place, users, event, name, phone):
    return services.complaint_register(
        received_by=users["front_desk"], kind=Kind.COMPLAINT, channel="forum", category="repairs", title="停水",
        description="座谈会上反映", project=place["project"], complainant_name=name, complainant_phone=phone,
        event=event)


def test_an_owner_is_counted_once_however_the_cases_name_them(new_case, place, users):
    """An owner picked from the file who called from another phone, then from their own; a forum
    speaker without a phone, twice by name: two owners, not four."""
    Rule.objects.filter(key="complaints.event_major_owner_count").update(value=3)
    event = services.event_create(project=place["project"], title="3栋停水", user=users["cs_staff"])
    other_event = services.event_create(project=place["project"], title="车库漏水", user=users["cs_staff"])
    bystander = new_case(owner=6)  # an open complaint about nothing in particular
    cases = [new_case(owner=0, complainant_phone="13911110000", event=event),
             _typed(place, users, event, "张先生", "—"), _typed(place, users, event, " 张先生", "—"),
             new_case(owner=0, event=event)]
    event.refresh_from_db()
    assert event.major_at is None
    assert set(Complaint.objects.filter(event=event).values_list("severity", flat=True)) == {""}
    cases.append(new_case(owner=1, event=event))
    event.refresh_from_db()
    assert event.major_at is not None
    assert set(Complaint.objects.filter(pk__in=[c.pk for c in cases]).values_list("severity", "major_reason")) == {
        (Severity.MAJOR, "同一事件“3栋停水”已有3户业主投诉（≥3户）")}
    # nothing else changes: the other event, the case on no event
    assert type(event).objects.get(pk=other_event.pk).major_at is None
    assert Complaint.objects.filter(pk=bystander.pk).values_list("severity", "major_reason").get() == ("", "")


def test_a_case_classified_major_while_the_rule_runs_keeps_the_supervisors_classification(case_in, users):
    from django.db import connection

    case = case_in("investigated")
    table = Complaint._meta.db_table
    done = []

    def classified_meanwhile(execute, sql, params, many, context):
        if not done and sql.lstrip().upper().startswith("UPDATE") and table in sql:
            done.append(sql)
            execute(f'UPDATE "{table}" SET "severity" = %s WHERE "id" = %s', [Severity.MAJOR, case.pk], False, context)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(classified_meanwhile):
        assert clocks.make_major([case.pk], reason="有效投诉超过7天未解决") == []
    assert done
    assert Complaint.objects.filter(pk=case.pk).values_list("severity", "major_reason").get() == (Severity.MAJOR, "")
    assert not case.timeline.filter(kind="major").exists()
    assert not Notification.objects.filter(title__startswith="升级为重大投诉").exists()


def test_the_history_of_an_event_made_major_says_who_and_why(new_case, place, users):
    """The history rows of the cases and of the event name the user whose link crossed the
    threshold and the rule's reason (found by mutation testing: nothing read them)."""
    Rule.objects.filter(key="complaints.event_major_owner_count").update(value=2)
    event = services.event_create(project=place["project"], title="电梯停运", user=users["cs_staff"])
    first = new_case(owner=0, event=event)
    second = new_case(owner=1, event=event)
    for case in (first, second):
        row = Complaint.history.filter(id=case.pk, severity=Severity.MAJOR).earliest("history_date")
        assert row.history_change_reason == "升级为重大投诉：同一事件“电梯停运”已有2户业主投诉（≥2户）"
        assert row.history_user == users["front_desk"]
    event.refresh_from_db()
    row = event.history.filter(major_at__isnull=False).earliest("history_date")
    assert (row.history_user, row.history_change_reason) == (users["front_desk"], "同一事件已有2户业主投诉，升级为重大")


def test_a_long_event_title_is_cut_to_the_history_reasons_hundred_characters(new_case, place, users):
    """The history row's reason holds 100 characters (PostgreSQL refuses more): the case's reason,
    which names the event, is cut there."""
    Rule.objects.filter(key="complaints.event_major_owner_count").update(value=2)
    title = "地下车库" * 25
    event = services.event_create(project=place["project"], title=title, user=users["cs_staff"])
    case = new_case(owner=0, event=event)
    new_case(owner=1, event=event)
    row = Complaint.history.filter(id=case.pk, severity=Severity.MAJOR).earliest("history_date")
    assert row.history_change_reason == f"升级为重大投诉：同一事件“{title}”已有2户业主投诉（≥2户）"[:100]
    assert len(row.history_change_reason) == 100
