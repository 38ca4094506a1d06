"""crm.workflow's stamps (who/when a transition records), guards that return their reason, and
the set-based writes (``fire_many``, ``update_with_history``) that leave one history row per
changed row. Exercised on a small machine over ApprovalRequest.status, whose decided_by and
decided_at are the stamps."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.approvals import approval_submit
from crm.models import ApprovalRequest
from crm.workflow import Transition, TransitionNotAllowed, Workflow, update_with_history
from owners.models import Project


def _not_on_a_holiday_title(obj, user):
    return "节假日不办理。" if obj.title == "节假日" else None


FLOW = Workflow(field="status", transitions=[
    Transition("approve", ("pending",), "approved", "批准", roles=("cs_staff",),
               stamps={"by": "decided_by", "at": "decided_at"}, guard=_not_on_a_holiday_title),
    Transition("withdraw", ("pending",), "withdrawn", "撤回", roles=("cs_staff",)),
])


@pytest.fixture
def make_request(make_user, db):
    def factory(title="方案"):
        count = Project.objects.count()
        project = Project.objects.create(code=f"p{count}", name=f"项目{count}")  # one pending version per target
        return approval_submit(target=project, subject="complaints.disposal_plan", title=title, content="内容",
                               submitted_by=make_user("cs_staff"))
    return factory


@pytest.mark.django_db
def test_a_transition_stamps_who_and_when_in_the_same_write_with_one_history_row(make_request, make_user):
    request, user = make_request(), make_user("cs_staff")
    before = request.history.count()
    at = timezone.now() - dt.timedelta(minutes=5)
    FLOW.fire(request, "approve", user=user, at=at)
    stored = ApprovalRequest.objects.get(pk=request.pk)
    assert (stored.status, stored.decided_by, stored.decided_at) == ("approved", user, at)
    assert request.history.count() == before + 1
    row = request.history.first()
    assert (row.status, row.decided_by_id, row.decided_at, row.history_user) == ("approved", user.pk, at, user)


@pytest.mark.django_db
def test_a_transition_without_an_instant_is_stamped_now(make_request, make_user):
    request = make_request()
    start = timezone.now()
    FLOW.fire(request, "approve", user=make_user("cs_staff"))
    assert ApprovalRequest.objects.get(pk=request.pk).decided_at >= start


@pytest.mark.django_db
def test_a_guard_that_returns_a_reason_refuses_the_service_and_hides_the_button(make_request, make_user):
    request, user = make_request("节假日"), make_user("cs_staff")
    assert [t.name for t in FLOW.available(request, user)] == ["withdraw"]
    with pytest.raises(ValidationError, match="节假日不办理") as refused:
        FLOW.fire(request, "approve", user=user)
    assert not isinstance(refused.value, TransitionNotAllowed)  # a rule on the record, not its state
    stored = ApprovalRequest.objects.get(pk=request.pk)
    assert (stored.status, stored.decided_by) == ("pending", None)


def test_an_unknown_stamp_is_refused_when_declared():
    with pytest.raises(ValueError):
        Transition("x", ("a",), "b", "x", stamps={"who": "decided_by"})


@pytest.mark.django_db
def test_fire_many_moves_only_rows_still_in_a_source_state_and_writes_their_history(make_request, make_user):
    pending, other, done = make_request(), make_request(), make_request()
    FLOW.fire(done, "withdraw", user=make_user("cs_staff"))
    at = timezone.now()
    rows = FLOW.fire_many(ApprovalRequest.objects.filter(pk__in=[pending.pk, done.pk]), "approve", at=at,
                          reason="批量批准")
    assert [r.pk for r in rows] == [pending.pk]
    assert dict(ApprovalRequest.objects.values_list("pk", "status")) == {
        pending.pk: "approved", other.pk: "pending", done.pk: "withdrawn"}
    history = pending.history.first()
    assert (history.status, history.decided_at, history.history_change_reason) == ("approved", at, "批量批准")
    assert done.history.first().status == "withdrawn"  # no row for what did not change
    # a second run finds nothing to move and writes nothing
    count = ApprovalRequest.history.count()
    assert FLOW.fire_many(ApprovalRequest.objects.filter(pk__in=[pending.pk, done.pk]), "approve", at=at) == []
    assert ApprovalRequest.history.count() == count


@pytest.mark.django_db
def test_update_with_history_writes_one_row_per_changed_row_with_user_and_reason(make_request, make_user):
    first, second = make_request(), make_request()
    user = make_user("cs_supervisor")
    rows = update_with_history(ApprovalRequest.objects.filter(pk=first.pk, status="pending"), {"comment": "补充材料"},
                               user=user, reason="更正意见")
    assert [r.pk for r in rows] == [first.pk]
    row = first.history.first()
    assert (row.comment, row.history_user, row.history_change_reason) == ("补充材料", user, "更正意见")
    assert second.history.first().comment == ""
    assert update_with_history(ApprovalRequest.objects.filter(pk=first.pk, status="approved"), {"comment": "y"},
                               reason="x") == []


@pytest.mark.django_db
def test_history_copied_in_sql_is_the_history_simple_history_writes(make_user):
    """crm.workflow.history_by_sql (a bulk change's history, one INSERT … SELECT a chunk): for
    each row the same history as simple-history's bulk_history_create: every tracked field
    (nulls, dates, foreign keys), the date, the reason, the user, the type."""
    import datetime as dt

    from django.forms.models import model_to_dict
    from django.utils import timezone

    from crm.models import StaffProfile
    from crm.workflow import history_by_sql

    users = [make_user("cs_staff", username=f"员工{i}") for i in range(3)]
    profiles = list(StaffProfile.objects.filter(user__in=users).order_by("pk"))
    StaffProfile.objects.filter(pk=profiles[0].pk).update(phone="", department=None)
    actor = users[0]
    at = timezone.make_aware(dt.datetime(2026, 3, 2, 0, 30, 15, 123456))
    history = StaffProfile.history.model
    assert history_by_sql(StaffProfile, [p.pk for p in profiles], reason="批量调整", user=actor, at=at)
    ours = {h.id: h for h in history.objects.filter(history_change_reason="批量调整")}
    StaffProfile.history.bulk_history_create(list(StaffProfile.objects.filter(pk__in=[p.pk for p in profiles])),
                                             update=True, default_user=actor, default_change_reason="theirs",
                                             default_date=at)
    theirs = {h.id: h for h in history.objects.filter(history_change_reason="theirs")}
    assert ours.keys() == theirs.keys() == {p.pk for p in profiles}
    for pk, row in ours.items():
        mine, other = model_to_dict(row, exclude=["history_id"]), model_to_dict(theirs[pk], exclude=["history_id"])
        assert mine.pop("history_change_reason") == "批量调整" and other.pop("history_change_reason") == "theirs"
        assert mine == other
        assert row.history_type == "~" and row.history_user_id == actor.pk and row.history_date == at
