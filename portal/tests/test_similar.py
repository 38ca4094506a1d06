"""The report form's "邻居也反映了类似问题" (portal:similar): the likely duplicates of the
building of one of the owner's own units, in plain words, with nothing of the other owners."""
import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from complaints import services as complaint_services
from complaints.models import Complaint
from crm.tests.factories import OwnerFactory, UnitFactory

pytestmark = pytest.mark.django_db


def similar(client, **params):
    response = client.get("/m/report/similar/", params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def neighbour_case(place, make_user):
    clerk = make_user("front_desk", projects=[place["project"]])

    def register(*, title, description, owner=1, unit=None, customer=None):
        return complaint_services.complaint_register(
            received_by=clerk, kind="complaint", channel="phone", category="repairs", title=title,
            description=description, customer=customer or place["owners"][owner], unit=unit or place["units"][owner])
    return register


def test_neighbours_open_cases_of_my_building_show_in_plain_words_without_their_data(client, place, owner_login,
                                                                                   neighbour_case):
    theirs = neighbour_case(title="业主2卫生间漏水", description="业主2 电话 13800000002，201 室卫生间漏水到楼下")
    far_unit = UnitFactory(project=place["project"], building_name="9栋", number="901", delivery_date=None)
    far = neighbour_case(title="卫生间漏水", description="卫生间漏水", unit=far_unit, customer=OwnerFactory(
        code="C0901", name="远邻", phone="13800009001", project=place["project"], unit=far_unit))
    old = neighbour_case(title="卫生间漏水", description="卫生间漏水")
    Complaint.objects.filter(pk=old.pk).update(received_at=timezone.now() - dt.timedelta(days=31))
    owner_login(0)
    mine = complaint_services.complaint_register(
        received_by=theirs.received_by, kind="complaint", channel="phone", category="repairs", title="我家卫生间漏水",
        description="卫生间漏水", customer=place["owners"][0], unit=place["units"][0])

    body = similar(client, unit=place["units"][0].pk, description="卫生间天花板漏水")
    assert "邻居也反映了类似问题" in body and body.count('class="similar-case"') == 1
    assert "投诉 · 维修" in body and timezone.localdate(theirs.received_at).strftime("%m-%d") in body
    for secret in (theirs.number, theirs.title, "业主2", "13800000002", "201", place["owners"][1].name, far.number,
                   mine.number, "data-case", "href"):
        assert secret not in body
    # Another owner's unit, a unit that does not exist, or no words: nothing at all.
    assert similar(client, unit=place["units"][1].pk, description="卫生间漏水").strip() == ""
    assert similar(client, unit="x", description="卫生间漏水").strip() == ""
    assert similar(client, unit=place["units"][0].pk, description="").strip() == ""


def test_the_report_form_names_the_portal_fragment_for_the_shared_script(client, place, owner_login):
    owner_login(0)
    page = client.get("/m/report/").content.decode()
    assert 'data-url="/m/report/similar/"' in page and "complaints/similar.js" in page


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(unit=st.one_of(st.text(max_size=12), st.integers(min_value=-5, max_value=10**12).map(str)),
       description=st.text(max_size=2500))
def test_any_input_to_the_suggestion_is_answered_without_error_and_writes_nothing(client, place, owner_login,
                                                                                 unit, description):
    if not getattr(client, "_signed_in", False):
        owner_login(0)
        client._signed_in = True
    before = Complaint.objects.count()
    response = client.get("/m/report/similar/", {"unit": unit.replace("\x00", ""),
                                                 "description": description.replace("\x00", "")})
    assert response.status_code == 200 and Complaint.objects.count() == before
