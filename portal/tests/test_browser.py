"""The owner portal in a phone-sized browser (375 × 812): log in with a code, report a leak with
a photo (the form suggests a neighbour's similar case), disagree with the first plan and agree
with the revised one, answer the return visit. The staff take their steps in a second browser
context, a desktop one logged in through the staff login page, each role in turn, through the
staff case page's actions, and see the return-visit clock met there. Every portal page is
checked for a horizontal scroll at 360 and 375 px, touch targets under 44 px and its weight
(≤ 150 KB without photos)."""
import io

import pytest
from PIL import Image

from complaints import services as complaint_services
from complaints.models import Complaint, SlaClock, State
from complaints.tests.test_browser import act  # one transition through the staff case page
from crm.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
# Elements narrower or lower than 44 px that a finger must hit (links inside running text excepted).
SMALL_TARGETS_JS = """
() => [...document.querySelectorAll('button, .btn, .tabs a, .list a, input[type=submit], select, .choice')]
  .filter(el => el.offsetParent !== null)
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([el, r]) => r.height < 44 || r.width < 44)
  .map(([el, r]) => `${el.tagName}.${el.className} ${Math.round(r.width)}×${Math.round(r.height)} ${el.innerText.slice(0, 20)}`)
"""
SCROLLS_JS = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"


@pytest.fixture
def phone_page(browser, live_server, settings):
    settings.PORTAL_SHOW_CODE = True
    context = browser.new_context(locale="zh-CN", viewport=PHONE, base_url=live_server.url, is_mobile=True,
                                  has_touch=True)
    context.set_default_timeout(15000)
    page = context.new_page()
    weights = {}

    def count(response):
        if "/m/photos/" in response.url:
            return
        try:
            body = response.body()
        except Exception:  # noqa: BLE001 - a redirect has no body
            return
        weights.setdefault(page.url, 0)
        weights[page.url] += len(body)

    page.on("response", count)
    page.weights = weights
    yield page
    context.close()


@pytest.fixture
def staff_page(browser, live_server):
    """A second, desktop-sized browser context for the staff: ``staff_page.login(username)``
    signs a role in through the staff login page (the previous one's cookies cleared)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(15000)
    page = context.new_page()
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)

    def login(username):
        context.clear_cookies()
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.login = login
    yield page
    context.close()
    assert not violations, f"Content Security Policy violations on staff pages: {violations[:3]}"


def check_layout(page, problems):
    for width in (360, 375):
        page.set_viewport_size({"width": width, "height": 812})
        if page.evaluate(SCROLLS_JS):
            problems.append(f"{page.url} scrolls sideways at {width}px")
        problems += [f"{page.url} @{width}: {t}" for t in page.evaluate(SMALL_TARGETS_JS)]
    page.set_viewport_size(PHONE)


def submit(page, locator):
    """Click a submit button and wait until the page it posts to has loaded (the test then reads
    the database)."""
    with page.expect_navigation():
        locator.click()


def photo_file(tmp_path):
    path = tmp_path / "leak.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 200)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_an_owner_reports_follows_answers_the_plan_and_the_return_visit(phone_page, staff_page, place, make_user,
                                                                        tmp_path):
    page, problems = phone_page, []
    staff = {r: make_user(r, username=r) for r in ("front_desk", "cs_staff", "cs_supervisor", "manager")}
    page.goto("/m/")
    assert "/m/login/" in page.url
    check_layout(page, problems)
    page.fill("#id_phone", place["owners"][0].phone)
    submit(page, page.locator("main button[type=submit]"))
    code = page.get_by_test_id("dev-code").locator("strong").inner_text()
    page.fill("#id_code", code)
    submit(page, page.locator("main button[type=submit]").first)
    submit(page, page.get_by_test_id("consent"))
    check_layout(page, problems)

    # A neighbour of the same building reported a leak by phone: the form suggests it as they type.
    neighbour = complaint_services.complaint_register(
        received_by=staff["front_desk"], kind="complaint", channel="phone", category="repairs", title="楼上漏水",
        description="卫生间漏水到楼下", customer=place["owners"][1], unit=place["units"][1])
    submit(page, page.get_by_test_id("report"))
    page.select_option("#id_category", "repairs")
    page.fill("#id_description", "卫生间漏水，楼下天花板已渗水")
    suggestion = page.locator("#similar-list")
    suggestion.wait_for()
    assert "邻居也反映了类似问题" in suggestion.inner_text() and "投诉 · 维修" in suggestion.inner_text()
    assert neighbour.number not in suggestion.inner_text()
    page.set_input_files("#id_photos", photo_file(tmp_path))
    check_layout(page, problems)
    submit(page, page.get_by_test_id("submit-report"))
    case = Complaint.objects.get(channel="owner_portal")
    assert page.url.endswith(f"/m/cases/{case.pk}/") and case.channel == "owner_portal"
    assert case.attachments.count() == 1
    check_layout(page, problems)

    # staff, in their own browser: front desk takes it up from the 业主端新提交 queue and transfers
    # it, the supervisor classifies it, the handler investigates and plans, the manager approves
    case_url = f"/complaints/{case.pk}/"
    staff_page.login("front_desk")
    staff_page.goto("/complaints/?queue=portal")
    assert case.number in staff_page.locator("main").inner_text()
    act(staff_page, case_url, "transfer", selects={"#id_handler": str(staff["cs_staff"].pk)})
    staff_page.login("cs_supervisor")
    act(staff_page, case_url, "classify_valid", selects={"#id_severity": "minor"})
    staff_page.login("cs_staff")
    act(staff_page, case_url, "investigate", {"#id_cause": "管道老化", "#id_responsibility": "施工"})
    for n in (1, 2):
        staff_page.login("cs_staff")
        act(staff_page, case_url, "submit_plan", {"#id_content": f"更换水管方案{n}"})
        staff_page.login("manager")
        act(staff_page, case_url, "approve_plan")
        page.reload()
        assert f"更换水管方案{n}" in page.get_by_test_id("plan").inner_text()
        check_layout(page, problems)
        if n == 1:
            page.locator("input[name=agreed][value=no]").check()
            page.fill("#id_comment", "希望周末施工")
        else:
            page.locator("input[name=agreed][value=yes]").check()
        submit(page, page.get_by_test_id("plan-answer"))
        case.refresh_from_db()
        assert case.state == (State.NEGOTIATION_FAILED if n == 1 else State.AGREED)

    staff_page.login("cs_staff")
    act(staff_page, case_url, "execute", {"#id_result": "已更换水管"})
    page.reload()
    page.locator("input[name=handled][value=yes]").check()
    page.locator("input[name=satisfaction][value='5']").check()
    check_layout(page, problems)
    submit(page, page.get_by_test_id("visit-answer"))
    assert SlaClock.objects.get(complaint=case, rule__code="return_visit").state == "met"
    # The staff see it: the case page's return-visit clock is met, the 待回访 queue no longer has it.
    staff_page.login("front_desk")
    staff_page.goto(f"/complaints/{case.pk}/")
    visit_clock = staff_page.locator("#case-clocks li", has_text="回访")
    assert visit_clock.locator(".clock-met").count() == 1, staff_page.locator("#case-clocks").inner_text()
    staff_page.goto("/complaints/?queue=visits")
    assert case.number not in staff_page.locator("main").inner_text()
    staff_page.goto(f"/complaints/?q={case.number}")  # the register's row: 已回访 beside the state
    row = staff_page.locator("tbody tr", has_text=case.number)
    assert row.locator(".visit-done").inner_text() == "已回访", row.inner_text()

    for url in ("/m/cases/", "/m/inbox/", "/m/me/"):
        page.goto(url)
        check_layout(page, problems)
    heavy = {url: size for url, size in page.weights.items() if size > 150 * 1024}
    assert not heavy, f"pages over 150 KB: {heavy}"
    assert not problems, "\n".join(problems)
