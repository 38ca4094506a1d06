"""Excel registers: the customer register, the contact log and the care lists (masking by user)."""
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.exports import Column, DateColumn, Register, register
from owners import selectors
from owners.masking import can_see_contact, id_for, phone_for
from owners.permissions import can_see_care_list


@register
class CustomerRegister(Register):
    code = "owners-customers"
    title = _("客户信息登记表")
    permission = "owners.view_customer"

    def queryset(self, user, params):
        return selectors.customer_list(user, params)[0]

    def filter_form(self, user, params):
        return selectors.customer_list(user, params)[1]

    def columns(self, user):
        cols = [
            Column(_("客户编码"), lambda c: c.code, 12),
            Column(_("姓名"), lambda c: c.name, 10),
            Column(_("性别"), lambda c: c.get_gender_display(), 6),
            DateColumn(_("出生日期"), lambda c: c.birth_date, 12),
        ]
        if can_see_contact(user):
            cols += [
                Column(_("手机"), lambda c: phone_for(user, c.phone), 14),
                Column(_("其他电话"), lambda c: phone_for(user, c.phone_alt), 14),
                Column(_("身份证号"), lambda c: id_for(user, c.id_number), 20),
                Column(_("电子邮箱"), lambda c: c.email, 20),
                Column(_("通讯地址"), lambda c: c.address, 30),
            ]
        cols += [
            Column(_("职业"), lambda c: c.occupation, 10),
            Column(_("所属项目"), lambda c: c.project.name, 14),
            Column(_("客户阶段"), lambda c: c.get_stage_display(), 10),
            Column(_("客户来源"), lambda c: c.get_source_display(), 10),
            Column(_("线上客户"), lambda c: c.online, 8),
            Column(_("保密服务"), lambda c: c.confidential, 8),
            Column(_("建档时间"), lambda c: c.created_at, 18),
        ]
        return cols


@register
class ContactLogRegister(Register):
    code = "owners-contacts"
    title = _("来电来访记录")
    permission = "owners.view_contactlog"

    def queryset(self, user, params):
        return selectors.contact_list(user, params)[0]

    def filter_form(self, user, params):
        return selectors.contact_list(user, params)[1]

    def columns(self, user):
        return [
            Column(_("编号"), lambda e: e.number, 16),
            Column(_("时间"), lambda e: e.occurred_at, 18),
            Column(_("类型"), lambda e: e.get_kind_display(), 6),
            Column(_("客户"), lambda e: e.customer.name, 10),
            Column(_("项目"), lambda e: e.project.name, 12),
            Column(_("来电号码"), lambda e: phone_for(user, e.caller_phone), 14),
            Column(_("客户需求"), lambda e: e.need, 40),
            Column(_("答复内容"), lambda e: e.answer, 40),
            Column(_("后续跟进"), lambda e: e.follow_up, 20),
            Column(_("接待人"), lambda e: e.handled_by.get_full_name() or e.handled_by.username, 10),
        ]


@register
class CustomerVisitRegister(Register):
    """访问客户记录表 (seed 003): each visit with its method, the owner's opinions and satisfaction,
    of the customers in the user's scope; ``?month=YYYY-MM`` as on the monthly quota page."""

    code = "owners-visits"
    title = _("访问客户记录表")
    permission = "owners.view_customer"

    def allowed(self, user) -> bool:
        return super().allowed(user) and can_see_care_list(user)  # internal work, like the quotas

    def queryset(self, user, params):
        return selectors.visit_list(user, params)[0]

    def filter_form(self, user, params):
        return selectors.visit_list(user, params)[1]

    def columns(self, user):
        return [
            DateColumn(_("访问日期"), lambda v: v.visited_on, 12),
            Column(_("客户编码"), lambda v: v.customer.code, 12),
            Column(_("客户"), lambda v: v.customer.name, 10),
            Column(_("项目"), lambda v: v.project.name, 14),
            Column(_("访问方式"), lambda v: v.get_method_display(), 10),
            Column(_("访问人"), lambda v: v.visitor.get_full_name() or v.visitor.username, 10),
            Column(_("部门"), lambda v: v.department.name if v.department else "", 12),
            Column(_("客户意见"), lambda v: v.opinions, 40),
            Column(_("满意度(1-5)"), lambda v: v.satisfaction, 8),
        ]


class _CareRow:
    def __init__(self, day, customer, greeted):
        self.day, self.customer, self.greeted = day, customer, greeted


@register
class CareRegister(Register):
    code = "owners-care"
    title = _("关怀名单")
    permission = "owners.view_customer"

    def allowed(self, user) -> bool:
        return super().allowed(user) and can_see_care_list(user)

    def filter_form(self, user, params):
        return selectors.care_list_form(params)

    def _rows(self, user, params):
        view = self.filter_form(user, params).chosen()
        rows = selectors.care_rows(user, view)
        greeted = selectors.greeted_ids(selectors.care_occasion(view), timezone.localdate().year)
        return [_CareRow(d, c, c.pk in greeted) for d, c, _ in rows]

    def queryset(self, user, params):
        return self._rows(user, params)

    def rows(self, user, params):
        return iter(self._rows(user, params))

    def count(self, user, params):
        return len(self._rows(user, params))

    def columns(self, user):
        cols = [
            DateColumn(_("日期"), lambda r: r.day, 12),
            Column(_("客户编码"), lambda r: r.customer.code, 12),
            Column(_("姓名"), lambda r: r.customer.name, 10),
            Column(_("项目"), lambda r: r.customer.project.name, 14),
        ]
        if can_see_contact(user):
            cols.append(Column(_("手机"), lambda r: phone_for(user, r.customer.phone), 14))
        cols.append(Column(_("已问候"), lambda r: r.greeted, 8))
        return cols
