"""The API's documentation works offline and under the site's CSP, in a real browser: another
company's programmers read it on the intranet (nothing from a CDN, no blocked script)."""
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_shows_the_endpoints_with_no_csp_violation(page):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto("/api/docs/")
    page.get_by_text("/api/v1/cases/", exact=True).first.wait_for()
    assert "客户事务部管理系统 API" in page.inner_text("body")
    # the page fixture fails the test on any CSP violation (an inline script would be one)
    assert all(url.startswith(page.url.split("/api/")[0]) for url in requests), "a request left the server"


def test_redoc_shows_the_endpoints_offline(browser, live_server):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    blocked_scripts = []
    page.on("console", lambda m: blocked_scripts.append(m.text) if "script-src" in m.text else None)
    try:
        page.goto("/api/docs/redoc/")
        page.get_by_text("/api/v1/buildings/bulk/").first.wait_for(timeout=30000)
        assert "客户事务部管理系统 API" in page.inner_text("body")
        assert not blocked_scripts
    finally:
        context.close()
