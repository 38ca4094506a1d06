"""Demo cases in every state of both workflows, made through the real services (idempotent by title)."""
import datetime as dt

from django.utils import timezone

from crm.demo import demo_loader, demo_user

from . import services
from .models import Complaint, Kind

LONG_PATH = ["classify_valid", "investigate", "submit_plan", "reject_plan", "submit_plan", "approve_plan",
             "negotiate_fail", "submit_plan", "approve_plan", "negotiate_agree", "execute", "feedback",
             "return_visit", "send_correction", "verify_correction", "close", "archive"]  # the visit never waits


def _step(case, name, u):
    calls = {
        "transfer": lambda: services.complaint_transfer(complaint=case, user=u("front_desk"), handler=u("cs_staff")),
        "classify_valid": lambda: services.complaint_classify(complaint=case, user=u("cs_supervisor"), valid=True,
                                                              severity="important"),
        "classify_invalid": lambda: services.complaint_classify(complaint=case, user=u("cs_supervisor"), valid=False,
                                                                reason="属于市政供水问题，已向业主解释"),
        "investigate": lambda: services.complaint_investigate(complaint=case, user=u("cs_staff"),
                                                              cause="外墙防水层开裂", responsibility="总包施工单位"),
        "submit_plan": lambda: services.plan_submit(complaint=case, user=u("cs_staff"),
                                                    content=f"维修外墙防水并修复室内墙面（{case.plans.count() + 1}）"),
        "reject_plan": lambda: services.plan_decide(complaint=case, user=u("manager"), approve=False,
                                                    comment="请补充工期和临时安置"),
        "approve_plan": lambda: services.plan_decide(complaint=case, user=u("manager"), approve=True, comment="同意"),
        "negotiate_fail": lambda: services.negotiation_record(complaint=case, user=u("cs_staff"), agreed=False,
                                                              owner_opinion="要求补偿租房费用"),
        "negotiate_agree": lambda: services.negotiation_record(complaint=case, user=u("cs_staff"), agreed=True,
                                                               owner_opinion="同意方案"),
        "execute": lambda: services.complaint_execute(complaint=case, user=u("cs_staff"), result="已修复，淋水试验合格"),
        "feedback": lambda: services.complaint_feedback(complaint=case, user=u("front_desk"),
                                                        feedback="已电话告知处理结果", owner_opinion="满意"),
        "send_correction": lambda: services.correction_send(complaint=case, user=u("cs_staff"), method="letter",
                                                            departments="工程部", action="外墙防水专项验收"),
        "verify_correction": lambda: services.correction_verify(complaint=case, user=u("cs_supervisor"),
                                                                verification="验收记录已补齐"),
        "return_visit": lambda: services.return_visit_record(complaint=case, user=u("front_desk"), handled=True,
                                                             satisfaction=5),
        "close": lambda: services.complaint_close(complaint=case, user=u("cs_staff")),
        "archive": lambda: services.complaint_archive(complaint=case, user=u("cs_supervisor")),
        "reply": lambda: services.complaint_reply(complaint=case, user=u("front_desk"), reply="已答复业主"),
    }
    calls[name]()
    case.refresh_from_db()


@demo_loader(order=30)
def load_complaints(log):
    from owners.models import Customer

    owners = list(Customer.objects.filter(ownerships__isnull=False).distinct().order_by("pk")[:6])
    if not owners:
        return
    u = demo_user
    plans = [(Kind.COMPLAINT, f"演示：外墙渗水（{i + 1}）", LONG_PATH[:i]) for i in range(len(LONG_PATH) + 1)]
    plans += [(Kind.COMPLAINT, "演示：无效投诉", ["classify_invalid"]),
              (Kind.DISPUTE, "演示：车位纠纷", ["transfer"]),
              (Kind.NEED, "演示：增设快递柜", []), (Kind.NEED, "演示：绿化建议", ["reply"]),
              (Kind.ENQUIRY, "演示：咨询产权证", ["reply", "close"]), (Kind.PRAISE, "演示：表扬保安", ["reply", "close", "archive"])]
    made = 0
    for i, (kind, title, path) in enumerate(plans):
        if Complaint.objects.filter(title=title).exists():
            continue
        owner = owners[i % len(owners)]
        unit = owner.ownerships.select_related("unit").first().unit
        case = services.complaint_register(
            received_by=u("front_desk"), kind=kind, channel="phone", category="quality", title=title,
            description=f"{title}，业主来电反映。", customer=owner, unit=unit,
            received_at=timezone.now() - dt.timedelta(hours=2 + i))
        for name in path:
            _step(case, name, u)
        made += 1
    log(f"投诉演示数据：新增 {made} 件")
