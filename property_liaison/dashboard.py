from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.dashboard import Card, card_provider
from crm.scopes import user_role
from property_liaison import selectors


@card_provider
def cards(user):
    role = user_role(user)
    if not user.has_perm("property_liaison.view_actionitem"):
        return []
    counts = selectors.liaison_counts(user)
    result = []
    if role == "property_company":
        if counts["open_items"]:
            result.append(Card(_("待答复的协调事项"), counts["open_items"],
                               reverse("property_liaison:action_item_list") + "?status=open", "warning"))
        if counts["open_rects"]:
            result.append(Card(_("待整改"), counts["open_rects"], reverse("property_liaison:rectification_list") + "?status=open",
                               "danger" if counts["overdue_rects"] else "warning"))
        return result
    if counts["answered_rects"] or counts["answered_items"]:
        result.append(Card(_("物业答复待验证"), counts["answered_rects"] + counts["answered_items"],
                           reverse("property_liaison:rectification_list") + "?status=answered", "warning"))
    if counts["overdue_rects"]:
        result.append(Card(_("物业整改逾期"), counts["overdue_rects"],
                           reverse("property_liaison:rectification_list") + "?status=open", "danger"))
    late = sum(1 for row in selectors.cadence_report(user) if row["late"]) if role in ("cs_supervisor", "cs_staff") else 0
    if late:
        result.append(Card(_("未按期协调的项目"), late, reverse("property_liaison:cadence_report"), "danger"))
    if counts["committee_due"]:
        result.append(Card(_("业委会条件已具备待报告"), counts["committee_due"], reverse("property_liaison:committee_list"),
                           "warning"))
    return result
