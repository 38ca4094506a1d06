"""Data out: cases (the register's filters, cursor pages of bounded queries), return visits and
satisfaction, overdue records; each limited to the client's projects (another project's record
is a 404)."""
import pytest
from django.urls import reverse

from complaints import services as complaint_services

pytestmark = pytest.mark.django_db


def test_cases_are_listed_only_for_the_clients_projects(system, two_projects, register_case):
    lake_case = register_case(two_projects["lake"])
    hill_case = register_case(two_projects["hill"])
    caller = system(projects=[two_projects["lake"]["project"]], scopes=["cases:read"])
    data = caller.get(reverse("api:case_list")).json()
    assert [row["number"] for row in data["results"]] == [lake_case.number]
    assert data["results"][0]["project_external_id"] == "P-lake"
    assert caller.get(reverse("api:case_detail", args=[lake_case.pk])).json()["number"] == lake_case.number
    response = caller.get(reverse("api:case_detail", args=[hill_case.pk]))
    assert response.status_code == 404
    assert response.json() == {"detail": f"找不到 id 为 {hill_case.pk} 的案件。"}  # was "No Complaint matches…"


def test_cases_take_the_registers_filters_and_refuse_an_invalid_one(system, two_projects, register_case):
    case = register_case(two_projects["lake"])
    register_case(two_projects["hill"])
    caller = system(all_projects=True, scopes=["cases:read"])
    by_project = caller.get(reverse("api:case_list"), {"project": two_projects["hill"]["project"].pk}).json()
    assert [r["project"] for r in by_project["results"]] == [two_projects["hill"]["project"].pk]
    assert [r["number"] for r in caller.get(reverse("api:case_list"), {"q": case.number}).json()["results"]] == [
        case.number]
    assert caller.get(reverse("api:case_list"), {"state": "nonsense"}).status_code == 400
    lake_only = system(projects=[two_projects["lake"]["project"]], scopes=["cases:read"])
    # another project's id in the filter is not a choice: refused, never a look outside the scope
    assert lake_only.get(reverse("api:case_list"), {"project": two_projects["hill"]["project"].pk}
                         ).status_code == 400


@pytest.mark.parametrize("pages", [1, 3])
def test_every_page_of_cases_costs_at_most_five_queries(system, two_projects, register_case,
                                                        django_assert_max_num_queries, pages):
    for _ in range(7):
        register_case(two_projects["lake"])
    caller = system(projects=[two_projects["lake"]["project"]], scopes=["cases:read"])
    caller.get(reverse("api:me"))  # last use written: the pages below are any page of a busy client
    url, seen = reverse("api:case_list") + "?page_size=3&kind=complaint", []
    for _ in range(pages):
        with django_assert_max_num_queries(5):
            data = caller.get(url).json()
        seen += [r["number"] for r in data["results"]]
        url = data["next"]
    assert len(seen) == len(set(seen)) == min(pages * 3, 7)


def test_the_cursor_walks_every_case_once(system, two_projects, register_case):
    numbers = {register_case(two_projects["lake"]).number for _ in range(5)}
    caller = system(all_projects=True, scopes=["cases:read"])
    url, seen = reverse("api:case_list") + "?page_size=2", []
    while url:
        data = caller.get(url).json()
        seen += [r["number"] for r in data["results"]]
        url = data["next"]
    assert sorted(seen) == sorted(numbers)


@pytest.mark.parametrize("name", ["api:case_list", "api:return_visit_list", "api:survey_list", "api:overdue_list"])
@pytest.mark.parametrize("size", ["201", "500", "0", "-3", "abc", "1.5", "２"])
def test_a_page_size_outside_1_to_200_is_a_400_not_a_quietly_different_page(system, two_projects, register_case,
                                                                            name, size):
    """DRF gave 200 rows for page_size=500 (a client stopping at a short page stopped early) and
    50 for 0, -3 or abc."""
    register_case(two_projects["lake"])
    caller = system(all_projects=True)
    response = caller.get(reverse(name), {"page_size": size})
    assert response.status_code == 400
    assert response.json() == {"page_size": ["page_size 应为 1 到 200 之间的整数。"]}
    assert caller.get(reverse(name), {"page_size": "200"}).status_code == 200


def test_return_visits_and_surveys_of_the_clients_projects(system, two_projects, register_case, make_user):
    from owners.services import survey_record

    staff = make_user("cs_staff", username="staff")
    for code in ("lake", "hill"):
        survey_record(customer=two_projects[code]["owner"], user=staff, surveyed_on=__import__("datetime").date(
            2026, 11, 1), scores={"overall": 4, "service": 5})
    caller = system(projects=[two_projects["lake"]["project"]], scopes=["return_visits:read"])
    surveys = caller.get(reverse("api:survey_list")).json()["results"]
    assert len(surveys) == 1 and surveys[0]["customer_external_id"] == "" and \
        {s["topic"]: s["score"] for s in surveys[0]["scores"]} == {"overall": 4, "service": 5}
    assert caller.get(reverse("api:return_visit_list")).json()["results"] == []


def test_overdue_records_for_finance_limited_to_the_clients_projects(system, overdue):
    caller = system(projects=[overdue["lake"].project], scopes=["overdue:read"])
    rows = caller.get(reverse("api:overdue_list")).json()["results"]
    assert [r["loan_number"] for r in rows] == ["L-lake"] and rows[0]["amount"] == "25000.00"
    response = caller.get(reverse("api:overdue_detail", args=[overdue["hill"].pk]))
    assert response.status_code == 404
    assert response.json() == {"detail": f"找不到 id 为 {overdue['hill'].pk} 的按揭逾期记录。"}
    assert caller.get(reverse("api:overdue_detail", args=[overdue["lake"].pk])).status_code == 200


def test_a_return_visit_recorded_is_listed(system, two_projects, register_case, make_user):
    case = register_case(two_projects["lake"])
    visit = _visited(case, make_user)
    caller = system(projects=[two_projects["lake"]["project"]], scopes=["return_visits:read"])
    rows = caller.get(reverse("api:return_visit_list")).json()["results"]
    assert [(r["id"], r["case_number"], r["satisfaction"]) for r in rows] == [(visit.pk, case.number, 5)]


def _visited(case, make_user):
    """A case taken through the short path to its return visit (need: reply, then visit)."""
    sup = make_user("cs_supervisor", username="sup")
    staff = make_user("cs_staff", username="staff2")
    complaint_services.complaint_classify(complaint=case, user=sup, valid=True, severity="minor")
    complaint_services.complaint_investigate(complaint=case, user=staff, cause="c", responsibility="r")
    from complaints.models import Complaint, VisitState

    Complaint.objects.filter(pk=case.pk).update(visit_state=VisitState.DUE, state="executed")
    case.refresh_from_db()
    return complaint_services.return_visit_record(complaint=case, user=staff, handled=True, satisfaction=5)


def test_an_address_the_api_does_not_have_is_a_json_404_in_chinese(system):
    """It was the staff's HTML 404 page, and an address without its final slash a 301 that
    turns a POST into a GET (the records were never sent)."""
    from owners.models import Project

    caller = system(all_projects=True)
    response = caller.get("/api/v1/cases/abc/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "没有这个接口：/api/v1/cases/abc/。接口一览见 /api/docs/。"}
    response = caller.post("/api/v1/projects/bulk", {"records": [{"external_id": "P1", "code": "p1", "name": "湖"}]})
    assert response.status_code == 404
    assert response.json() == {
        "detail": "没有这个接口：/api/v1/projects/bulk。接口地址以 / 结尾，请改用 /api/v1/projects/bulk/"}
    assert not Project.objects.exists()


def _bulk(caller, resource, records):
    response = caller.post(reverse(f"api:{resource}_bulk"), {"records": records})
    assert response.status_code == 200 and not response.json()["counts"]["error"], response.content
    return response.json()


def test_the_master_data_a_system_sent_reads_back_by_its_external_ids(system):
    """The scopes offered projects:read … ownerships:read and nothing read them: a sender could
    not see what it had written (a customer's code, a phone as stored)."""
    from owners.models import Customer, Ownership, Unit

    sales = system(all_projects=True, source="sales")
    _bulk(sales, "projects", [{"external_id": "P1", "code": "lake", "name": "湖畔花园", "first_movein_date": "2027-06-30"}])
    _bulk(sales, "buildings", [{"external_id": "B1", "project": "P1", "name": "1栋"}])
    _bulk(sales, "units", [{"external_id": f"U{i}", "building": "B1", "number": f"{i}01", "area": "89.5"}
                           for i in (1, 2, 3)])
    _bulk(sales, "customers", [{"external_id": "C1", "project": "P1", "name": "李四", "phone": "139 0000 1111"}])
    _bulk(sales, "ownerships", [{"external_id": "O1", "customer": "C1", "unit": "U2", "contract_date": "2026-01-15"}])

    units = sales.get(reverse("api:units_list"), {"external_id": ["U3", "U1", "U9"]})
    assert units.status_code == 200
    stored = {u.external_id: u for u in Unit.objects.filter(external_id__in=["U1", "U3"])}
    assert units.json() == {"next": None, "previous": None, "results": [
        {"id": stored[ext].pk, "external_id": ext, "building": "B1", "project": "P1", "number": f"{ext[1]}01",
         "floor": None, "area": "89.50", "layout": "", "delivery_date": None} for ext in ("U3", "U1")]}
    customer = Customer.objects.get(external_id="C1")
    assert sales.get(reverse("api:customers_list")).json()["results"] == [{
        "id": customer.pk, "external_id": "C1", "code": customer.code, "project": "P1", "name": "李四", "gender": "",
        "stage": "prospect", "source": "other", "phone": "13900001111", "phone_alt": "", "id_number": "", "email": ""}]
    assert sales.get(reverse("api:ownerships_list")).json()["results"] == [{
        "id": Ownership.objects.get().pk, "external_id": "O1", "customer": "C1", "unit": "U2", "kind": "owner",
        "contract_date": "2026-01-15", "movein_date": None}]
    projects = sales.get(reverse("api:projects_list")).json()["results"]
    assert [(p["external_id"], p["code"], p["first_movein_date"], p["closeout_date"]) for p in projects] == [
        ("P1", "lake", "2027-06-30", None)]
    assert [b["external_id"] for b in sales.get(reverse("api:buildings_list")).json()["results"]] == ["B1"]


def test_master_data_reads_only_the_clients_source_projects_and_scopes(system, two_projects):
    """two_projects: P-lake and P-hill of source sales1, each with a unit and an owner keyed by none."""
    from owners.models import Building

    for code in ("lake", "hill"):
        Building.objects.create(project=two_projects[code]["project"], name="9栋", external_source="sales1",
                                external_id=f"B-{code}")
    lake = system(projects=[two_projects["lake"]["project"]], scopes=["buildings:read"], source="sales1")
    other_source = system(all_projects=True, scopes=["buildings:write"], source="crm2")
    assert [b["external_id"] for b in lake.get(reverse("api:buildings_list")).json()["results"]] == ["B-lake"]
    assert lake.get(reverse("api:buildings_list"), {"external_id": "B-hill"}).json()["results"] == []
    assert other_source.get(reverse("api:buildings_list")).json()["results"] == []
    response = lake.get(reverse("api:units_list"))
    assert response.status_code == 403 and response.json() == {"detail": "该接入系统没有此资源的权限。"}
    response = lake.get(reverse("api:buildings_list"), {"external_id": [f"B{i}" for i in range(201)]})
    assert response.status_code == 400
    assert response.json() == {"external_id": ["一次最多查询 200 个 external_id。"]}


@pytest.mark.parametrize("resource", ["projects", "buildings", "units", "customers", "ownerships"])
def test_every_page_of_master_data_costs_at_most_five_queries(system, resource, django_assert_max_num_queries):
    sales = system(projects=(), all_projects=True, source="sales")
    _bulk(sales, "projects", [{"external_id": f"P{i}", "code": f"p{i}", "name": f"盘{i}"} for i in range(3)])
    _bulk(sales, "buildings", [{"external_id": f"B{i}", "project": f"P{i}", "name": "1栋"} for i in range(3)])
    _bulk(sales, "units", [{"external_id": f"U{i}", "building": f"B{i}", "number": "101", "area": "90"}
                           for i in range(3)])
    _bulk(sales, "customers", [{"external_id": f"C{i}", "project": f"P{i}", "name": "李四", "phone": f"1390000111{i}"}
                               for i in range(3)])
    _bulk(sales, "ownerships", [{"external_id": f"O{i}", "customer": f"C{i}", "unit": f"U{i}"} for i in range(3)])
    sales.get(reverse("api:me"))  # last use written
    url, seen = reverse(f"api:{resource}_list") + "?page_size=2", []
    while url:
        with django_assert_max_num_queries(5):
            data = sales.get(url).json()
        seen += [r["external_id"] for r in data["results"]]
        url = data["next"]
    assert sorted(seen) == [f"{resource[0].upper()}{i}" for i in range(3)]


def test_external_ids_to_read_are_trimmed_and_one_no_column_can_hold_is_a_400(system, two_projects):
    """A NUL in ?external_id= was a 500 on PostgreSQL (found by schemathesis)."""
    from owners.models import Building

    Building.objects.create(project=two_projects["lake"]["project"], name="9栋", external_source="sales1",
                            external_id="B-lake")
    caller = system(all_projects=True, scopes=["buildings:read"], source="sales1")
    url = reverse("api:buildings_list")
    response = caller.get(url, {"external_id": ["B-lake", "B\x00"]})
    assert response.status_code == 400
    assert response.json() == {"external_id": ["请求中含有无法保存的字符（如 \\u0000 或不成对的代理字符），请去掉后重试。"]}
    assert [b["external_id"] for b in caller.get(url, {"external_id": " B-lake "}).json()["results"]] == ["B-lake"]
    assert caller.get(url, {"external_id": ""}).json()["results"] == []  # asked for none, not for all
    assert Building.objects.filter(external_id="B-lake").count() == 1


def test_return_visits_and_surveys_are_listed_from_a_day_as_cases_are(system, two_projects, register_case,
                                                                      make_user):
    """The case list takes received_from (a day, China time); return visits and surveys had no
    such filter, so a system polling for new ones read every one each time. visited_from and
    surveyed_from read a day the same way and refuse a wrong one with the case list's message."""
    import datetime as dt

    from django.utils import timezone

    from complaints.models import ReturnVisit
    from owners.services import survey_record

    staff = make_user("cs_staff", username="surveyor")
    old, new = (survey_record(customer=two_projects["lake"]["owner"], user=staff, surveyed_on=day, scores={"overall": 4})
                for day in (dt.date(2026, 10, 31), dt.date(2026, 11, 1)))
    first = _visited(register_case(two_projects["lake"]), make_user)
    second = _visited(register_case(two_projects["lake"]), lambda role, username=None: make_user(role))
    # The first visit at 23:59 China time on 30 November, the second at 00:00 on 1 December.
    china = timezone.get_default_timezone()
    ReturnVisit.objects.filter(pk=first.pk).update(at=dt.datetime(2026, 11, 30, 23, 59, tzinfo=china))
    ReturnVisit.objects.filter(pk=second.pk).update(at=dt.datetime(2026, 12, 1, 0, 0, tzinfo=china))
    caller = system(projects=[two_projects["lake"]["project"]], scopes=["return_visits:read", "cases:read"])

    def ids(name, **params):
        response = caller.get(reverse(name), params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("api:return_visit_list", visited_from="2026-12-01") == [second.pk]
    assert ids("api:return_visit_list", visited_from="2026-11-30") == [second.pk, first.pk]
    assert ids("api:survey_list", surveyed_from="2026-11-01") == [new.pk]
    assert ids("api:survey_list", surveyed_from="2026-10-31") == [new.pk, old.pk]
    for bad in ("2026-02-30", "yesterday"):
        expected = caller.get(reverse("api:case_list"), {"received_from": bad})
        assert expected.status_code == 400
        for name, field in (("api:return_visit_list", "visited_from"), ("api:survey_list", "surveyed_from")):
            response = caller.get(reverse(name), {field: bad})
            assert response.status_code == 400
            assert response.json() == {field: expected.json()["received_from"]}


def test_the_schema_shows_the_day_filters_of_return_visits_and_surveys(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    for path, name in (("/api/v1/return-visits/", "visited_from"), ("/api/v1/surveys/", "surveyed_from"),
                       ("/api/v1/cases/", "received_from")):
        [parameter] = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
        assert parameter["in"] == "query" and parameter["schema"] == {"type": "string", "format": "date"}
        assert "(YYYY-MM-DD)" in parameter["description"]
