"""Build clubs data through the real services."""
import datetime as dt
from decimal import Decimal

from django.utils import timezone

from clubs import activities, services
from crm.tests.factories import make_customer, make_project


def forum(user, project=None, title="业主座谈会", **kw):
    data = {"kind": "general", "purpose": "听取业主对物业服务的意见", "format": "meeting", "budget": Decimal("2000"),
            "planned_at": timezone.now() + dt.timedelta(days=7), "location": "会所"}
    invite = kw.pop("invite", True)
    data.update(kw)
    project = project or make_project("forum")
    created = services.forum_create(user=user, title=title, project=project, **data)
    if invite:  # a plan names its participants before it is submitted
        guest = make_customer(project, name="受邀业主", phone=f"1380000{created.pk:04d}")
        services.forum_set_participants(user=user, forum=created, customers=[guest], criteria="测试")
    return created


def founded_club(staff, manager, name="阳光·测试会"):
    club = services.club_create(user=staff, name=name, founding_plan="成立客户会，联络业主感情")
    services.club_submit(user=staff, club=club)
    services.club_decide(user=manager, club=club, approve=True)
    return services.club_found(user=staff, club=club, founded_on=timezone.localdate(), rules="会员章程")


def member(staff, club, name="张三", phone="13900000001", project=None, **kw):
    customer = make_customer(project or make_project("club"), name=name, phone=phone)
    return services.member_enroll(user=staff, club=club, customer=customer, **kw)


def activity(staff, club, title="中秋联谊会", **kw):
    today = timezone.localdate()
    data = {"kind": "single", "period_start": today, "period_end": today, "purpose": "增进邻里感情",
            "content": "赏月、猜灯谜", "format": "gathering", "budget": Decimal("5000")}
    data.update(kw)
    return activities.activity_create(user=staff, club=club, title=title, **data)
