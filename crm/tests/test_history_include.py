"""The change history (templates/includes/history.html) is headed 变更记录 on every detail page
that shows it, once: the complaint's page showed it as a bare table under 处理过程, the title
certificate's wrapped it in a card of its own; the customer page's 变更历史 tab names it already."""
import re

import pytest

pytestmark = pytest.mark.django_db

HEADING = re.compile(r'<div class="card-header">\s*变更记录\s*</div>')


def _first(model):
    return model.objects.order_by("pk").first()


def _pages():
    from clubs.models import OwnerForum
    from complaints.models import Complaint
    from mortgage.models import TitleCertificateCase
    from property_liaison.models import RepairRequest

    return [
        ("cs_supervisor", f"/complaints/{_first(Complaint).pk}/"),
        ("cs_supervisor", f"/mortgage/certificates/{_first(TitleCertificateCase).pk}/"),
        ("cs_supervisor", f"/clubs/forums/{_first(OwnerForum).pk}/"),
        ("cs_staff", f"/liaison/repairs/{_first(RepairRequest).pk}/"),
    ]


def test_every_detail_page_heads_its_change_history_once(as_role, demo):
    for role, url in _pages():
        client = as_role(role)
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert len(HEADING.findall(body)) == 1, url
        assert 'id="history"' in body, url


def test_the_customer_pages_history_tab_is_not_headed_twice(as_role, demo):
    from owners.models import Customer

    customer = Customer.objects.get(phone="13800138001")
    body = as_role("cs_supervisor").get(f"/owners/customers/{customer.pk}/?tab=history").content.decode()
    assert "变更历史" in body  # the tab names it
    assert not HEADING.search(body)
    assert 'id="history"' in body
