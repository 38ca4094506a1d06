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
