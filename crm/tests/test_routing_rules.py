"""Who receives an internal notice (crm.notifications: notify, route, _replacements, _takers,
notify_role, in_languages), rule by rule: a recipient who may not open the record the notice
points to, who has left or who is outside the company (the property company, an owner) is
replaced by the role that answers for the record, failing that by the administrators; the
notice is stored as sent (title, body, link, level), once per recipient and event, in each
recipient's language."""
import logging

import pytest
from django.contrib.auth import get_user_model
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from crm.models import Notification, StaffProfile
from crm.notifications import (
    Target,
    in_languages,
    notify,
    notify_many,
    notify_role,
    route,
)
from crm.tests.factories import CustomerFactory, UnitFactory, own

pytestmark = pytest.mark.django_db


def _rows(**filters):
    """(recipient, title, body, url, level, dedupe_key) of the stored notices, by recipient."""
    return sorted(Notification.objects.filter(**filters).values_list(
        "recipient__username", "title", "body", "url", "level", "dedupe_key"))


def _owner(make_user, project):
    from portal.models import OwnerAccount

    customer = CustomerFactory(project=project)
    own(customer, UnitFactory(project=project))
    owner = make_user("owner", username="owner")
    OwnerAccount.objects.create(user=owner, phone="13900000009").customers.add(customer)
    return owner


# --- notify: what is stored --------------------------------------------------------------------


def test_a_notice_is_stored_as_sent_once_per_recipient(world):
    users, case = world["users"], world["lake_case"]
    desk = users["front_desk"]
    sent = notify(recipients=[desk, None, desk, users["lake_dept"]], title="时限预警", body="还剩 2 小时",
                  url=f"/complaints/{case.pk}/", level=Notification.Level.WARNING, dedupe_key="sla:1:warn",
                  target=case)
    assert sent == 2
    assert _rows() == [
        ("front_desk", "时限预警", "还剩 2 小时", f"/complaints/{case.pk}/", "warning", "sla:1:warn"),
        ("lake_dept", "时限预警", "还剩 2 小时", f"/complaints/{case.pk}/", "warning", "sla:1:warn"),
    ]


def test_a_long_title_and_link_are_cut_to_what_the_inbox_keeps(world):
    users = world["users"]
    notify(recipients=[users["front_desk"]], title="超" * 250, url="/" + "u" * 400)
    note = Notification.objects.get()
    assert note.title == "超" * 200
    assert note.url == "/" + "u" * 299
    assert (note.body, note.level, note.dedupe_key) == ("", "info", "")


def test_nobody_to_tell_stores_nothing(world):
    assert notify(recipients=[], title="日报") == 0
    assert notify(recipients=[None], title="日报") == 0
    assert not Notification.objects.exists()


def test_notify_role_tells_each_active_holder_of_the_role_and_no_one_else(world, make_user):
    users = world["users"]
    second = make_user("cs_supervisor", username="second")
    gone = make_user("cs_supervisor", username="gone")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    assert notify_role("cs_supervisor", title="待审批：处置方案", url="/approvals/", target=world["hill_case"],
                       dedupe_key="approval:1") == 2
    assert _rows() == [(u.username, "待审批：处置方案", "", "/approvals/", "info", "approval:1")
                       for u in (users["cs_supervisor"], second)]


# --- route: who may receive it -------------------------------------------------------------------


def test_a_recipient_who_cannot_open_the_record_is_replaced_and_the_replacement_says_for_whom(world):
    users, case = world["users"], world["lake_case"]
    users["hill_dept"].first_name, users["hill_dept"].last_name = "山", "经理"
    users["hill_dept"].save(update_fields=["first_name", "last_name"])
    notify(recipients=[users["hill_dept"]], title="时限已超时", body="已超时 1 小时", url="/c/1/",
           level=Notification.Level.DANGER, dedupe_key="sla:1:breach", target=case)
    meant = _full(users["hill_dept"])  # 山 经理
    assert meant
    assert _rows() == [("cs_supervisor", "时限已超时", f"已超时 1 小时\n（原通知对象 {meant} 无法查看该记录，改由您处理。）",
                        "/c/1/", "danger", "sla:1:breach")]


def _full(user):
    return get_user_model().objects.get(pk=user.pk).get_full_name()


def test_a_replacement_without_a_body_is_only_the_line_saying_for_whom(world):
    users = world["users"]
    notify(recipients=[users["hill_dept"]], title="升级", target=world["lake_case"])
    assert Notification.objects.get().body == f"（原通知对象 {_full(users['hill_dept'])} 无法查看该记录，改由您处理。）"
    nameless = users["lake_dept"]
    nameless.first_name = nameless.last_name = ""
    nameless.save(update_fields=["first_name", "last_name"])
    notify(recipients=[nameless], title="升级2", body="说明", target=world["hill_case"])
    assert Notification.objects.get(title="升级2").body == "说明\n（原通知对象 lake_dept 无法查看该记录，改由您处理。）"


def test_the_replacement_line_is_in_the_new_recipients_language(world):
    users = world["users"]
    StaffProfile.objects.filter(user=users["cs_supervisor"]).update(language="en")
    notify(recipients=[users["hill_dept"]], title="升级", body="说明", target=world["lake_case"])
    note = Notification.objects.get()
    assert note.body == f"说明\n(Meant for {_full(users['hill_dept'])}, who cannot open this record; passed to you.)"


def test_a_recipient_who_can_open_the_record_keeps_it_and_is_not_doubled_by_a_replacement(world):
    users, case = world["users"], world["lake_case"]
    notify(recipients=[users["cs_supervisor"], users["hill_dept"], users["lake_dept"]], title="重大投诉",
           target=case, dedupe_key="major:1")
    assert [r[0] for r in _rows()] == ["cs_supervisor", "lake_dept"]
    assert Notification.objects.get(recipient=users["cs_supervisor"]).body == ""
    # without a dedupe key, the same title, body and link are the one event: the supervisor named
    # and taking hill_dept's copy gets it once, as it was sent (the replacement adds only a line)
    notify(recipients=[users["cs_supervisor"], users["hill_dept"]], title="日报", body="3 件", target=case)
    assert _rows(title="日报") == [("cs_supervisor", "日报", "3 件", "", "info", "")]
    notify(recipients=[users["hill_dept"], users["cs_supervisor"]], title="周报", target=case)
    assert _rows(title="周报") == [("cs_supervisor", "周报", "", "", "info", "")]


def test_two_recipients_replaced_by_the_same_holder_give_one_notice(world, make_user):
    users = world["users"]
    other = make_user("project_dept", username="other_hill", projects=[world["hill_case"].project])
    notify(recipients=[users["hill_dept"], other], title="升级", target=world["lake_case"], dedupe_key="m:1")
    assert [r[0] for r in _rows()] == ["cs_supervisor"]
    # without a dedupe key too: each replacement names another person, yet it is one event
    notify(recipients=[users["hill_dept"], other], title="日报", target=world["lake_case"])
    assert [(r[0], r[2]) for r in _rows(title="日报")] == [
        ("cs_supervisor", f"（原通知对象 {_full(users['hill_dept'])} 无法查看该记录，改由您处理。）")]


def test_internal_work_with_no_record_reaches_staff_but_never_an_outside_user(world, make_user):
    users = world["users"]
    owner = _owner(make_user, world["lake"])
    bare = get_user_model().objects.create_user(username="bare", password="x")  # no role at all
    notify(recipients=[users["manager"], users["hill_dept"], users["liaison"], owner, bare], title="周报",
           body="本周 3 件", dedupe_key="weekly:1")
    told = {r[0]: r[2] for r in _rows()}
    assert set(told) == {"manager", "hill_dept", "cs_supervisor"}
    assert told["manager"] == told["hill_dept"] == "本周 3 件"
    assert told["cs_supervisor"].startswith("本周 3 件\n（原通知对象 ")


def test_an_owner_never_receives_an_internal_notice_about_their_own_case(world, make_user):
    users = world["users"]
    owner = _owner(make_user, world["lake"])
    notify(recipients=[owner], title="时限已超时", target=world["lake_case"])
    notify(recipients=[users["liaison"]], title="时限已超时2", target=world["lake_case"])
    assert [r[0] for r in _rows()] == ["cs_supervisor", "cs_supervisor"]


def test_a_recipient_who_has_left_is_replaced_with_or_without_a_record(world):
    users = world["users"]
    users["manager"].is_active = False
    users["manager"].save(update_fields=["is_active"])
    notify(recipients=[users["manager"]], title="周报")
    notify(recipients=[users["manager"]], title="超时", target=world["hill_case"])
    assert [(r[0], r[1]) for r in _rows()] == [("cs_supervisor", "周报"), ("cs_supervisor", "超时")]


def test_without_a_supervisor_who_may_open_it_every_administrator_is_told(world, make_user):
    users = world["users"]
    make_user("admin", username="admin2")
    users["cs_supervisor"].is_active = False
    users["cs_supervisor"].save(update_fields=["is_active"])
    notify(recipients=[users["hill_dept"]], title="升级", target=world["lake_case"], dedupe_key="u:1")
    notify(recipients=[users["liaison"]], title="周报")
    assert {(r[0], r[1]) for r in _rows()} == {("admin", "周报"), ("admin", "升级"), ("admin2", "周报"),
                                               ("admin2", "升级")}


def test_the_administrators_are_told_only_of_what_the_supervisors_cannot_take(world, make_user):
    """Two notices replaced at once: the supervisor takes the one it may open (internal work),
    the administrators the other (a request to open a customer that no approval gave the
    supervisor: its page lists it to its requester and to a superuser only)."""
    from owners.models import AccessRequest

    users = world["users"]
    request = AccessRequest.objects.create(customer=CustomerFactory(project=world["lake"]),
                                           requested_by=make_user("front_desk", username="asker"), reason="来电")
    batch = [Notification(recipient=users["front_desk"], title="调阅申请", dedupe_key="x:access"),
             Notification(recipient=users["liaison"], title="周报", dedupe_key="x:weekly")]
    assert notify_many(batch, targets=[Target(AccessRequest, request.pk), None]) == 2
    assert [(r[0], r[1]) for r in _rows()] == [("admin", "调阅申请"), ("cs_supervisor", "周报")]


def test_a_notice_nobody_may_open_is_logged_not_sent(world, caplog):
    users = world["users"]
    get_user_model().objects.filter(username__in=["cs_supervisor", "admin"]).update(is_active=False)
    with caplog.at_level(logging.ERROR, logger="crm.notifications"):
        assert notify(recipients=[users["hill_dept"]], title="升级", target=world["lake_case"]) == 0
    assert not Notification.objects.exists()
    assert caplog.messages == ["notification '升级' has no recipient who may open it"]


def test_route_reads_the_recipients_it_was_not_given_and_keeps_those_it_may(world, django_assert_max_num_queries):
    users = world["users"]
    notes = [Notification(recipient_id=users["front_desk"].pk, title="a"),
             Notification(recipient_id=users["liaison"].pk, title="b")]
    routed = route(notes, [world["hill_case"], None])
    assert [(n.recipient_id, n.title) for n in routed] == [(users["front_desk"].pk, "a"),
                                                           (users["cs_supervisor"].pk, "b")]
    with pytest.raises(ValueError):  # one target per notice
        route(notes, [None])


# --- in_languages ------------------------------------------------------------------------------


def test_each_notice_is_written_in_its_recipients_language_and_cut_after_translation(world):
    users = world["users"]
    StaffProfile.objects.filter(user=users["manager"]).update(language="en")
    StaffProfile.objects.filter(user=users["front_desk"]).update(language="zh-hans")
    notes = [Notification(recipient_id=users[name].pk, title=format_lazy(_("新转交的案件：{number}"), number="TS-1"),
                          body=_("待审批")) for name in ("manager", "front_desk", "lake_dept")]
    notes.append(Notification(recipient_id=users["manager"].pk, title="x" * 250, body="正文"))
    notes.append(Notification(recipient_id=users["manager"].pk, title="标题", body=_("待审批")))
    out = in_languages(notes)
    assert out is notes
    assert [(n.title, n.body) for n in out] == [
        ("Case transferred to you: TS-1", "Pending approval"),
        ("新转交的案件：TS-1", "待审批"),
        ("新转交的案件：TS-1", "待审批"),
        ("x" * 200, "正文"),
        ("标题", "Pending approval"),
    ]
    assert all(type(n.title) is str and type(n.body) is str for n in out)


def test_a_recipient_who_never_chose_a_language_reads_the_office_language_whoever_raised_it(world):
    """An English-speaking user's request raises the notice (English is active in the thread): a
    recipient without a language of their own reads the office language, even a message whose
    source text is English (Django's own, translated by the office's catalogue)."""
    from django.utils import translation

    users = world["users"]
    assert StaffProfile.objects.get(user=users["manager"]).language == ""
    with translation.override("en"):
        notify(recipients=[users["manager"]], title=_("This field is required."), body=_("待审批"))
    assert Notification.objects.values_list("title", "body").get() == ("这个字段是必填项。", "待审批")


def test_a_notice_for_a_user_who_no_longer_exists_goes_to_the_department_without_a_name(world):
    """A beat job names its recipients by id (notify_many): one whose user is gone is replaced,
    and the replacement names nobody."""
    users = world["users"]
    gone = get_user_model().objects.order_by("-pk").values_list("pk", flat=True).first() + 100
    batch = [Notification(recipient_id=gone, title="日报", body="3 件"), Notification(recipient_id=gone, title="周报")]
    assert notify_many(batch) == 2
    assert _rows() == [("cs_supervisor", "周报", "", "", "info", ""), ("cs_supervisor", "日报", "3 件", "", "info", "")]
    assert users["cs_supervisor"].pk in Notification.objects.values_list("recipient", flat=True)


def test_routing_reads_each_recipient_and_each_holder_with_its_role_once(world, make_user):
    """A notice to a user at hand costs its insert only; replacing outside users costs the same
    queries for one as for three, and for one supervisor taking them as for three."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    users = world["users"]
    notify(recipients=[users["manager"]], title="预热")  # the role groups' permissions are cached
    with CaptureQueriesContext(connection) as given:
        notify(recipients=[users["manager"]], title="日报")
    assert len(given) == 1, [q["sql"] for q in given]  # the insert: the recipient given is not read again

    def replaced(outsiders):
        with CaptureQueriesContext(connection) as ctx:
            notify_many([Notification(recipient_id=u.pk, title=f"周报{u.pk}") for u in outsiders])
        return len(ctx)

    company = users["liaison"].profile.property_company
    one = replaced([users["liaison"]])
    more = [users["liaison"]] + [make_user("property_company", property_company=company) for _ in range(2)]
    make_user("cs_supervisor")
    make_user("cs_supervisor")
    assert replaced(more) == one
    assert Notification.objects.filter(title__startswith="周报").count() == 1 + 3 * 3
