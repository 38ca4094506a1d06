"""Dashboard cards: monthly visit quota attainment, birthdays this week, pending access requests."""
from django.urls import reverse
from django.utils import timezone

from crm.approvals import decidable_by
from crm.dashboard import Card, card_provider
from crm.roles import Role
from crm.scopes import user_role
from owners import selectors
from owners.models import ACCESS_SUBJECT
from owners.permissions import can_see_care_list


@card_provider
def cards(user):
    # Whoever the approval matrix names decides access requests, whatever their role.
    pending = decidable_by(user).filter(subject=ACCESS_SUBJECT).count()
    access = [Card("待审批调阅申请", pending, reverse("owners:access_request_list"), "warning")] if pending else []
    role = user_role(user)
    if role not in (Role.FRONT_DESK, Role.CS_STAFF, Role.CS_SUPERVISOR, Role.MANAGER, Role.ADMIN):
        return access
    today = timezone.localdate()
    out = []
    data = selectors.quota_attainment(user, today.year, today.month)
    mine = next((a for a in data["assistants"] if a["user_id"] == user.pk), None)
    if mine is not None:
        out.append(Card("本月访问指标（本人）", mine["count"], reverse("owners:quota_report"),
                        "primary" if mine["met"] else "warning", f"指标 {mine['quota']} 户，完成 {mine['percent']}%"))
    for dept in data["departments"]:
        out.append(Card(f"本月访问指标（{dept['name']}）", dept["count"], reverse("owners:quota_report"),
                        "primary" if dept["met"] else "warning", f"指标 {dept['quota']} 户，完成 {dept['percent']}%"))
    birthdays = len(selectors.birthdays_within(user, 7, today))
    if birthdays and can_see_care_list(user):
        out.append(Card("7 天内生日的客户", birthdays, reverse("owners:care_list") + "?list=birthday7"))
    return out + access
