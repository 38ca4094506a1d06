"""The home page's 业主催办 card: the open cases owners chased on the portal in the last days,
in the viewer's scope (crm.scopes), each linking to its case."""
import datetime as dt

import pytest
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, TimelineEntry
from crm.tests.factories import OwnerFactory, ProjectFactory, UnitFactory
from portal.services import case_chase

pytestmark = pytest.mark.django_db


def test_the_chased_card_lists_the_chased_cases_of_the_viewers_scope(client, place, users, make_user):
    far = ProjectFactory(code="far", name="远山苑")
    far_unit = UnitFactory(project=far, number="101", delivery_date=None)
    far_owner = OwnerFactory(code="F0001", name="远山业主", phone="13900001111", project=far, unit=far_unit)
    owner = make_user("owner")

    def register(title, customer, unit):
        return services.complaint_register(received_by=users["front_desk"], kind="complaint", channel="owner_portal",
                                           category="repairs", title=title, description=title, customer=customer,
                                           unit=unit)
    here = register("湖畔漏水", place["owners"][0], place["units"][0])
    there = register("远山停电", far_owner, far_unit)
    quiet = register("湖畔噪音", place["owners"][1], place["units"][1])  # never chased
    old = register("湖畔旧催办", place["owners"][2], place["units"][2])
    for case in (here, there, old):
        case_chase(user=owner, case=case)
    TimelineEntry.objects.filter(complaint=old, kind="owner_chase").update(at=timezone.now() - dt.timedelta(days=4))

    def card(user):
        client.force_login(user)
        page = client.get("/").content.decode()
        start = page.find('data-testid="card-links"')
        return page[start:page.find("</ul>", start)] if start >= 0 else ""

    everyone = card(users["cs_supervisor"])
    assert "业主催办" in everyone
    for case in (here, there):
        assert f'href="/complaints/{case.pk}/"' in everyone and case.number in everyone
    for case in (quiet, old):
        assert case.number not in everyone

    lake_dept = make_user("project_dept", projects=[place["project"]])
    mine = card(lake_dept)
    assert here.number in mine and there.number not in mine

    Complaint.objects.filter(pk=here.pk).update(state="closed")  # a closed case leaves the card
    far_dept = make_user("project_dept", projects=[far])
    assert there.number in card(far_dept) and here.number not in card(far_dept)
