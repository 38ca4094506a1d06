"""Home cards: forum and activity plans awaiting preparation or evaluation."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clubs import selectors
from clubs.models import ClubActivity, OwnerForum
from crm.dashboard import Card, card_provider


@card_provider
def cards(user):
    if not user.has_perm("clubs.change_ownerforum"):
        return []
    forums = selectors.forums(user)
    result = []
    to_prepare = forums.filter(status__in=[OwnerForum.Status.APPROVED, OwnerForum.Status.REJECTED]).count()
    if to_prepare:
        result.append(Card(_("座谈会待准备/修改"), to_prepare, reverse("clubs:forum_list"), "warning"))
    follow_ups = selectors.follow_ups_due(user).count()
    if follow_ups:
        result.append(Card(_("座谈会结果跟进到期"), follow_ups, reverse("clubs:forum_list") + "?follow_up=due", "danger"))
    to_evaluate = selectors.activities(user).filter(status=ClubActivity.Status.DONE).count()
    if to_evaluate:
        result.append(Card(_("客户会活动待评估"), to_evaluate, reverse("clubs:activity_records") + "?status=done",
                           "warning"))
    return result
