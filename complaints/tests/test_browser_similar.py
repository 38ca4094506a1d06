"""Likely duplicates at intake in the browser: while front desk types, the entry form shows an
open case of the same building with similar words; one click joins the new case to its event."""
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_entry_form_suggests_a_neighbours_case_and_joins_its_event(demo, page, browser_login):
    from django.contrib.auth import get_user_model

    from complaints import services
    from complaints.models import Complaint
    from owners.models import Customer, Ownership

    liu = Customer.objects.get(phone="13800138001")
    unit = Ownership.objects.filter(customer=liu).select_related("unit").first().unit
    # An open case of the same building, registered a moment ago for a neighbour (a name and a phone).
    earlier = services.complaint_register(
        received_by=get_user_model().objects.get(username="front_desk"), kind="complaint", channel="phone",
        category="repairs", title="地下车库顶板漏水", description="车库顶板漏水，滴到车上", unit=unit,
        complainant_name="邻居", complainant_phone="13900001111")

    browser_login("front_desk")
    page.goto("/complaints/new/?phone=8001")  # the phone lookup, as its form submits it
    # Nothing is linked yet: the box that names the linked case is not shown (it has d-flex).
    assert page.locator("#similar-chosen").is_hidden()
    page.locator("input[name=owner_unit]").first.check()
    page.fill("#id_title", "车库漏水")
    suggestion = page.locator(f'#similar-list .similar-case[data-case="{earlier.pk}"]')
    suggestion.wait_for()
    assert earlier.number in suggestion.inner_text()
    assert suggestion.locator("mark").first.inner_text() in ("漏水", "车库")
    suggestion.locator(".similar-link").click()
    assert page.locator("#similar-chosen").is_visible()
    assert earlier.number in page.locator("#similar-chosen").inner_text()
    page.click("#similar-cancel")  # changed their mind: the box goes, the link with it
    assert page.locator("#similar-chosen").is_hidden()
    assert page.locator("input[name=same_event_as]").input_value() == ""
    suggestion.locator(".similar-link").click()
    assert page.locator("#similar-chosen").is_visible()
    page.fill("#id_description", "车库顶上也在漏水")
    page.click("#entry-submit")
    page.wait_for_url("**/complaints/*/")
    new = Complaint.objects.get(title="车库漏水")
    earlier.refresh_from_db()
    assert earlier.event_id and new.event_id == earlier.event_id
