"""The follow-ups (FollowUp): an action item and a rectification share one workflow, one set of
services and one page; what each kind says and whom it tells stays its own. Every test runs for
both kinds, through the services and the pages, and reads the rows back."""
import datetime as dt

import lxml.html
import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models
from django.test.utils import isolate_apps
from django.urls import reverse
from django.utils import timezone

from crm.models import Notification
from crm.workflow import guarded_fields
from property_liaison import services
from property_liaison.models import FOLLOW_UP_WORKFLOWS, ActionItem, FollowUp, Rectification
from property_liaison.tests.factories import project_with_company

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
KINDS = ("item", "rectification")


@pytest.fixture
def world(make_user):
    project, company = project_with_company(name="翠湖苑")
    staff = make_user("cs_staff")
    liaison = make_user("property_company", property_company=company)
    return {"project": project, "staff": staff, "liaison": liaison}


def _follow_up(world, kind, party="property_company"):
    staff, project = world["staff"], world["project"]
    if kind == "item":
        meeting = services.coordination_record(user=staff, project=project, date=TODAY(), form="meeting",
                                               attendees="甲", minutes="纪要")
        return services.action_item_add(user=staff, meeting=meeting, description="修复路灯", party=party,
                                        assignee="工程部", due_date=TODAY())
    inspection = services.inspection_record(user=staff, project=project, kind="routine", date=TODAY(), summary="",
                                            scores={"cleaning": (70, "")})
    finding = services.finding_add(user=staff, inspection=inspection, area="cleaning", description="楼道垃圾",
                                   requirement="当日清理", deadline=dt.date(2099, 1, 1))
    return finding.rectifications.get()


def _in_state(world, kind, state):
    follow_up = _follow_up(world, kind)
    if state != "open":
        services.follow_up_answer(user=world["liaison"], follow_up=follow_up, answer="已处理")
    if state == "verified":
        services.follow_up_verify(user=world["staff"], follow_up=follow_up)
    return type(follow_up).objects.get(pk=follow_up.pk)


def _call(world, follow_up, name):
    if name == "answer":
        return services.follow_up_answer(user=world["liaison"], follow_up=follow_up, answer="再答")
    return getattr(services, f"follow_up_{name}")(user=world["staff"], follow_up=follow_up, note="原因")


# --- The model and its workflow ---------------------------------------------------------------

def test_each_kind_words_the_shared_fields_its_own_way_in_their_old_places():
    """The labels users see in lists, filters, exports and the history are each kind's own, and the
    fields keep their order (the history lists changes in it: the status first)."""
    assert [label for _, label in ActionItem._meta.get_field("status").choices] == ["待处理", "已答复", "已验证"]
    assert [label for _, label in Rectification._meta.get_field("status").choices] == ["待整改", "已答复", "已验证"]
    assert ActionItem.Status.values == Rectification.Status.values == FollowUp.Status.values
    for model, answer, evidence in ((ActionItem, "处理答复", "佐证材料"), (Rectification, "整改答复", "整改照片/材料")):
        for concrete in (model, model.history.model):
            assert concrete._meta.get_field("answer").verbose_name == answer
            assert concrete._meta.get_field("evidence").verbose_name == evidence
        names = [f.name for f in model._meta.concrete_fields]
        assert names.index("status") < names.index("answer") < names.index("answered_by") < names.index("verified_by")
    rect_names = [f.name for f in Rectification._meta.concrete_fields]
    assert rect_names[-1] == "escalated_at"


def test_a_kind_whose_states_are_not_the_follow_ups_is_refused():
    with isolate_apps("property_liaison"), pytest.raises(ImproperlyConfigured, match="states of FollowUp.Status"):
        class Stray(FollowUp):  # noqa: F841
            class Status(models.TextChoices):
                OPEN = "open", "待办"
                DONE = "done", "完成"

            class Meta:
                app_label = "property_liaison"


def test_each_kind_has_its_own_workflow_named_by_its_permission_with_its_own_labels():
    labels = {model: [t.label for t in workflow.transitions] for model, workflow in FOLLOW_UP_WORKFLOWS.items()}
    assert labels == {ActionItem: ["提交答复", "验证通过", "退回重办"],
                      Rectification: ["提交整改答复", "验证通过", "退回重新整改"]}
    for model, workflow in FOLLOW_UP_WORKFLOWS.items():
        assert workflow.model is model
        assert {"status", "answered_by", "answered_at", "verified_by", "verified_at"} <= guarded_fields(model)
    assert "escalated_at" in guarded_fields(Rectification) and "escalated_at" not in guarded_fields(ActionItem)


EDGES = [(kind, t.name, source, source in t.sources)
         for kind in KINDS for t in FOLLOW_UP_WORKFLOWS[ActionItem].transitions for source in FollowUp.Status.values]


@pytest.mark.parametrize(("kind", "name", "source", "allowed"), EDGES)
def test_every_edge_of_the_follow_up_workflow_for_each_kind(world, kind, name, source, allowed):
    follow_up = _in_state(world, kind, source)
    before = follow_up.history.count()
    if allowed:
        _call(world, follow_up, name)
        assert type(follow_up).objects.get(pk=follow_up.pk).status == follow_up.workflow.get(name).target
        assert follow_up.history.count() == before + 1
    else:
        with pytest.raises(ValidationError):
            _call(world, follow_up, name)
        assert type(follow_up).objects.get(pk=follow_up.pk).status == source
        assert follow_up.history.count() == before


# --- The services: each kind's words and recipients -------------------------------------------

@pytest.mark.parametrize(("kind", "message"), [("item", "请填写处理答复。"), ("rectification", "请填写整改答复。")])
def test_an_empty_answer_is_refused_in_the_kinds_words(world, kind, message):
    follow_up = _follow_up(world, kind)
    with pytest.raises(ValidationError) as exc:
        services.follow_up_answer(user=world["liaison"], follow_up=follow_up, answer="  ")
    assert exc.value.messages == [message]
    follow_up.refresh_from_db()
    assert follow_up.status == "open" and follow_up.answered_by is None


@pytest.mark.parametrize(("kind", "answered", "reopened", "reopened_body"), [
    ("item", "协调事项已答复待验证：修复路灯", "协调事项被退回：修复路灯", "翠湖苑，退回原因：仍不亮"),
    ("rectification", "整改已答复待验证：当日清理", "整改被退回：当日清理",
     "翠湖苑，退回原因：仍不亮，整改期限 2099-01-01。"),
])
def test_the_raiser_hears_of_the_answer_and_the_company_of_the_send_back_in_the_kinds_words(
        world, kind, answered, reopened, reopened_body):
    follow_up = _follow_up(world, kind)
    Notification.objects.all().delete()
    services.follow_up_answer(user=world["liaison"], follow_up=follow_up, answer="已处理")
    note = Notification.objects.get()
    assert (note.recipient, note.title, note.body, note.url, note.level) == (
        world["staff"], answered, "翠湖苑：已处理", follow_up.get_absolute_url(), "info")
    services.follow_up_reopen(user=world["staff"], follow_up=follow_up, note="仍不亮")
    note = Notification.objects.exclude(title=answered).get()
    assert (note.recipient, note.title, note.body, note.url, note.level) == (
        world["liaison"], reopened, reopened_body, follow_up.get_absolute_url(), "warning")
    follow_up.refresh_from_db()
    assert follow_up.status == "open" and follow_up.verification_note == "仍不亮"


def test_an_item_of_another_party_is_answered_by_the_department_and_its_send_back_tells_no_company(world):
    item = _follow_up(world, "item", party="developer")
    with pytest.raises(PermissionDenied, match="责任方是“开发商”"):
        services.follow_up_answer(user=world["liaison"], follow_up=item, answer="已处理")
    services.follow_up_answer(user=world["staff"], follow_up=item, answer="已处理")
    services.follow_up_reopen(user=world["staff"], follow_up=item, note="仍不亮")
    item.refresh_from_db()
    assert item.status == "open" and item.answered_by == world["staff"]
    assert not Notification.objects.filter(recipient=world["liaison"], title__startswith="协调事项被退回").exists()


# --- The page: one view and template, each kind's facts and URLs ------------------------------

PAGES = {"item": ("property_liaison:action_item_detail", "property_liaison:action_item_act", "协调事项：修复路灯",
                  "提交答复", "协调记录"),
         "rectification": ("property_liaison:rectification_detail", "property_liaison:rectification_act",
                           "整改通知：当日清理", "提交整改答复", "整改期限")}


@pytest.mark.parametrize("kind", KINDS)
def test_the_page_shows_the_kinds_title_facts_and_steps_and_posts_to_its_own_url(client, world, kind):
    detail, act, title, answer_label, fact = PAGES[kind]
    follow_up = _follow_up(world, kind)
    client.force_login(world["liaison"])
    page = lxml.html.fromstring(client.get(reverse(detail, args=[follow_up.pk])).content.decode())
    assert page.xpath("//h1")[0].text.strip() == title
    assert fact in [dt_.text_content() for dt_ in page.xpath("//dl/dt")]
    assert page.get_element_by_id("do-answer").text_content() == answer_label
    assert page.xpath('//form[.//*[@id="do-answer"]]/@action') == [reverse(act, args=[follow_up.pk, "answer"])]
    response = client.post(reverse(act, args=[follow_up.pk, "answer"]), {"answer": "已处理"})
    assert response.status_code == 302 and response.url == reverse(detail, args=[follow_up.pk])
    follow_up.refresh_from_db()
    assert follow_up.status == "answered" and follow_up.answered_by == world["liaison"]
    client.force_login(world["staff"])
    assert client.post(reverse(act, args=[follow_up.pk, "nonsense"]), {"note": "x"}).status_code == 404
    client.post(reverse(act, args=[follow_up.pk, "verify"]), {"note": "合格"})
    follow_up.refresh_from_db()
    assert follow_up.status == "verified" and follow_up.verified_by == world["staff"]
    history = lxml.html.fromstring(client.get(reverse(detail, args=[follow_up.pk])).content.decode())
    newest = history.get_element_by_id("history").xpath(".//tbody/tr")[0].text_content()
    assert newest.index("状态") < newest.index("验证人") < newest.index("验证意见")


@pytest.mark.parametrize("kind", KINDS)
def test_a_role_without_the_kinds_permission_is_refused_the_page_and_the_steps(client, make_user, world, kind):
    detail, act, *_ = PAGES[kind]
    follow_up = _follow_up(world, kind)
    client.force_login(make_user("front_desk"))
    assert client.get(reverse(detail, args=[follow_up.pk])).status_code == 403
    assert client.post(reverse(act, args=[follow_up.pk, "answer"]), {"answer": "x"}).status_code == 403
    follow_up.refresh_from_db()
    assert follow_up.status == "open"
