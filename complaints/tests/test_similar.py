"""Likely duplicates at intake: the entry form's similar open cases (complaints:similar) and the
one click that registers the new case into the same event (complaint_register(same_event_as=))."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, Event
from crm.tests.factories import OwnerFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(place, users):
    def factory(*, title, description="", owner=0, unit=None, customer=None, received_at=None, kind="complaint"):
        return services.complaint_register(
            received_by=users["front_desk"], kind=kind, channel="phone", category="repairs", title=title,
            description=description, customer=customer or place["owners"][owner],
            unit=unit or place["units"][owner], received_at=received_at or timezone.now())
    return factory


def similar(client, **params):
    response = client.get(reverse("complaints:similar"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_similar_open_cases_of_the_building_from_the_last_30_days_are_suggested(client, users, place, case):
    leak = case(title="卫生间漏水", description="楼上卫生间漏水到天花板", owner=1)
    lift = case(title="电梯停运", description="电梯困人", owner=2)
    closed = case(title="卫生间漏水", owner=3)
    services.complaint_reply(complaint=case(title="漏水咨询", kind="enquiry"), user=users["front_desk"], reply="已答复")
    Complaint.objects.filter(pk=closed.pk).update(state="closed")
    old = case(title="卫生间漏水", owner=4, received_at=timezone.now() - dt.timedelta(days=1))
    Complaint.objects.filter(pk=old.pk).update(received_at=timezone.now() - dt.timedelta(days=31))
    far_unit = UnitFactory(project=place["project"], building_name="9栋", number="901", delivery_date=None)
    far = case(title="卫生间漏水", unit=far_unit,
               customer=OwnerFactory(code="C0901", name="远邻", phone="13800009001", project=place["project"],
                                     unit=far_unit))
    client.force_login(users["front_desk"])
    owner = place["owners"][0]
    body = similar(client, owner_unit=f"{owner.pk}:{place['units'][0].pk}", title="漏水", description="厨房天花板漏水")
    assert leak.number in body and "<mark>漏水</mark>" in body
    for other in (lift, closed, old, far):
        assert other.number not in body
    # Without an owner's unit, the project chosen on the form: the other building's case too.
    body = similar(client, project=place["project"].pk, title="卫生间漏水")
    assert leak.number in body and far.number in body
    assert similar(client, project=place["project"].pk, title="", description="") .strip() == ""


def test_a_project_outside_the_users_scope_suggests_nothing(client, make_user, place, case):
    from crm.tests.factories import ProjectFactory

    case(title="卫生间漏水", owner=1)
    client.force_login(make_user("project_dept", projects=[ProjectFactory(code="elsewhere")]))
    unit = place["units"][0]
    assert "similar-case" not in similar(client, project=place["project"].pk, title="漏水",
                                         owner_unit=f"{place['owners'][0].pk}:{unit.pk}")


def test_a_property_company_is_refused(client, users):
    client.force_login(users["property_company"])
    assert client.get(reverse("complaints:similar"), {"title": "漏水"}).status_code == 403


def test_one_click_registers_the_new_case_into_the_same_event(client, users, place, case):
    first = case(title="外墙渗水", description="客厅外墙渗水", owner=1)
    client.force_login(users["front_desk"])
    owner, unit = place["owners"][0], place["units"][0]
    response = client.post(reverse("complaints:entry") + f"?phone={owner.phone}", {
        "owner_unit": f"{owner.pk}:{unit.pk}", "kind": "complaint", "channel": "phone", "category": "repairs",
        "title": "外墙也渗水", "description": "卧室外墙渗水", "same_event_as": first.pk,
    })
    assert response.status_code == 302, response.context["form"].errors
    new = Complaint.objects.get(title="外墙也渗水")
    first.refresh_from_db()
    assert first.event_id and new.event_id == first.event_id
    assert Event.objects.get(pk=first.event_id).title == "外墙渗水"
    # A third case joins the event that now exists (no second event).
    third = services.complaint_register(
        received_by=users["front_desk"], kind="complaint", channel="phone", category="repairs", title="渗水",
        description="渗水", customer=place["owners"][2], unit=place["units"][2], same_event_as=new)
    assert third.event_id == first.event_id and Event.objects.count() == 1


def test_five_owners_joined_at_intake_make_the_event_major(users, place, case):
    first = case(title="停车位被占", owner=0)
    for i in range(1, 5):
        services.complaint_register(
            received_by=users["front_desk"], kind="complaint", channel="phone", category="repairs",
            title="停车位被占", description="", customer=place["owners"][i], unit=place["units"][i],
            same_event_as=first)
    assert set(Complaint.objects.filter(event_id=Complaint.objects.get(pk=first.pk).event_id)
               .values_list("severity", flat=True)) == {"major"}


def test_a_need_cannot_join_an_event(users, place, case):
    from django.core.exceptions import ValidationError

    first = case(title="停车位被占", owner=0)
    with pytest.raises(ValidationError):
        services.complaint_register(
            received_by=users["front_desk"], kind="need", channel="phone", category="repairs", title="停车",
            description="", customer=place["owners"][1], unit=place["units"][1], same_event_as=first)
    assert not Complaint.objects.filter(title="停车").exists()


def test_a_case_outside_the_users_scope_cannot_be_joined(client, users, place, make_user, case):
    first = case(title="外墙渗水", owner=1)
    from crm.tests.factories import ProjectFactory

    other = ProjectFactory(code="far")
    desk = make_user("project_dept", projects=[other])
    client.force_login(desk)
    response = client.post(reverse("complaints:entry"), {
        "project": other.pk, "complainant_name": "李四", "complainant_phone": "13911112222", "kind": "complaint",
        "channel": "phone", "category": "repairs", "title": "渗水", "description": "渗水", "same_event_as": first.pk})
    assert response.status_code == 404
    assert not Complaint.objects.filter(title="渗水").exists()
