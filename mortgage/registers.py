"""Excel registers: title certificates and overdue mortgages (same filters and scope as the lists)."""
from django.db.models import Prefetch
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.exports import Column, DateColumn, Register, register
from mortgage.models import CertificateChase, CollectionReminder
from mortgage.selectors import certificate_register, loan_register, overdue_register


def _d(value):
    return value or ""


def _when(value):
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _who(user):
    return (user.get_full_name() or user.username) if user else ""


def _latest_chase(case):
    """督促办证: the latest chase of the agent, its result and the next date (prefetched)."""
    chases = list(case.chases.all())
    if not chases:
        return ""
    last = max(chases, key=lambda c: c.chased_at)
    text = f"{_when(last.chased_at)} {_who(last.chased_by)}：{last.result}"
    return text + (gettext("；下次督促 {date}").format(date=last.next_date) if last.next_date else "")


def _latest_reminder(record):
    """催缴: the latest contact, what the owner promised and the next follow-up (prefetched)."""
    reminders = list(record.reminders.all())
    if not reminders:
        return ""
    last = max(reminders, key=lambda r: r.contacted_at)
    text = f"{_when(last.contacted_at)} {last.get_method_display()} {_who(last.contacted_by)}：{last.summary}"
    if last.promise or last.promised_date:
        text += gettext("；承诺：{promise}").format(promise=last.promise) + (
            gettext("（{date}前还款）").format(date=last.promised_date) if last.promised_date else "")
    return text + (gettext("；下次跟进 {date}").format(date=last.next_follow_up) if last.next_follow_up else "")


def _litigation_stage(record):
    litigation = getattr(record, "litigation", None)  # a missing one-to-one raises an AttributeError
    return litigation.get_stage_display() if litigation else ""


@register
class CertificateRegister(Register):
    code = "mortgage-certificates"
    title = _("产权证办理登记簿")
    permission = "mortgage.view_titlecertificatecase"

    def filter_form(self, user, params):
        return certificate_register(user, params)[1]

    def queryset(self, user, params):
        return certificate_register(user, params)[0].prefetch_related(
            Prefetch("chases", queryset=CertificateChase.objects.select_related("chased_by")))

    def columns(self, user):
        return [
            Column(_("项目"), lambda c: c.project.name, 14),
            Column(_("房号"), lambda c: c.unit.number, 10),
            Column(_("业主"), lambda c: c.customer.name, 10),
            Column(_("代办公司"), lambda c: c.agreement.agent.name if c.agreement else "", 18),
            Column(_("办理阶段"), lambda c: c.get_stage_display(), 14),
            DateColumn(_("材料收齐"), lambda c: c.collected_on, 12),
            DateColumn(_("提交代办"), lambda c: c.submitted_on, 12),
            DateColumn(_("递件"), lambda c: c.filed_on, 12),
            Column(_("产权证号"), lambda c: c.certificate_number, 18),
            DateColumn(_("出证日期"), lambda c: c.certificate_date, 12),
            DateColumn(_("抵押登记"), lambda c: c.mortgage_registered_on, 12),
            DateColumn(_("申请撤销担保"), lambda c: c.release_requested_on, 12),
            DateColumn(_("撤销担保"), lambda c: c.released_on, 12),
            DateColumn(_("约定完成日期"), lambda c: c.due_date, 12),
            Column(_("是否超期"), lambda c: bool(c.due_date and not c.is_finished and c.due_date < _today()), 8),
            Column(_("督促次数"), lambda c: len(c.chases.all()), 8),
            Column(_("最近督促"), _latest_chase, 40),
        ]


def _today():
    from django.utils import timezone

    return timezone.localdate()


@register
class OverdueRegister(Register):
    code = "mortgage-overdue"
    title = _("按揭逾期登记簿")
    permission = "mortgage.view_overduerecord"

    def filter_form(self, user, params):
        return overdue_register(user, params)[1]

    def queryset(self, user, params):
        return overdue_register(user, params)[0].prefetch_related(
            Prefetch("reminders", queryset=CollectionReminder.objects.select_related("contacted_by")))

    def columns(self, user):
        return [
            Column(_("项目"), lambda r: r.project.name, 14),
            Column(_("房号"), lambda r: r.loan.unit.number, 10),
            Column(_("业主"), lambda r: r.customer.name, 10),
            Column(_("贷款编号"), lambda r: r.loan.loan_number, 16),
            Column(_("银行"), lambda r: r.loan.bank, 12),
            Column(_("逾期金额(元)"), lambda r: r.amount, 12),
            DateColumn(_("逾期起始日"), lambda r: r.overdue_since, 12),
            Column(_("逾期期数"), lambda r: r.periods, 8),
            Column(_("银行建议诉讼"), lambda r: r.bank_recommends, 8),
            Column(_("状态"), lambda r: r.get_status_display(), 8),
            Column(_("须诉讼"), lambda r: r.litigation_required, 8),
            Column(_("诉讼理由"), lambda r: r.litigation_reason_display, 30),
            Column(_("诉讼阶段"), _litigation_stage, 10),
            Column(_("催缴次数"), lambda r: len(r.reminders.all()), 8),
            Column(_("最近催缴及承诺"), _latest_reminder, 40),
            DateColumn(_("最近报表日期"), lambda r: r.last_report_date, 12),
        ]


@register
class LoanRegister(Register):
    code = "mortgage-loans"
    title = _("按揭贷款登记簿")
    permission = "mortgage.view_mortgageloan"

    def filter_form(self, user, params):
        return loan_register(user, params)[1]

    def queryset(self, user, params):
        return loan_register(user, params)[0]

    def columns(self, user):
        return [
            Column(_("贷款编号"), lambda l: l.loan_number, 16),
            Column(_("项目"), lambda l: l.project.name, 14),
            Column(_("房号"), lambda l: str(l.unit), 12),
            Column(_("业主"), lambda l: l.customer.name, 10),
            Column(_("贷款银行"), lambda l: l.bank, 14),
            Column(_("贷款金额(元)"), lambda l: l.amount, 14),
            Column(_("贷款期限(月)"), lambda l: l.term_months, 10),
            DateColumn(_("放款日期"), lambda l: l.start_date, 12),
            Column(_("开发商担保"), lambda l: gettext("有效") if l.guarantee_active else gettext("已撤销"), 10),
            DateColumn(_("担保撤销日期"), lambda l: l.guarantee_released_on, 12),
            Column(_("逾期金额(元)"), lambda l: l.overdue_amount or "", 12),
        ]
