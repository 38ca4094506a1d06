"""Dashboard cards: monthly visit quota attainment, birthdays this week, pending access requests."""
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.approvals import decidable_by
from crm.dashboard import Card, card_provider
from crm.roles import Role
from crm.scopes import user_role
from owners import selectors
from owners.models import ACCESS_SUBJECT
from owners.permissions import can_see_care_list


def _quota_note(row) -> str:
    return _("指标 %(quota)s 户，完成 %(percent)s%%") % {"quota": row["quota"], "percent": row["percent"]}


@card_provider
def cards(user):
    # Whoever the approval matrix names decides access requests, whatever their role.
    pending = decidable_by(user).filter(subject=ACCESS_SUBJECT).count()
    access = [Card(_("待审批调阅申请"), pending, reverse("owners:access_request_list"), "warning")] if pending else []
    role = user_role(user)
    if role not in (Role.FRONT_DESK, Role.CS_STAFF, Role.CS_SUPERVISOR, Role.MANAGER, Role.ADMIN):
        return access
    today = timezone.localdate()
    out = []
    data = selectors.quota_attainment(user, today.year, today.month)
    mine = next((a for a in data["assistants"] if a["user_id"] == user.pk), None)
    if mine is not None:
        out.append(Card(_("本月访问指标（本人）"), mine["count"], reverse("owners:quota_report"),
                        "primary" if mine["met"] else "warning", _quota_note(mine)))
    for dept in data["departments"]:
        out.append(Card(_("本月访问指标（%(department)s）") % {"department": dept["name"]}, dept["count"],
                        reverse("owners:quota_report"), "primary" if dept["met"] else "warning", _quota_note(dept)))
    birthdays = len(selectors.birthdays_within(user, 7, today))
    if birthdays and can_see_care_list(user):
        out.append(Card(_("7 天内生日的客户"), birthdays, reverse("owners:care_list") + "?list=birthday7"))
    return out + access
