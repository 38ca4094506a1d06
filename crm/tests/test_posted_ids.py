"""An id posted in a form that names a record outside the user's scope (another project's, a
record that does not exist, not a number) is a 404, like a guessed id in the URL, and changes
nothing: every form whose choices are records (crm.forms.ScopedChoicesMixin) and the ids posted
without a form (crm.views.objects_or_404, tested with their views). Guessed ids in the URL are
checked for every URL by test_permission_matrix."""
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from crm.scopes import visible_projects

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate().isoformat()


def _user(role):
    return get_user_model().objects.get(username=role)


def _other_project(role):
    from owners.models import Project

    return Project.objects.exclude(pk__in=visible_projects(_user(role))).first()


def _entry():
    other = _other_project("project_dept")
    return "project_dept", reverse("complaints:entry"), {
        "complainant_name": "业主", "complainant_phone": "13900000000", "project": other.pk, "kind": "complaint",
        "channel": "phone", "category": "repairs", "title": "猜测的项目", "description": "x"}, ("complaints.Complaint",)


def _forward():
    other = _other_project("property_company")
    return "property_company", reverse("complaints:forwarded"), {
        "project": other.pk, "complainant_name": "业主", "complainant_phone": "13900000000", "category": "repairs",
        "title": "猜测的项目", "description": "x"}, ("complaints.Complaint",)


def _transfer():
    from complaints.models import Complaint

    case = Complaint.objects.filter(state="registered").first()
    return "front_desk", reverse("complaints:act", args=[case.pk, "transfer"]), {
        "handler": _user("legal").pk, "note": "转给法务"}, ("complaints.TimelineEntry",)


def _opinion():
    from clubs.models import OwnerForum
    from owners.models import Customer

    forum = OwnerForum.objects.filter(status__in=["held", "analysed"]).first()
    stranger = Customer.objects.exclude(pk__in=forum.participants.values("customer_id")).first()
    return "cs_staff", reverse("clubs:forum_act", args=[forum.pk, "opinion"]), {
        "theme": "repairs", "text": "电梯常坏", "customer": stranger.pk}, ("clubs.ForumOpinion",)


def _enroll():
    from clubs.models import Club

    club = Club.objects.filter(status="founded").first()
    return "cs_staff", reverse("clubs:club_act", args=[club.pk, "enroll"]), {
        "customer": "abc", "level": "regular"}, ("clubs.ClubMember",)


def _carry_out():
    from clubs.models import ClubActivity, ClubMember

    activity = ClubActivity.objects.filter(status="approved").first()
    outsider = ClubMember.objects.exclude(club=activity.club).first()
    return "cs_staff", reverse("clubs:activity_act", args=[activity.pk, "carry_out"]), {
        "held_on": TODAY, "record": "活动记录", "spend": "100", "attendees": [outsider.pk if outsider else 10 ** 6]}, (
        "clubs.PointsEntry",)


def _handover():
    from mortgage.models import OverdueRecord

    record = OverdueRecord.objects.filter(status="open", litigation__isnull=True).first()
    OverdueRecord.objects.filter(pk=record.pk).update(litigation_required=True, litigation_reason="银行建议诉讼")
    return "cs_staff", reverse("mortgage:overdue_handover", args=[record.pk]), {
        "assignee": _user("cs_staff").pk, "dossier_note": "催缴无果"}, ("mortgage.LitigationCase",)


def _loan():
    return "finance", reverse("mortgage:loan_create"), {
        "ownership": 10 ** 6, "loan_number": "DK-GUESS", "bank": "中国银行", "amount": "500000", "term_months": "240"}, (
        "mortgage.MortgageLoan",)


def _certificates():
    return "cs_staff", reverse("mortgage:certificate_bulk_create"), {"project": 10 ** 6}, (
        "mortgage.TitleCertificateCase",)


def _meeting():
    return "cs_staff", reverse("property_liaison:meeting_create"), {
        "project": 10 ** 6, "date": TODAY, "form": "meeting", "attendees": "甲", "minutes": "纪要"}, (
        "property_liaison.CoordinationMeeting",)


def _repair():
    from property_liaison.models import WarrantyCategory

    return "front_desk", reverse("property_liaison:repair_create"), {
        "unit": "x1", "category": WarrantyCategory.objects.first().pk, "location": "厨房", "description": "漏水",
        "reported_on": TODAY, "source": "owner"}, ("property_liaison.RepairRequest",)


CASES = {f.__name__[1:]: f for f in (_entry, _forward, _transfer, _opinion, _enroll, _carry_out, _handover, _loan,
                                     _certificates, _meeting, _repair)}


@pytest.mark.parametrize("name", CASES)
def test_a_posted_id_outside_the_scope_is_a_404_and_changes_nothing(name, as_role):
    role, url, data, models = CASES[name]()
    before = {label: apps.get_model(label).objects.count() for label in models}
    response = as_role(role).post(url, data)
    assert response.status_code == 404
    assert {label: apps.get_model(label).objects.count() for label in models} == before


def test_a_posted_id_in_scope_is_taken(as_role):
    """The same form with an id of one's own project goes through (the 404 is for the guess)."""
    from complaints.models import Complaint

    _, url, data, _ = _entry()
    data["project"] = visible_projects(_user("project_dept")).first().pk
    response = as_role("project_dept").post(url, data)
    assert response.status_code == 302
    assert Complaint.objects.filter(title="猜测的项目").count() == 1
