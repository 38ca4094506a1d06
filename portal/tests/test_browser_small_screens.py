"""The owner portal on the smallest phones and with the phone's largest text: at 320 px, and at
390 and 320 px with the text enlarged by half (CSS zoom stands in for the system font size),
no page scrolls sideways, the five tabs keep each label on one line and mark the page the owner
is on, and a case number, a date or the hotline is never broken across two lines."""
import pytest

from complaints import services as complaint_services

from .test_browser import SCROLLS_JS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Text that must be read whole, each on a single line: the tab labels, case numbers and dates
# (.nowrap), telephone links.
BROKEN_JS = """
() => [...document.querySelectorAll('.tabs a, .nowrap, a[href^="tel:"]')]
  .filter(el => el.offsetParent !== null)
  .filter(el => { const range = document.createRange(); range.selectNodeContents(el);
                  const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                  return tops.size > 1; })
  .map(el => el.innerText.replace(/\\s+/g, ' '))
"""
ZOOM_JS = "zoom => { document.documentElement.style.zoom = zoom; }"


@pytest.fixture
def small_phone(browser, live_server, settings):
    settings.PORTAL_SHOW_CODE = True
    context = browser.new_context(locale="zh-CN", viewport={"width": 320, "height": 640}, device_scale_factor=2,
                                  base_url=live_server.url, is_mobile=True, has_touch=True)
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


def test_pages_fit_the_smallest_phone_with_large_text(small_phone, place, make_user):
    page, problems = small_phone, []
    owner = place["owners"][0]
    case = complaint_services.complaint_register(
        received_by=make_user("front_desk"), kind="complaint", channel="phone", category="repairs",
        title="卫生间漏水", description="卫生间漏水到楼下", customer=owner, unit=place["units"][0])
    page.goto("/m/login/")
    page.fill("#id_phone", owner.phone)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    page.fill("#id_code", page.get_by_test_id("dev-code").locator("strong").inner_text())
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
    with page.expect_navigation():
        page.get_by_test_id("consent").click()

    pages = {"/m/": "首页", "/m/report/": "报事", "/m/cases/": "进度", f"/m/cases/{case.pk}/": "进度",
             "/m/inbox/": "消息", "/m/me/": "我的", "/m/me/messages/": "我的", "/m/club/": "我的"}
    for url, tab in pages.items():
        page.goto(url)
        current = page.locator(".tabs a[aria-current=page]")
        if current.count() != 1 or current.inner_text() != tab:
            problems.append(f"{url}: the tab of this page is not marked ({current.all_inner_texts()})")
        for width, zoom in ((320, "1"), (320, "1.5"), (390, "1.5")):
            page.set_viewport_size({"width": width, "height": 640})
            page.evaluate(ZOOM_JS, zoom)
            if page.evaluate(SCROLLS_JS):
                problems.append(f"{url} @{width}px ×{zoom}: scrolls sideways")
            problems += [f"{url} @{width}px ×{zoom}: broken over two lines: {text}"
                         for text in page.evaluate(BROKEN_JS)]
    page.evaluate(ZOOM_JS, "1")
    page.set_viewport_size({"width": 320, "height": 640})
    with page.expect_navigation():
        page.locator(".bar button[type=submit]").click()  # 退出
    page.evaluate(ZOOM_JS, "1.5")
    problems += [f"login page ×1.5: broken over two lines: {text}" for text in page.evaluate(BROKEN_JS)]
    assert not problems, "\n".join(problems)
