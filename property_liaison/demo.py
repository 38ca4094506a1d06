import datetime as dt

from django.utils import timezone

from crm.demo import demo_loader, demo_user
from owners.models import Project, Unit
from property_liaison import services
from property_liaison.models import (
    ActionItem, Cadence, CommitteeFormation, CoordinationMeeting, Finding, Inspection, PropertyAppointment,
    PropertyCompany, RepairRequest, WarrantyCategory,
)


@demo_loader(order=20)
def load_companies(log):
    company, _ = PropertyCompany.objects.update_or_create(
        name="绿城物业服务有限公司", defaults={"contact": "周经理", "phone": "0571-88880001"}
    )
    other, _ = PropertyCompany.objects.update_or_create(
        name="安居物业管理有限公司", defaults={"contact": "吴经理", "phone": "0571-88880002"}
    )
    sunshine = Project.objects.get(code="sunshine")
    riverside = Project.objects.get(code="riverside")
    PropertyAppointment.objects.update_or_create(
        project=sunshine, company=company, defaults={"start_date": dt.date(2023, 12, 1), "contract_no": "WY-2023-001"}
    )
    PropertyAppointment.objects.update_or_create(
        project=riverside, company=other, defaults={"start_date": dt.date(2026, 9, 1), "contract_no": "WY-2026-007"}
    )
    profile = demo_user("property_company").profile
    profile.property_company = company
    profile.save(update_fields=["property_company"])
    log("演示物业公司：2 家")


def _days_ago(n):
    return timezone.localdate() - dt.timedelta(days=n)


@demo_loader(order=20)
def load_liaison_records(log):
    """Coordination, inspections, rectifications, the committee and repairs in every state.
    Idempotent: each record is looked up by a natural key before the service creates it."""
    staff, supervisor = demo_user("cs_staff"), demo_user("cs_supervisor")
    liaison = demo_user("property_company")
    sunshine = Project.objects.get(code="sunshine")
    riverside = Project.objects.get(code="riverside")
    services.coordination_plan_set(user=supervisor, project=sunshine, cadence=Cadence.MONTHLY, note="稳定期每月协调")
    services.coordination_plan_set(user=supervisor, project=riverside, cadence=Cadence.WEEKLY, note="入伙初期每周协调")

    def meeting(project, days, form, minutes, issues):
        found = CoordinationMeeting.objects.filter(project=project, date=_days_ago(days), minutes=minutes).first()
        return found or services.coordination_record(
            user=staff, project=project, date=_days_ago(days), form=form, attendees="李专员、周经理、物业客服主管",
            minutes=minutes, issues_raised=issues)

    m1 = meeting(sunshine, 40, "meeting", "月度协调会：通报业主投诉情况，布置秋季绿化补种。", "2栋电梯异响；地库照明不足")
    m2 = meeting(sunshine, 12, "on_site", "现场查看地库照明整改及垃圾分类点。", "垃圾分类点异味")
    meeting(riverside, 10, "phone", "电话沟通入伙装修管理安排。", "装修垃圾清运时间")

    def item(m, description, state):
        found = ActionItem.objects.filter(meeting=m, description=description).first()
        if found:
            return found
        it = services.action_item_add(user=staff, meeting=m, description=description, party="property_company",
                                      assignee="物业工程部", due_date=m.date + dt.timedelta(days=7))
        if state in ("answered", "verified"):
            services.follow_up_answer(user=liaison, follow_up=it, answer="已安排维保单位处理完毕。")
        if state == "verified":
            services.follow_up_verify(user=staff, follow_up=it, note="现场复查合格")
        return it

    item(m1, "2栋电梯异响检修", "verified")
    item(m1, "地库增加照明灯具", "answered")
    item(m2, "垃圾分类点每日两次清洗消毒", "open")

    scores = [(150, 78), (120, 82), (90, 85), (60, 80), (30, 88), (5, 91)]
    for days, base in scores:
        if Inspection.objects.filter(project=sunshine, date=_days_ago(days)).exists():
            continue
        services.inspection_record(
            user=staff, project=sunshine, kind="routine" if days != 60 else "special", date=_days_ago(days),
            summary="例行检查安保、保洁、绿化、设施设备及装修管理。",
            scores={"security": (base + 2, ""), "cleaning": (base - 5, "楼道有杂物"), "greening": (base, ""),
                    "facilities": (min(base + 4, 100), ""), "movein": (base - 1, "")})
    if not Inspection.objects.filter(project=riverside, date=_days_ago(3)).exists():
        services.inspection_record(user=supervisor, project=riverside, kind="owners", date=_days_ago(3),
                                   summary="收集业主对装修管理的意见。",
                                   scores={"movein": (72, "装修垃圾堆放超时"), "security": (85, "")})
    recent = Inspection.objects.filter(project=sunshine, date=_days_ago(5)).first()
    older = Inspection.objects.filter(project=sunshine, date=_days_ago(30)).first()

    def finding(inspection, description, requirement, deadline_days, state):
        if Finding.objects.filter(inspection=inspection, description=description).exists():
            return
        f = services.finding_add(user=staff, inspection=inspection, area="cleaning", description=description,
                                 requirement=requirement, deadline=inspection.date + dt.timedelta(days=deadline_days))
        rect = f.rectifications.first()
        if rect and state in ("answered", "verified"):
            services.follow_up_answer(user=liaison, follow_up=rect, answer="已整改，附整改后照片。")
        if rect and state == "verified":
            services.follow_up_verify(user=staff, follow_up=rect, note="复查合格")

    finding(older, "3栋楼道堆放杂物", "三日内清理并张贴告示", 3, "verified")
    finding(older, "消防通道被占用", "立即清理并加强巡查", 2, "open")  # overdue
    finding(recent, "绿化带枯死苗木", "两周内补种", 14, "answered")
    finding(recent, "门岗登记不全", "规范外来人员登记", 10, "open")
    riverside_inspection = Inspection.objects.filter(project=riverside, date=_days_ago(3)).first()
    if riverside_inspection:
        finding(riverside_inspection, "装修垃圾堆放超过48小时", "每日清运", 5, "open")
    services.overdue_rectifications_escalate()

    for project in (sunshine, riverside):
        services.committee_refresh(project=project)
    formation = CommitteeFormation.objects.get(project=sunshine)
    if formation.step == CommitteeFormation.Step.WAITING:
        services.committee_advance(user=staff, formation=formation, step="conditions_met", on=_days_ago(300))
        services.committee_notify_authorities(user=staff, formation=formation, on=_days_ago(295))
        services.committee_advance(user=staff, formation=formation, step="preparatory_group", on=_days_ago(200),
                                   note="街道办事处牵头成立筹备组")

    services.warranty_categories_ensure()
    categories = {c.code: c for c in WarrantyCategory.objects.all()}
    units = {u.number: u for u in Unit.objects.filter(project__in=[sunshine, riverside])}
    repairs = [
        ("1-101", "waterproofing", "卫生间", "卫生间地面渗水到楼下", "visited"),
        ("1-102", "plumbing", "厨房", "厨房下水管漏水（已过保修期）", "new"),
        ("2-301", "electrical", "客厅", "客厅插座无电", "confirmed"),
        ("2-302", "waterproofing", "外墙", "外墙雨天渗水", "completed"),
        ("A-1201", "decoration", "主卧", "木地板起拱", "assigned"),
    ]
    for number, code, location, description, state in repairs:
        unit = units.get(number)
        if unit is None or RepairRequest.objects.filter(unit=unit, description=description).exists():
            continue
        repair = services.repair_register(user=staff, unit=unit, category=categories[code], location=location,
                                          description=description, reported_on=_days_ago(20))
        steps = ["assigned", "completed", "confirmed", "visited"]
        if state == "new":
            continue
        services.repair_assign(user=liaison, repair=repair, assignee="物业工程部", due_date=_days_ago(10))
        if steps.index(state) >= 1:
            services.repair_complete(user=liaison, repair=repair, on=_days_ago(12), note="已修复")
        if steps.index(state) >= 2:
            services.repair_confirm(user=staff, repair=repair, on=_days_ago(11))
        if steps.index(state) >= 3:
            services.repair_visit(user=staff, repair=repair, on=_days_ago(5), note="业主满意")
    log("演示物业协调：协调、检查、整改、业委会、保修维修")
