"""Demo data: agent companies, agreements, loans, certificate cases in every stage, two
overdue lists, reminders and lawsuits in every stage. Idempotent (natural keys; the
workflow steps run only on fresh records)."""
import datetime as dt
import io
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from crm.demo import demo_loader, demo_user
from crm.sequences import next_value
from mortgage import services
from mortgage.imports import COLUMNS, overdue_upload_apply, overdue_upload_receive
from mortgage.models import (
    AgencyAgreement, AgentCompany, LitigationCase, MortgageLoan, OverdueRecord, OverdueUpload, TitleCertificateCase,
)

AGENTS = [
    ("安居产权代办有限公司", "王海", "0571-86001234", 5),
    ("诚信房产咨询服务部", "李萍", "0571-86005678", 3),
]
EXTRA_OWNERS = [  # unit in 3栋, name, phone
    ("3-101", "何家明", "13500135101"), ("3-102", "马丽娟", "13500135102"), ("3-201", "罗建华", "13500135201"),
    ("3-202", "高秀英", "13500135202"), ("3-301", "梁志伟", "13500135301"), ("3-302", "宋雅琴", "13500135302"),
    ("3-401", "谢国栋", "13500135401"), ("3-402", "韩雪梅", "13500135402"), ("3-501", "唐文斌", "13500135501"),
    ("3-502", "冯晓东", "13500135502"),
]
BANKS = ["中国建设银行", "中国工商银行", "招商银行", "中国农业银行"]
# target stage per case, in unit order; the path each one takes from "collected"
PATHS = {
    "collected": [], "submitted": ["submit"], "filed": ["submit", "file"], "issued": ["submit", "file", "issue"],
    "mortgage_registered": ["submit", "file", "issue", "register_mortgage"],
    "release_requested": ["submit", "file", "issue", "register_mortgage", "request_release"],
    "released": ["submit", "file", "issue", "register_mortgage", "request_release", "confirm_release"],
    "completed": ["submit", "file", "issue", "complete"],
}
LITIGATION_PATHS = [
    [], ["file"], ["file", "hearing"], ["file", "hearing", "judgment"], ["file", "hearing", "judgment", "enforce"],
    ["file", "settle"], ["file", "hearing", "judgment", "close"],
]


@demo_loader(order=40)
def load_mortgage(log):
    from owners.models import Building, Customer, Ownership, Project, Unit

    staff, manager = demo_user("cs_staff"), demo_user("manager")
    finance, legal = demo_user("finance"), demo_user("legal")
    today = timezone.localdate()
    sunshine, riverside = Project.objects.get(code="sunshine"), Project.objects.get(code="riverside")

    agents = [AgentCompany.objects.update_or_create(name=name, defaults={"contact_person": person, "phone": phone,
                                                                         "rating": rating})[0]
              for name, person, phone, rating in AGENTS]

    def agreement(project, agent, fee, target):
        found = AgencyAgreement.objects.filter(project=project, agent=agent).first()
        if found:
            return found
        made = services.agreement_create(user=staff, agent=agent, project=project, scope="分户产权证办理、抵押登记及撤销担保",
                                         fee_per_case=Decimal("300"), total_fee=fee, signed_on=today - dt.timedelta(days=400))
        if target in ("pending", "active"):
            services.agreement_submit(agreement=made, user=staff)
        if target == "active":
            services.agreement_decide(agreement=made, user=manager, approve=True, comment="同意")
        return made

    active = agreement(sunshine, agents[0], Decimal("12000"), "active")
    agreement(riverside, agents[1], Decimal("9000"), "pending")
    agreement(riverside, agents[0], Decimal("6000"), "draft")

    building, _ = Building.objects.get_or_create(project=sunshine, name="3栋")
    for number, name, phone in EXTRA_OWNERS:
        unit, _ = Unit.objects.update_or_create(building=building, number=number, defaults={
            "project": sunshine, "area": Decimal("96.00"), "layout": "三室两厅", "floor": int(number[2]),
            "delivery_date": sunshine.first_movein_date})
        customer = Customer.objects.filter(phone=phone).first() or Customer(code=f"C{next_value('customer'):06d}", phone=phone)
        customer.name, customer.project, customer.stage = name, sunshine, "resident"
        customer.save()
        Ownership.objects.get_or_create(customer=customer, unit=unit, kind=Ownership.Kind.OWNER)

    # loans: every sunshine owner except 1-102 (paid in full)
    owners = list(Ownership.objects.filter(unit__project=sunshine, kind="owner").select_related("unit", "customer")
                  .order_by("unit__building__name", "unit__number"))
    for i, own in enumerate(owners):
        if own.unit.number == "1-102":
            continue
        number = f"DK{own.unit.number.replace('-', '')}{i:02d}"
        if not MortgageLoan.objects.filter(unit=own.unit, customer=own.customer).exists():
            services.loan_create(user=finance, customer=own.customer, unit=own.unit, loan_number=number,
                                 bank=BANKS[i % len(BANKS)], amount=Decimal(600000 + i * 25000), term_months=240,
                                 start_date=dt.date(2023, 6, 1))

    services.certificate_cases_create_for_project(project=sunshine, agreement=active, user=staff,
                                                  collected_on=today - dt.timedelta(days=120))
    stages = list(PATHS)
    cases = list(TitleCertificateCase.objects.filter(project=sunshine).order_by("unit__building__name", "unit__number"))
    for i, case in enumerate(cases):
        target = stages[i % len(stages)]
        if case.loan_id is None:
            target = "completed"
        if case.loan_id is not None and target == "completed":
            target = "released"
        if case.stage != "collected" or case.history.count() > 1:
            continue  # already walked on an earlier load
        day = today - dt.timedelta(days=110)
        for step in PATHS[target]:
            day += dt.timedelta(days=12)
            user = finance if step == "confirm_release" else staff
            services.certificate_advance(case=case, action=step, user=user, on=min(day, today),
                                         certificate_number=f"浙(2026)杭州市不动产权第{1000 + i:07d}号")
        if target in ("submitted", "filed") and not case.chases.exists():
            services.certificate_chase_log(case=case, user=staff, result="已电话督促代办公司，答复本周内推进",
                                           next_date=today + dt.timedelta(days=3))

    # overdue lists: an earlier one and today's; the first loan is absent today and closes
    if not OverdueUpload.objects.filter(status=OverdueUpload.Status.APPLIED).exists():
        loans = list(MortgageLoan.objects.filter(project=sunshine).select_related("customer", "unit")
                     .order_by("loan_number"))[:10]
        earlier = _rows(loans, today, shift=0)
        _apply(_xlsx(earlier, "逾期名单-上月.xlsx"), today - dt.timedelta(days=30), finance)
        _apply(_xlsx(_rows(loans[1:], today, shift=1), "逾期名单-本月.xlsx"), today, finance)
        flagged = list(OverdueRecord.objects.filter(status="open", litigation_required=True).order_by("pk"))
        for record in OverdueRecord.objects.filter(status="open").order_by("pk")[:4]:
            services.reminder_log(record=record, user=staff, method="phone", summary="电话提醒业主按时还款",
                                  promise="本月底前补缴", promised_date=today + dt.timedelta(days=7),
                                  next_follow_up=today + dt.timedelta(days=7))
        for record, path in zip(flagged, LITIGATION_PATHS):
            services.reminder_log(record=record, user=staff, method="lawyer_letter", summary="已寄送律师函，业主未回应")
            case = services.litigation_hand_over(record=record, user=staff, assignee=legal,
                                                 dossier_note="多次电话、律师函催缴无果；附按揭合同与银行逾期证明。")
            for step in path:
                services.litigation_advance(case=case, action=step, user=legal, court="杭州市滨江区人民法院",
                                            court_case_number=f"(2026)浙0108民初{case.pk:04d}号",
                                            outcome="双方达成还款协议" if step == "settle" else "判决业主偿还欠款并承担诉讼费")
    # The hand-over notices are demo noise for legal, whose dashboard card already lists the cases
    # (and an empty inbox is part of the shared demo's promise for that role).
    from crm.models import Notification

    Notification.objects.filter(recipient=legal, dedupe_key__startswith="mortgage:handover:").delete()
    log(f"产权证与按揭：代办协议 {AgencyAgreement.objects.count()} 份，产权证办理 {TitleCertificateCase.objects.count()} 宗，"
        f"逾期记录 {OverdueRecord.objects.count()} 条，诉讼 {LitigationCase.objects.count()} 宗")


def _rows(loans, today, shift):
    rows = []
    for i, loan in enumerate(loans):
        i += shift
        months = [2, 8, 3, 1, 9, 4, 7, 2, 10, 3][i % 10]
        amount = [3500, 9000, 26000, 1800, 12000, 31000, 6400, 2200, 15000, 4800][i % 10]
        recommends = "是" if i % 5 == 3 else "否"
        since = today - relativedelta(months=months)
        rows.append([loan.customer.name, loan.customer.id_number, loan.unit.number, loan.loan_number, loan.bank,
                     amount, since, months, recommends])
    return rows


def _xlsx(rows, name):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS.values()))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def _apply(uploaded, report_date, user):
    upload = overdue_upload_receive(user=user, uploaded=uploaded, report_date=report_date)
    overdue_upload_apply(upload=upload, user=user)
