"""A title-certificate case from materials to the guarantee released, in a real browser."""
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_case_goes_from_materials_to_the_guarantee_released_by_finance(demo, page, browser_login):
    from mortgage.models import TitleCertificateCase

    case = TitleCertificateCase.objects.filter(stage="collected", loan__isnull=False).first()
    browser_login("cs_staff")
    page.goto("/mortgage/certificates/?stage=collected")
    page.click(f"a[href='/mortgage/certificates/{case.pk}/']")
    stage = page.locator("[data-testid=stage]")
    assert stage.inner_text() == "材料已收齐"
    for action, label in [("submit", "已提交代办"), ("file", "已递件登记"), ("issue", "已出证"),
                          ("register_mortgage", "已办抵押登记"), ("request_release", "已申请撤销担保")]:
        if action == "issue":
            page.fill("#certificate_number", "浙(2026)杭州市不动产权第0099999号")
        page.click(f"button[data-action={action}]")
        page.wait_for_load_state()
        assert stage.inner_text() == label, action
        if action == "submit":  # the agent is chased (督促) once while it holds the file
            page.fill("textarea[name=result]", "代办公司承诺本周递件")
            page.click("text=记录督促")
            page.wait_for_load_state()
            assert "代办公司承诺本周递件" in page.locator("[data-testid=chases]").inner_text()
    assert "0099999" in page.locator("[data-testid=certificate-number]").inner_text()
    assert page.locator("button[data-action=confirm_release]").count() == 0  # only finance confirms

    page.context.clear_cookies()
    browser_login("finance")
    page.goto(f"/mortgage/certificates/{case.pk}/")
    page.click("button[data-action=confirm_release]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=stage]").inner_text() == "担保已撤销"
    assert "担保已撤销" in page.locator("dl").inner_text()
    case.refresh_from_db()
    assert case.stage == "released" and not case.loan.guarantee_active and case.released_by.username == "finance"
    assert case.chases.get().result == "代办公司承诺本周递件"
