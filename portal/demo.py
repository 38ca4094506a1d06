"""Three demo owners for the portal (README "Owner portal"): 刘建国 (13800138001, user ``owner``,
the permission matrix's owner), 陈美玲 (13900139002) and 黄志强 (13700137003, who applied to
join the club), bound to their customers."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from clubs.demo import APPLICANT_PHONE
from crm.demo import demo_loader
from crm.models import StaffProfile
from crm.roles import Role

from .auth import customers_with_phone
from .models import OwnerAccount, PrivacyConsent

DEMO_OWNERS = [("owner", "13800138001"), ("owner_13900139002", "13900139002"),
               ("owner_13700137003", APPLICANT_PHONE)]  # i18n: data


@demo_loader(order=60)
def load_owners(log):
    User = get_user_model()
    group, _ = Group.objects.get_or_create(name=Role.OWNER)
    for username, phone in DEMO_OWNERS:
        customers = list(customers_with_phone(phone))
        if not customers:
            continue
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": customers[0].name})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        StaffProfile.objects.update_or_create(user=user, defaults={"role": Role.OWNER})
        user.groups.set([group])
        account, _ = OwnerAccount.objects.get_or_create(phone=phone, defaults={"user": user})
        account.customers.add(*customers)
        PrivacyConsent.objects.get_or_create(account=account, version=settings.PORTAL_PRIVACY_VERSION)
        if account.bound_at is None:
            OwnerAccount.objects.filter(pk=account.pk).update(bound_at=timezone.now())
    _demo_report()
    _demo_club_application()
    log(f"业主端演示账号：{len(DEMO_OWNERS)} 个")  # i18n: data


def _demo_report():
    """One case the demo owner reported on the portal, with a photo (once)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from complaints.models import Channel, Complaint

    from .services import case_report

    user = get_user_model().objects.get(username="owner")
    if Complaint.objects.filter(received_by=user, channel=Channel.OWNER_PORTAL).exists():
        return
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (70, 130, 180)).save(buffer, format="JPEG")
    unit = user.owner_account.customers.first().units.first()
    case_report(user=user, kind="complaint", category="repairs", unit=unit,
                description="演示：厨房水管漏水，地面有积水。", photos=[  # i18n: data
                    SimpleUploadedFile("leak.jpg", buffer.getvalue(), content_type="image/jpeg")])


def _demo_club_application():
    """黄志强 applied on the portal to join 阳光·悦邻会 (once; not if he is a member already)."""
    from django.core.exceptions import ValidationError

    from clubs.applications import club_apply
    from clubs.models import Club, ClubApplication

    club = Club.objects.filter(name="阳光·悦邻会", status=Club.Status.FOUNDED).first()  # i18n: data
    account = OwnerAccount.objects.filter(phone=APPLICANT_PHONE).first()
    if club is None or account is None:
        return
    customer = account.customers.filter(project=club.project_id).first()
    if customer is None or ClubApplication.objects.filter(club=club, customer=customer).exists():
        return
    try:
        club_apply(user=account.user, club=club, customer=customer)
    except ValidationError:
        pass  # an older demo database enrolled him already
