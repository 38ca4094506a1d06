"""Who each notice of the owners app reaches: a request to open a customer out of scope goes to
the supervisors, who decide it on the requests page. The owners app has no beat job."""
import pytest

from crm.models import Notification
from crm.testing import notices_not_opening
from crm.tests.factories import make_customer, make_project
from owners import services

pytestmark = pytest.mark.django_db


def test_an_access_request_goes_to_the_supervisors_only(make_user, client):
    for role in ("cs_supervisor", "manager", "front_desk", "property_company"):
        make_user(role, username=role)
    asking = make_user("project_dept", username="asking", projects=[make_project("mine")])
    customer = make_customer(make_project("theirs"))
    services.access_request_submit(customer=customer, user=asking, reason="业主来电，需核对购房信息")
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"cs_supervisor"}
    assert notices_not_opening(client) == []
