"""Every button and form of the liaison pages (answer, verify, send back, committee steps,
repairs, the home page's entries) is shown exactly to a user the service accepts; the others
neither see nor post it (the row read back unchanged)."""
import datetime as dt

import lxml.html
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from property_liaison import services
from property_liaison.models import ActionItem, CommitteeFormation, RepairRequest, WarrantyCategory
from property_liaison.tests.factories import project_with_company, unit

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def ids(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return set(lxml.html.fromstring(response.content.decode()).xpath("//@id"))


def _item(staff, project, party="property_company"):
    meeting = services.coordination_record(user=staff, project=project, date=TODAY(), form="meeting",
                                           attendees="甲", minutes="纪要")
    return services.action_item_add(user=staff, meeting=meeting, description="修复路灯", party=party,
                                    assignee="工程部", due_date=TODAY())


def test_the_manager_who_only_views_cannot_verify_or_send_back_an_answer(client, make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    item = _item(staff, project)
    services.follow_up_answer(user=staff, follow_up=item, answer="已修复")
    url = reverse("property_liaison:action_item_detail", args=[item.pk])
    client.force_login(make_user("manager"))
    assert not {"do-verify", "do-reopen"} & ids(client, url)
    for action in ("verify", "reopen"):
        assert client.post(reverse("property_liaison:action_item_act", args=[item.pk, action]),
                           {"note": "不合格"}).status_code == 403
    item.refresh_from_db()
    assert item.status == ActionItem.Status.ANSWERED and item.verified_by is None
    with pytest.raises(PermissionDenied):
        services.follow_up_verify(user=make_user("manager"), follow_up=item)
    client.force_login(staff)
    assert {"do-verify", "do-reopen"} <= ids(client, url)


def test_the_property_company_answers_only_the_items_that_are_its_to_do(client, make_user):
    staff = make_user("cs_staff")
    project, company = project_with_company()
    liaison = make_user("property_company", property_company=company)
    theirs, ours = _item(staff, project), _item(staff, project, party="developer")
    client.force_login(liaison)
    assert "do-answer" in ids(client, reverse("property_liaison:action_item_detail", args=[theirs.pk]))
    assert "do-answer" not in ids(client, reverse("property_liaison:action_item_detail", args=[ours.pk]))
    client.post(reverse("property_liaison:action_item_act", args=[ours.pk, "answer"]), {"answer": "已处理"})
    ours.refresh_from_db()
    assert ours.status == ActionItem.Status.OPEN and ours.answer == ""
    client.force_login(staff)  # the department answers its own items
    assert "do-answer" in ids(client, reverse("property_liaison:action_item_detail", args=[ours.pk]))


def test_the_committee_page_offers_its_forms_only_to_those_who_record_the_steps(client, make_user):
    project, _ = project_with_company()
    unit(project, "1-101", "100", dt.date(2025, 3, 1))
    url = reverse("property_liaison:committee_detail", args=[project.pk])
    client.force_login(make_user("manager"))
    response = client.get(url).content.decode()
    assert reverse("property_liaison:committee_act", args=[project.pk, "step"]) not in response
    assert reverse("property_liaison:committee_act", args=[project.pk, "refresh"]) not in response
    assert client.post(reverse("property_liaison:committee_act", args=[project.pk, "step"]),
                       {"step": "conditions_met", "on": TODAY().isoformat()}).status_code == 403
    assert not CommitteeFormation.objects.filter(project=project).exclude(step="waiting").exists()
    client.force_login(make_user("cs_staff"))
    response = client.get(url).content.decode()
    assert reverse("property_liaison:committee_act", args=[project.pk, "step"]) in response
    assert 'value="conditions_met"' in response


def test_no_conditions_met_step_is_offered_before_the_condition(client, make_user):
    project, _ = project_with_company()
    unit(project, "1-101", "100", None)  # nothing delivered
    client.force_login(make_user("cs_staff"))
    response = client.get(reverse("property_liaison:committee_detail", args=[project.pk])).content.decode()
    assert 'value="conditions_met"' not in response
    assert reverse("property_liaison:committee_act", args=[project.pk, "notice"]) not in response


def test_repair_steps_are_not_offered_to_the_manager_and_refused(client, make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    home = unit(project, delivered=TODAY() - dt.timedelta(days=100))
    repair = services.repair_register(user=staff, unit=home, category=WarrantyCategory.objects.first(),
                                      location="厨房", description="漏水", reported_on=TODAY())
    url = reverse("property_liaison:repair_detail", args=[repair.pk])
    assign = reverse("property_liaison:repair_act", args=[repair.pk, "assign"])
    client.force_login(make_user("manager"))
    assert assign not in client.get(url).content.decode()
    assert client.post(assign, {"assignee": "维修班", "due_date": TODAY().isoformat()}).status_code == 403
    repair.refresh_from_db()
    assert repair.status == RepairRequest.Status.NEW and repair.assignee == ""
    client.force_login(staff)
    assert assign in client.get(url).content.decode()


def test_the_home_page_offers_each_entry_to_whoever_may_make_it(client, make_user):
    client.force_login(make_user("front_desk"))  # logs repairs, not coordination or inspections
    response = client.get(reverse("property_liaison:home")).content.decode()
    assert reverse("property_liaison:repair_create") in response
    assert reverse("property_liaison:meeting_create") not in response
    assert reverse("property_liaison:inspection_create") not in response
    client.force_login(make_user("manager"))
    response = client.get(reverse("property_liaison:home")).content.decode()
    assert reverse("property_liaison:repair_create") not in response
