"""Applications to join a club from the owner portal (issue 16, item 7: "applying to join the
club (approved as today)"). The owner applies; the club's staff hear of it and enroll the owner
on the club's page exactly as before (``services.member_enroll``), which closes the application.
Kept beside services.py (which is long enough) as the one write path of ``ClubApplication``."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from crm.notifications import notify_role
from crm.roles import Role

from .models import Club, ClubApplication, ClubMember


@transaction.atomic
def club_apply(*, user, club: Club, customer) -> ClubApplication:
    """An owner (``user``, acting for their ``customer``) applies to join a founded club; a member
    or a second pending application is refused. The customer-affairs supervisors are told (they
    enroll members: ``check_enroll``)."""
    if club.status != Club.Status.FOUNDED:
        raise ValidationError(_("该客户会尚未成立，暂不能申请。"))
    if ClubMember.objects.filter(club=club, customer=customer).exists():
        raise ValidationError(_("您已是本会会员。"))
    try:
        with transaction.atomic():
            application = ClubApplication.objects.create(club=club, customer=customer, applied_by=user)
    except IntegrityError as exc:
        raise ValidationError(_("您已提交入会申请，请等待审核。")) from exc
    notify_role(Role.CS_SUPERVISOR, title=format_lazy(_("入会申请：{name} 申请加入{club}"), name=customer.name,
                                                      club=club.name),
                url=reverse("clubs:club_detail", args=[club.pk]), target=club,
                dedupe_key=f"club-application:{application.pk}")
    return application


def applications_close(*, club: Club, customer, member: ClubMember) -> int:
    """The owner was enrolled: their pending application is answered (called by member_enroll)."""
    return ClubApplication.objects.filter(club=club, customer=customer, status=ClubApplication.Status.PENDING) \
        .update(status=ClubApplication.Status.ENROLLED, member=member)
