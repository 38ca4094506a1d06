"""The register's 搜索 box finds cases by their words (crm.search): ranked, highlighted, in the
user's scope and filters, phones only for those who see them, at the register's query cost."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Complaint
from crm.tests.factories import OwnerFactory, ProjectFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(place, users):
    def factory(*, title, description, owner=0, received_at=None, by="front_desk", **extra):
        return services.complaint_register(
            received_by=users[by], kind="complaint", channel="phone", category="repairs", title=title,
            description=description, customer=place["owners"][owner], unit=place["units"][owner],
            received_at=received_at or timezone.now(), **extra)
    return factory


def page(client, **params):
    response = client.get(reverse("complaints:register"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_words_find_cases_ranked_title_first_and_highlighted(client, users, case):
    now = timezone.now()
    in_text = case(title="天花板发霉", description="楼上卫生间漏水，天花板发霉", received_at=now)
    in_title = case(title="卫生间漏水<script>", description="请尽快处理", received_at=now - dt.timedelta(days=2))
    other = case(title="电梯停运", description="三号楼电梯停运")
    client.force_login(users["cs_supervisor"])
    body = page(client, q="漏水")
    assert in_title.number in body and in_text.number in body and other.number not in body
    assert body.index(in_title.number) < body.index(in_text.number)  # the title's words rank first
    assert "卫生间<mark>漏水</mark>&lt;script&gt;" in body  # marked, and the rest escaped
    assert 'search-snippet">楼上卫生间<mark>漏水</mark>，天花板发霉</div>' in body  # found in the description


def test_a_search_keeps_the_other_filters(client, users, case):
    kept = case(title="外墙渗水", description="客厅外墙渗水")
    services.complaint_classify(complaint=kept, user=users["cs_supervisor"], valid=True, severity="minor")
    dropped = case(title="外墙渗水", description="卧室外墙渗水", owner=1)
    client.force_login(users["cs_supervisor"])
    body = page(client, q="外墙渗水", state=Complaint.objects.get(pk=kept.pk).state)
    assert kept.number in body and dropped.number not in body


def test_a_project_department_user_never_finds_another_projects_case(client, make_user, users, case, place):
    other_project = ProjectFactory(code="hill", name="山景苑")
    unit = UnitFactory(project=other_project, number="901", area=90, delivery_date=None)
    owner = OwnerFactory(code="C9001", name="外人", phone="13900009001", project=other_project, unit=unit)
    admin = users["admin"]
    theirs = services.complaint_register(received_by=admin, kind="complaint", channel="phone", category="repairs",
                                         title="地下室漏水", description="车库漏水", customer=owner, unit=unit)
    ours = case(title="地下室漏水", description="车库漏水")
    scoped = make_user("project_dept", projects=[place["project"]])
    client.force_login(scoped)
    body = page(client, q="地下室漏水")
    assert ours.number in body and theirs.number not in body
    body = page(client, q=theirs.complainant_phone[-8:])
    assert theirs.number not in body


def test_phone_digits_find_a_case_only_for_users_who_see_phones(users, case):
    from django.http import QueryDict

    from complaints.selectors import register_list

    found = case(title="门禁坏了", description="门禁卡失灵", complainant_name="王五", complainant_phone="13512345678")
    params = QueryDict("q=12345678")
    assert found in register_list(user=users["cs_staff"], params=params)[1]
    # The filter bar of a user who may not see phones: the digits find nothing, by words or by number.
    from complaints.filters import ComplaintFilter
    fs = ComplaintFilter(params, queryset=Complaint.objects.all(), menus={"project": [], "department": []},
                         phones=False)
    assert found not in fs.qs


def test_the_case_number_name_and_phone_searches_still_work(client, users, case):
    found = case(title="门禁坏了", description="门禁卡失灵", complainant_name="欧阳明", complainant_phone="13512345678")
    client.force_login(users["cs_supervisor"])
    assert found.number in page(client, q=found.number)
    assert found.number in page(client, q="欧阳明")
    assert found.number in page(client, q="5123 4567")
    assert found.number in page(client, q="门禁")


def test_a_word_search_costs_the_register_queries_of_a_search(client, users, case):
    for i in range(40):
        case(title=f"漏水{i}", description="卫生间漏水")
    client.force_login(users["cs_supervisor"])
    url = reverse("complaints:register") + "?q=漏水&page=2"
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(url).content.decode()
    # session, user (with profile and unread count), the counts, the menus, the ranked page with
    # its count, the rows
    assert len(ctx.captured_queries) <= 6
    assert body.count("<mark>漏水</mark>") == 10  # the second page: cases 31 to 40


def test_a_page_past_the_last_shows_the_last(client, users, case):
    for i in range(3):
        case(title=f"漏水{i}", description="卫生间漏水")
    client.force_login(users["cs_supervisor"])
    assert "<mark>漏水</mark>" in page(client, q="漏水", page="9")
    assert "<mark>漏水</mark>" in page(client, q="漏水", page="x")


@pytest.fixture
def many_leaks(case, users, monkeypatch):
    """Ten cases of 漏水 in the place's project (the newest) and two in another project, with
    the register's count capped at 4, 2 rows a page and a sample of the 6 newest matches."""
    from complaints import selectors
    from crm import search_sql

    monkeypatch.setattr(selectors, "SEARCH_COUNT_EXACT", 4)
    monkeypatch.setattr(selectors, "REGISTER_PER_PAGE", 2)
    monkeypatch.setattr(search_sql, "SAMPLE", 6)
    other_project = ProjectFactory(code="hill", name="山景苑")
    unit = UnitFactory(project=other_project, number="901", area=90, delivery_date=None)
    owner = OwnerFactory(code="C9001", name="外人", phone="13900009001", project=other_project, unit=unit)
    now = timezone.now()
    for i in range(2):
        services.complaint_register(received_by=users["admin"], kind="complaint", channel="phone", category="repairs",
                                    title=f"车库漏水{i}", description="车库漏水", customer=owner, unit=unit,
                                    received_at=now - dt.timedelta(days=30 + i))
    return [case(title=f"卫生间漏水{i}", description="楼上漏水", received_at=now - dt.timedelta(hours=i))
            for i in range(10)]


def test_a_large_count_in_a_narrow_scope_is_estimated_and_says_so(client, make_user, users, place, case, many_leaks):
    """Issue 19: a project department's search with more matches than the register counts
    exactly says 约 (its count estimated from the newest matches), its pages exist, and its last
    page link leads to the real last page; a small count, or a supervisor's (every case: the
    text index's own count), stays exact and says 共."""
    scoped = make_user("project_dept", projects=[place["project"]])
    client.force_login(scoped)
    body = page(client, q="漏水")
    assert "约 12 条" in body and "1 / 约 6" in body and "共 " not in body  # 6 in the sample of 6 × 12 / 6
    assert body.count("<mark>漏水</mark>") >= 2 and many_leaks[0].number in body
    second = page(client, q="漏水", page="2")  # still within the exact cap's pages: estimated, full
    assert "约 12 条" in second and many_leaks[2].number in second and many_leaks[3].number in second
    # The last page link (page 6 of the estimate) shows the real last page, counted exactly.
    last = page(client, q="漏水", page="6")
    assert "共 10 条" in last and "5 / 5" in last and "约" not in last
    assert many_leaks[8].number in last and many_leaks[9].number in last
    middle = page(client, q="漏水", page="3")  # beyond the cap's pages: exact
    assert "共 10 条" in middle and "3 / 5" in middle and many_leaks[4].number in middle
    # A count within the cap is exact.
    for i in range(3):
        case(title=f"电梯停运{i}", description="电梯")
    assert "共 3 条" in page(client, q="电梯")
    # Every case: the count is the text index's own, exact.
    client.force_login(users["cs_supervisor"])
    body = page(client, q="漏水")
    assert "共 12 条" in body and "约" not in body
