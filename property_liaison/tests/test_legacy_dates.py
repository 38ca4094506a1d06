"""A unit's delivery date stored before the master-data rule and outside it (a legacy system's
1900-01-01 or 9999-12-31 for "unknown"): the pages still open, and no warranty is decided from it."""
import datetime as dt

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from owners.models import Project, Unit
from property_liaison.models import CommitteeFormation, RepairRequest, WarrantyCategory
from property_liaison.tests.factories import project_with_company, unit

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.mark.parametrize("legacy", [dt.date(1900, 1, 1), dt.date(1979, 12, 31), dt.date(9999, 12, 31)])
def test_a_repair_is_not_judged_from_an_impossible_delivery_date(client, make_user, legacy):
    staff = make_user("cs_supervisor")
    project, _ = project_with_company()
    home = unit(project, delivered=TODAY() - dt.timedelta(days=30))
    Unit.objects.filter(pk=home.pk).update(delivery_date=legacy)  # as stored before the rule: no validator ran
    Project.objects.filter(pk=project.pk).update(first_movein_date=legacy)
    client.force_login(staff)
    data = {"unit": home.pk, "category": WarrantyCategory.objects.get(code="plumbing").pk, "source": "owner",
            "location": "厨房", "description": "漏水", "reported_on": TODAY().isoformat()}
    response = client.post(reverse("property_liaison:repair_create"), data)
    assert response.status_code == 200
    assert f"该房号的交付日期 {legacy:%Y-%m-%d} 有误，无法判断是否在保修期内；请先在房号资料中更正交付日期。" \
        in response.content.decode()
    assert not RepairRequest.objects.exists()  # was: a 1900 delivery registered the repair as paid by the owner
    for url in (reverse("property_liaison:repair_create"), reverse("property_liaison:warranty_ending"),
                reverse("property_liaison:committee_list"),
                reverse("property_liaison:committee_detail", args=[project.pk]),
                reverse("owners:unit_detail", args=[home.pk])):
        assert client.get(url).status_code == 200, url


def test_a_corrected_delivery_date_lets_the_repair_through(client, make_user):
    staff = make_user("cs_supervisor")
    project, _ = project_with_company()
    home = unit(project, delivered=TODAY() - dt.timedelta(days=30))
    client.force_login(staff)
    data = {"unit": home.pk, "category": WarrantyCategory.objects.get(code="plumbing").pk, "source": "owner",
            "location": "厨房", "description": "漏水", "reported_on": TODAY().isoformat()}
    assert client.post(reverse("property_liaison:repair_create"), data).status_code == 302
    assert RepairRequest.objects.get().in_warranty is True


@pytest.mark.parametrize("legacy", [dt.date(1900, 1, 1), dt.date(9999, 12, 31)])
def test_the_committee_condition_leaves_out_an_impossible_delivery_and_names_it(client, make_user, legacy):
    staff = make_user("cs_supervisor")
    project, _ = project_with_company()
    home = unit(project, "1-101", "100", TODAY() - dt.timedelta(days=30))
    unit(project, "1-102", "100", None)
    Unit.objects.filter(pk=home.pk).update(delivery_date=legacy)
    client.force_login(staff)
    assert client.get(reverse("property_liaison:committee_list")).status_code == 200  # 9999: was a 500
    response = client.get(reverse("property_liaison:committee_detail", args=[project.pk]))
    page = lxml.html.fromstring(response.content.decode())
    assert page.get_element_by_id("condition-date").text_content().strip() == "尚未具备"  # 1900: was met in 1900
    warning = page.get_element_by_id("impossible-deliveries").text_content()
    assert f"{home}（{legacy:%Y-%m-%d}）" in warning
    client.post(reverse("property_liaison:committee_act", args=[project.pk, "refresh"]))
    formation = CommitteeFormation.objects.filter(project=project).first()
    assert formation is None or formation.condition_date is None


def test_the_committee_page_warns_of_nothing_while_the_dates_are_sound(client, make_user):
    staff = make_user("cs_supervisor")
    project, _ = project_with_company()
    unit(project, "1-101", "100", TODAY() - dt.timedelta(days=30))
    client.force_login(staff)
    page = lxml.html.fromstring(client.get(reverse("property_liaison:committee_detail", args=[project.pk]))
                                .content.decode())
    assert not page.xpath('//*[@id="impossible-deliveries"]')
    delivered = TODAY() - dt.timedelta(days=30)  # the whole area: the condition is met that day
    assert page.get_element_by_id("condition-date").text_content().strip().startswith(delivered.isoformat())
