"""Home cards: what waits for each role in title certificates and overdue mortgages."""
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.dashboard import Card, card_provider
from crm.roles import Role
from crm.scopes import user_role
from mortgage.models import FINISHED_STAGES, LitigationCase, OverdueRecord, TitleCertificateCase
from mortgage.selectors import certificate_cases_for, litigation_cases_for, overdue_records_for


@card_provider
def cards(user):
    role = user_role(user)
    today = timezone.localdate()
    result = []
    if role in (Role.CS_STAFF, Role.CS_SUPERVISOR, Role.MANAGER, Role.ADMIN):
        late = certificate_cases_for(user).exclude(stage__in=FINISHED_STAGES).filter(due_date__lt=today).count()
        result.append(Card(_("产权证办理超期"), late, reverse("mortgage:certificate_list") + "?late=1",
                           "danger" if late else "primary"))
        waiting = overdue_records_for(user).filter(status=OverdueRecord.Status.OPEN, litigation_required=True,
                                                   litigation__isnull=True).count()
        result.append(Card(_("须诉讼待移交法务"), waiting, reverse("mortgage:overdue_list") + "?status=open&litigation=1",
                           "warning" if waiting else "primary"))
        follow = overdue_records_for(user).filter(status=OverdueRecord.Status.OPEN).filter(
            Q(reminders__next_follow_up__lte=today) | Q(reminders__isnull=True)).distinct().count()
        result.append(Card(_("按揭逾期待催缴/跟进"), follow, reverse("mortgage:overdue_list") + "?status=open"))
    if role == Role.FINANCE:
        release = certificate_cases_for(user).filter(stage=TitleCertificateCase.Stage.RELEASE_REQUESTED).count()
        result.append(Card(_("待确认撤销按揭担保"), release,
                           reverse("mortgage:certificate_list") + "?stage=release_requested",
                           "warning" if release else "primary"))
        result.append(Card(_("逾期中的按揭"), overdue_records_for(user).filter(status=OverdueRecord.Status.OPEN).count(),
                           reverse("mortgage:overdue_list") + "?status=open"))
    if role == Role.LEGAL:
        mine = litigation_cases_for(user)
        new = mine.filter(stage=LitigationCase.Stage.HANDED_OVER).count()
        result.append(Card(_("新移交的诉讼案卷"), new, reverse("mortgage:litigation_list") + "?stage=handed_over",
                           "warning" if new else "primary"))
        result.append(Card(_("进行中的诉讼"), mine.exclude(stage__in=["settled", "closed"]).count(),
                           reverse("mortgage:litigation_list")))
    return result
