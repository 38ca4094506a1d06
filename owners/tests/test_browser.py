import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_front_desk_searches_opens_the_customer_and_logs_a_call(demo, page, browser_login):
    from owners.models import ContactLog, Customer

    browser_login("front_desk")
    page.goto("/owners/")
    page.fill("#customer-q", "8001")
    page.click("#customer-search-submit")
    table = page.locator("[data-testid=customer-table]")
    assert "刘建国" in table.inner_text()
    assert "13800138001" in table.inner_text()  # in full: the front desk phones owners back
    liu = Customer.objects.get(name="刘建国")
    page.click(f"text={liu.code}")
    page.wait_for_url(f"**/owners/customers/{liu.pk}/")
    assert "刘建国" in page.locator("h1").inner_text()
    page.click("[data-testid=log-call]")
    page.fill("#id_need", "询问车位租赁")
    page.fill("#id_answer", "已转物业公司答复")
    page.click("#contact-submit")
    page.wait_for_url("**tab=contacts")
    assert "询问车位租赁" in page.locator("[data-testid=contact-table]").inner_text()
    assert ContactLog.objects.filter(customer=liu, need="询问车位租赁", handled_by__username="front_desk").exists()
