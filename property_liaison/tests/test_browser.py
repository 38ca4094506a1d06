import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inspection_with_a_finding_is_answered_by_the_company_and_verified_by_the_developer(demo, page, browser_login):
    from owners.models import Project
    from property_liaison.models import Rectification

    sunshine = Project.objects.get(code="sunshine")
    browser_login("cs_staff")
    page.goto("/liaison/inspections/new/")
    page.select_option("#id_project", str(sunshine.pk))
    page.select_option("#id_kind", "special")
    page.fill("#id_summary", "浏览器测试：专项检查")
    page.fill("#id_score_security", "75")
    page.fill("#id_score_cleaning", "85")
    page.click("#submit")
    page.wait_for_url(re.compile(r"/liaison/inspections/\d+/$"))
    assert page.locator("#inspection-score").inner_text().strip() == "80.0"
    page.select_option("#id_area", "security")
    page.fill("#id_description", "夜间巡逻记录缺失")
    page.set_input_files("#id_photo", files=[{"name": "p.png", "mimeType": "image/png",
                                              "buffer": b"\x89PNG\r\n\x1a\n" + b"0" * 32}])
    page.fill("#id_requirement", "补齐巡逻记录并每日抽查")
    page.fill("#id_deadline", "2099-01-01")
    page.click("#add-finding")
    row = page.locator("#findings tbody tr")
    assert row.count() == 1
    assert "夜间巡逻记录缺失" in row.inner_text() and "补齐巡逻记录并每日抽查" in row.inner_text()
    assert row.locator("a", has_text="查看").count() == 1  # the photo
    rect = Rectification.objects.get(requirement="补齐巡逻记录并每日抽查")
    assert rect.status == "open" and rect.finding.photo and rect.project == sunshine
    inspection_url = page.url

    page.context.clear_cookies()
    browser_login("property_company")
    page.goto(f"/liaison/rectifications/{rect.pk}/")
    assert page.locator("#do-verify").count() == 0
    page.fill("#id_answer", "已补齐，主管每日抽查签字")
    page.click("#do-answer")
    assert page.locator("#status").inner_text().strip() == "已答复"
    page.goto(inspection_url)
    assert page.locator("#add-finding").count() == 0  # the company answers, it does not inspect

    page.context.clear_cookies()
    browser_login("cs_supervisor")
    page.goto(f"/liaison/rectifications/{rect.pk}/")
    assert "已补齐" in page.locator("#answer").inner_text()
    page.fill("#id_verify_note", "现场抽查合格")
    page.click("#do-verify")
    assert page.locator("#status").inner_text().strip() == "已验证"
    assert page.locator("#do-verify").count() == 0 and page.locator("#do-reopen").count() == 0
    rect.refresh_from_db()
    assert rect.status == "verified" and rect.verified_by.username == "cs_supervisor"
    assert rect.answered_by.username == "property_company" and rect.verification_note == "现场抽查合格"
    assert rect.history.count() == 3  # created, answered, verified


def test_score_trend_charts_draw(demo, page, browser_login):
    browser_login("cs_supervisor")
    page.goto("/liaison/trends/")
    page.wait_for_selector("[data-liaison-chart=projects] canvas")
    assert page.locator("[data-liaison-chart] canvas").count() >= 2
