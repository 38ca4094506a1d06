"""Applying to join the club from the portal: the application is stored (read back), a second
one is refused in Chinese, and staff enroll the owner as they always did, which answers it."""
import pytest
from django.utils import timezone

from clubs import services as club_services
from clubs.models import Club, ClubApplication, ClubMember
from crm.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def club(place, make_user):
    staff, manager = make_user("cs_supervisor"), make_user("manager")
    club = club_services.club_create(user=staff, name="湖畔·邻里会", project=place["project"],
                                     founding_plan="湖畔花园业主客户会", rules="章程")
    club_services.club_submit(user=staff, club=club)
    club_services.club_decide(user=manager, club=club, approve=True, comment="同意")
    club.refresh_from_db()
    club_services.club_found(user=staff, club=club, founded_on=timezone.localdate(), rules="章程")
    club.staff = staff
    return club


def test_an_owner_applies_once_and_staff_enroll_them_as_today(client, place, owner_login, club):
    owner_login(0)
    page = client.get("/m/club/").content.decode()
    assert "湖畔·邻里会" in page and 'data-testid="club-apply"' in page
    response = client.post(f"/m/club/{club.pk}/apply/", follow=True)
    application = ClubApplication.objects.get()
    assert application.customer == place["owners"][0] and application.status == "pending"
    assert application.applied_by.owner_account.phone == place["owners"][0].phone
    assert "已提交入会申请" in response.content.decode() and "入会申请审核中" in response.content.decode()
    assert Notification.objects.filter(recipient=club.staff, title__contains="入会申请").exists()

    again = client.post(f"/m/club/{club.pk}/apply/", follow=True).content.decode()
    assert ClubApplication.objects.count() == 1 and "您已提交入会申请，请等待审核。" in again

    # The staff see the application on the club's page and enroll the owner there, as always.
    client.force_login(club.staff)
    staff_page = client.get(f"/clubs/club/{club.pk}/").content.decode()
    assert 'id="club-applications"' in staff_page and place["owners"][0].name in staff_page
    owner = place["owners"][0]
    assert f'href="?applicant={owner.pk}#enroll"' in staff_page
    assert f'<option value="{owner.pk}" selected>' not in staff_page
    # 办理入会 opens the enrolment form with the applicant chosen; an owner who did not apply,
    # or a value that is no id, chooses nobody.
    chosen = client.get(f"/clubs/club/{club.pk}/", {"applicant": owner.pk}).content.decode()
    assert f'<option value="{owner.pk}" selected>' in chosen
    for forged in (place["owners"][1].pk, "x"):
        form = client.get(f"/clubs/club/{club.pk}/", {"applicant": forged}).content.decode().split('id="enroll"')[1]
        assert '<option value="" selected>请选择业主</option>' in form.split('name="level"')[0]
    response = client.post(f"/clubs/club/{club.pk}/enroll/", {
        "customer": owner.pk, "level": "regular", "joined_on": timezone.localdate().isoformat()}, follow=True)
    assert "会员已入会" in response.content.decode()
    member = ClubMember.objects.get(club=club, customer=owner)
    application.refresh_from_db()
    assert application.status == "enrolled" and application.member == member
    assert 'id="club-applications"' not in client.get(f"/clubs/club/{club.pk}/").content.decode()
    client.logout()
    owner_login(0)
    page = client.get("/m/club/").content.decode()
    assert member.number in page and 'data-testid="club-apply"' not in page
    assert client.post(f"/m/club/{club.pk}/apply/").status_code == 404  # a member has nothing to apply to


def test_a_club_not_founded_or_of_another_project_is_404(client, place, owner_login, club, make_user):
    from crm.tests.factories import ProjectFactory

    other = club_services.club_create(user=club.staff, name="别处会", project=ProjectFactory(code="far"),
                                      founding_plan="x")
    Club.objects.filter(pk=other.pk).update(status=Club.Status.FOUNDED)
    draft = club_services.club_create(user=club.staff, name="草稿会", project=place["project"], founding_plan="x")
    owner_login(0)
    for pk in (other.pk, draft.pk):
        assert client.post(f"/m/club/{pk}/apply/").status_code == 404
    assert not ClubApplication.objects.exists() and not ClubMember.objects.exists()
