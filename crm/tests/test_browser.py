import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_front_desk_logs_in_and_sees_the_chinese_home_page(demo, page, browser_login):
    browser_login("front_desk")
    assert page.locator("h1").first.inner_text() == "工作台"
    page.locator("nav .dropdown-toggle").last.click()
    assert page.get_by_test_id("user-role").inner_text() == "客户助理(前台)"
    assert page.locator("html").get_attribute("lang") == "zh-hans"


@pytest.mark.parametrize("role", ["cs_staff", "manager", "legal", "property_company", "admin"])
def test_each_role_sees_its_own_navigation(demo, page, browser_login, role):
    browser_login(role)
    nav = page.locator("[data-testid=nav]").inner_text()
    assert "工作台" in nav
    assert ("系统管理" in nav) == (role == "admin")


def test_wrong_password_shows_a_chinese_error(demo, page):
    page.goto("/accounts/login/")
    page.fill("#id_username", "front_desk")
    page.fill("#id_password", "not-the-password")
    page.click("#login-submit")
    assert "不正确" in page.locator(".alert-danger").inner_text()
