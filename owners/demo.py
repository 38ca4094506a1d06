"""Demo projects, buildings, units and owners (the owners issue adds more records)."""
import datetime as dt
from decimal import Decimal

from crm.demo import demo_loader, demo_user
from crm.sequences import next_value
from owners.models import Building, Customer, Ownership, Project, Unit

PROJECTS = [
    # code, name, address, close-out, first move-in
    ("sunshine", "阳光花园", "滨江区江南大道 88 号", dt.date(2024, 6, 30), dt.date(2023, 12, 20)),
    ("riverside", "江畔华府", "西湖区文三路 168 号", dt.date(2027, 3, 31), dt.date(2026, 9, 28)),
]
OWNERS = [
    # project, building, unit, area, name, gender, phone, id number, birth date, stage
    ("sunshine", "1栋", "1-101", "89.50", "刘建国", "M", "13800138001", "110101198001011232", dt.date(1980, 1, 1), "resident"),
    ("sunshine", "1栋", "1-102", "120.00", "陈美玲", "F", "13900139002", "", dt.date(1985, 11, 28), "resident"),
    ("sunshine", "2栋", "2-301", "143.20", "黄志强", "M", "13700137003", "", dt.date(1978, 12, 5), "resident"),
    ("sunshine", "2栋", "2-302", "89.50", "林晓燕", "F", "13600136004", "", dt.date(1990, 12, 1), "signed"),
    ("riverside", "A座", "A-1201", "98.00", "吴海涛", "M", "15800158005", "", dt.date(1988, 3, 15), "signed"),
    ("riverside", "A座", "A-1202", "126.40", "郑丽华", "F", "15900159006", "", dt.date(1992, 12, 10), "subscribed"),
]

# Enquiries that own nothing yet (意向客户): name, gender, phone, source, online, need area, layout, budget.
PROSPECTS = [
    ("riverside", "周文斌", "M", "18600186007", "exhibition", False, "90-110㎡", "三室两厅", "200 万以内"),
    ("riverside", "孙雅琴", "F", "18700187008", "online", True, "120㎡ 以上", "四室两厅", "300 万左右"),
]


@demo_loader(order=10)
def load_projects(log):
    projects = {}
    for code, name, address, closeout, movein in PROJECTS:
        projects[code], _ = Project.objects.update_or_create(
            code=code, defaults={"name": name, "address": address, "closeout_date": closeout, "first_movein_date": movein}
        )
    for code, building_name, number, area, name, gender, phone, id_number, birth, stage in OWNERS:
        project = projects[code]
        building, _ = Building.objects.get_or_create(project=project, name=building_name)
        unit, _ = Unit.objects.update_or_create(
            building=building, number=number,
            defaults={"project": project, "area": Decimal(area), "layout": "三室两厅" if Decimal(area) > 100 else "两室两厅",
                      "floor": int(number.split("-")[1][:-2] or 1), "delivery_date": project.first_movein_date},
        )
        customer = Customer.objects.filter(phone=phone).first()
        if customer is None:
            customer = Customer(code=f"C{next_value('customer'):06d}", phone=phone)
        customer.name, customer.gender, customer.birth_date, customer.stage = name, gender, birth, stage
        customer.project, customer.id_number = project, id_number
        customer.save()
        Ownership.objects.get_or_create(customer=customer, unit=unit, kind=Ownership.Kind.OWNER,
                                        defaults={"contract_date": dt.date(2023, 5, 1)})
    for code, name, gender, phone, source, online, area, layout, budget in PROSPECTS:
        customer = Customer.objects.filter(phone=phone).first() or Customer(
            code=f"C{next_value('customer'):06d}", phone=phone)
        customer.name, customer.gender, customer.project, customer.stage = name, gender, projects[code], "prospect"
        customer.source, customer.online = source, online
        customer.need_area, customer.need_layout, customer.budget = area, layout, budget
        customer.save()
    demo_user("project_dept").profile.projects.set([projects["riverside"]])
    log(f"演示项目：{len(projects)} 个，业主 {len(OWNERS)} 位，意向客户 {len(PROSPECTS)} 位")


@demo_loader(order=11)
def load_customer_affairs(log):
    """Contacts, visits, documents, a preference profile, surveys, greetings and access requests."""
    import datetime as dt

    from django.utils import timezone

    from crm.approvals import approvals_for, approver_role_for
    from owners import services
    from owners.models import (
        ACCESS_SUBJECT, AccessRequest, ContactLog, CustomerVisit, Greeting, PreferenceProfile, SatisfactionSurvey, SurveyScore,
        UnitDocument,
    )

    front, staff = demo_user("front_desk"), demo_user("cs_staff")
    liu = Customer.objects.get(phone="13800138001")
    chen = Customer.objects.get(phone="13900139002")
    wu = Customer.objects.get(phone="15800158005")
    Customer.objects.filter(pk=chen.pk).update(confidential=True)
    now = timezone.now()
    today = timezone.localdate()

    def contact(number, customer, kind, need, answer, user, days_ago):
        ContactLog.objects.update_or_create(number=number, defaults={
            "kind": kind, "customer": customer, "project": customer.project, "caller_phone": customer.phone,
            "occurred_at": now - dt.timedelta(days=days_ago), "need": need, "answer": answer, "handled_by": user})

    contact("LD-DEMO-001", liu, "call", "询问产权证办理进度", "已告知预计下月可领取", front, 2)
    contact("LD-DEMO-002", wu, "visit", "咨询交房时间与流程", "已介绍入伙流程，交房通知将另行寄送", front, 5)
    contact("LD-DEMO-003", liu, "call", "反映楼道灯不亮", "已转物业公司处理", staff, 1)

    demo_phones = [row[6] for row in OWNERS if row[0] == "sunshine"]
    for i, customer in enumerate(Customer.objects.filter(phone__in=demo_phones).order_by("code")):
        CustomerVisit.objects.update_or_create(
            customer=customer, visitor=front, visited_on=today.replace(day=1), defaults={
                "project": customer.project, "department": front.profile.department, "method": "phone",
                "opinions": "对小区环境总体满意", "satisfaction": 4 + (i % 2)})

    profile, _ = PreferenceProfile.objects.get_or_create(customer=liu)
    PreferenceProfile.objects.filter(pk=profile.pk).update(
        allergies="花粉", dietary="不吃辣", likes="喜欢书法", language="普通话", special_requests="来电请先发短信")

    unit = liu.ownerships.first().unit
    for kind in ["movein_notice", "handover_permit", "sales_contract", "handover_confirm"]:
        UnitDocument.objects.update_or_create(unit=unit, kind=kind, defaults={
            "received_on": dt.date(2023, 12, 20), "recorded_by": staff})

    if not SatisfactionSurvey.objects.filter(comment__startswith="[演示]").exists():
        for months_ago, base in ((2, 3), (1, 4), (0, 4)):
            for customer in (liu, wu):
                day = (today.replace(day=1) - dt.timedelta(days=30 * months_ago))
                survey = SatisfactionSurvey.objects.create(customer=customer, project=customer.project,
                                                           surveyed_on=day, surveyed_by=staff, comment="[演示] 季度回访")
                SurveyScore.objects.bulk_create([
                    SurveyScore(survey=survey, topic=t, score=min(5, base + (t == "service")))
                    for t in SurveyScore.Topic.values])

    Greeting.objects.get_or_create(customer=liu, occasion="spring", year=today.year, defaults={"greeted_by": front})

    pd = demo_user("project_dept")
    approver = demo_user(approver_role_for(ACCESS_SUBJECT))  # whom the approval matrix names

    def access(customer, user, reason, approve=None, days_ago=0):
        """A request through the services and the shared approval step, decided ``days_ago``."""
        if AccessRequest.objects.filter(reason=reason).exists():
            return
        req = services.access_request_submit(customer=customer, user=user, reason=reason)
        if approve is not None:
            services.access_request_decide(request_id=req.pk, user=approver, approve=approve)
        if days_ago:
            then = now - dt.timedelta(days=days_ago)
            AccessRequest.objects.filter(pk=req.pk).update(
                requested_at=then, valid_on=today - dt.timedelta(days=days_ago) if approve else None)
            approvals_for(req).update(submitted_at=then, decided_at=then)

    access(liu, pd, "[演示] 协助处理交房遗留问题")
    access(chen, pd, "[演示] 核对签约资料", approve=False)
    # An approval is good for its day only: this one, three days old, opens nothing now.
    access(wu, front, "[演示] 核对来访登记", approve=True, days_ago=3)
    log("演示客户事务：来电来访 3 条、访问记录、入伙资料、客情档案、满意度调查、问候记录、调阅申请")
