"""The owner reads plain words: the return visit's scores say what each means."""
import re

import pytest

from . import test_loop
from .test_loop import _disposed

pytestmark = pytest.mark.django_db

staff, reported = test_loop.staff, test_loop.reported  # the loop's fixtures: a case transferred to a handler


def test_the_return_visit_scores_say_what_they_mean(client, reported, staff):
    _disposed(reported, staff, client)
    page = client.get(f"/m/cases/{reported.pk}/").content.decode()
    visit = page[page.index('data-testid="visit"'):]
    labels = [" ".join(label.split()) for label in re.findall(r'name="satisfaction" value="\d"[^>]*> ([^<]+)</label>',
                                                               visit)]
    assert labels == ["5 很满意", "4 满意", "3 一般", "2 不满意", "1 很不满意"]


def test_no_owner_page_says_the_trades_word_for_the_preference_profile(client, place, owner_login, make_user):
    """客情 is the back office's word: the owner reads 个人偏好资料 (my data, and the privacy notice)."""
    from owners.models import AccessLog

    AccessLog.objects.create(user=make_user("cs_staff"), customer=place["owners"][0], what=AccessLog.What.PREFERENCE,
                             reason="准备生日关怀")
    owner_login(0)
    pages = {url: client.get(url).content.decode()
             for url in ("/m/", "/m/me/", "/m/privacy/", "/m/report/", "/m/cases/", "/m/inbox/", "/m/club/",
                         "/m/me/messages/")}
    assert all(page.count("</html>") == 1 for page in pages.values()), [u for u, p in pages.items() if "</html>" not in p]
    assert [url for url, page in pages.items() if "客情" in page] == []
    assert "谁查看过我的个人偏好资料" in pages["/m/me/"] and "准备生日关怀" in pages["/m/me/"]
    assert "查看您的个人偏好资料（如喜好、饮食禁忌、纪念日）须说明原因" in pages["/m/privacy/"]
