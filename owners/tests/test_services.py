import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from crm.models import Rule
from crm.tests.factories import make_customer, make_project
from owners import selectors, services
from owners.models import AccessRequest, CustomerVisit, Greeting, SurveyScore
from owners.validators import validate_id_number, validate_phone

pytestmark = pytest.mark.django_db


def test_id_number_checksum_is_validated():
    validate_id_number("11010519491231002X")
    validate_id_number("11010519491231002x".upper())
    for bad in ["11010519491231002", "110105194912310021", "110105194913310028", "ABCDEFGHIJKLMNOPQR"]:
        with pytest.raises(ValidationError):
            validate_id_number(bad)


def test_phone_validation_accepts_mobiles_and_landlines():
    validate_phone("13800138001")
    validate_phone("0571-88880001")
    for bad in ["12345", "23800138001", "1380013800a"]:
        with pytest.raises(ValidationError):
            validate_phone(bad)


def test_customer_codes_are_unique_and_never_reused(make_user):
    user = make_user("cs_staff")
    project = make_project()
    a = services.customer_create(created_by=user, name="甲", phone="13911112222", project=project)
    a.delete()
    b = services.customer_create(created_by=user, name="乙", phone="13911113333", project=project)
    assert a.code != b.code and b.code.startswith("C") and len(b.code) == 7
    assert b.history.first().history_user == user


def test_duplicate_phone_or_id_is_refused_unless_confirmed(make_user):
    user = make_user("cs_staff")
    project = make_project()
    services.customer_create(created_by=user, name="甲", phone="13911112222", id_number="11010519491231002X",
                             project=project)
    with pytest.raises(ValidationError) as exc:
        services.customer_create(created_by=user, name="乙", phone="13900000000", id_number="11010519491231002x",
                                 project=project)
    assert exc.value.code == "duplicate"
    services.customer_create(created_by=user, name="乙", phone="13911112222", project=project, allow_duplicate=True)


def test_update_keeps_the_code_and_writes_history(make_user):
    user = make_user("cs_staff")
    customer = services.customer_create(created_by=user, name="甲", phone="13911112222", project=make_project())
    code = customer.code
    services.customer_update(customer=customer, user=user, name="甲改", phone="13911112222")
    customer.refresh_from_db()
    assert customer.code == code and customer.name == "甲改" and customer.history.count() == 2


def test_preference_profile_needs_a_reason_and_property_company_is_refused(make_user):
    customer = make_customer(make_project())
    with pytest.raises(ValidationError):
        services.preference_open(customer=customer, user=make_user("cs_staff"), reason=" ")
    with pytest.raises(PermissionDenied):
        services.preference_open(customer=customer, user=make_user("property_company"), reason="查看")


def test_access_request_is_decided_by_a_supervisor_once_and_valid_only_today(make_user):
    customer = make_customer(make_project())
    asker = make_user("project_dept")
    req = services.access_request_submit(customer=customer, user=asker, reason="核对资料")
    with pytest.raises(PermissionDenied):
        services.access_request_decide(request_id=req.pk, user=make_user("cs_staff"), approve=True)
    sup = make_user("cs_supervisor")
    services.access_request_decide(request_id=req.pk, user=sup, approve=True)
    with pytest.raises(ValidationError):
        services.access_request_decide(request_id=req.pk, user=sup, approve=False)
    assert customer.pk in selectors.granted_customer_ids(asker)
    AccessRequest.objects.filter(pk=req.pk).update(valid_on=timezone.localdate() - dt.timedelta(days=1))
    assert customer.pk not in selectors.granted_customer_ids(asker)


def test_monthly_quota_attainment_counts_distinct_owners_against_the_rules(make_user):
    from crm.models import Department

    dept = Department.objects.create(code="ca-test", name="测试部")
    front = make_user("front_desk", department=dept)
    project = make_project()
    customers = [make_customer(project, name=f"客{i}", phone=f"1391111{i:04d}") for i in range(3)]
    today = timezone.localdate()
    for c in customers + customers[:1]:
        services.visit_record(customer=c, user=front, visited_on=today, method=CustomerVisit.Method.PHONE)
    Rule.objects.filter(key="owners.visit_quota_assistant").update(value=3)
    data = selectors.quota_attainment(front, today.year, today.month)
    mine = next(a for a in data["assistants"] if a["user_id"] == front.pk)
    assert mine["count"] == 3 and mine["met"] and mine["percent"] == 100
    dept_row = next(d for d in data["departments"] if d["name"] == "测试部")
    assert dept_row["count"] == 3 and not dept_row["met"] and dept_row["percent"] == 30


def test_birthdays_in_the_next_days_and_greeting_marked_once(make_user):
    user = make_user("cs_staff")
    project = make_project()
    today = timezone.localdate()
    soon = make_customer(project, name="近", phone="13911110001",
                         birth_date=(today + dt.timedelta(days=3)).replace(year=1990))
    later = make_customer(project, name="远", phone="13911110002",
                          birth_date=(today + dt.timedelta(days=20)).replace(year=1985))
    week = [c for _, c in selectors.birthdays_within(user, 7)]
    month = [c for _, c in selectors.birthdays_within(user, 30)]
    assert soon in week and later not in week and later in month
    services.greeting_mark(customer=soon, occasion="birthday", year=today.year, user=user)
    services.greeting_mark(customer=soon, occasion="birthday", year=today.year, user=user)
    assert Greeting.objects.filter(customer=soon).count() == 1
    assert [h.history_user for h in Greeting.objects.get(customer=soon).history.all()] == [user]
    assert selectors.greeted_ids("birthday", today.year) == {soon.pk}


def test_birthdays_across_the_new_year_and_of_29_february_in_a_common_year(make_user):
    user = make_user("cs_staff")
    project = make_project()
    new_year = make_customer(project, name="元", phone="13911110003", birth_date=dt.date(1980, 1, 2))
    leap = make_customer(project, name="闰", phone="13911110004", birth_date=dt.date(2000, 2, 29))
    march = make_customer(project, name="春", phone="13911110005", birth_date=dt.date(1970, 3, 2))
    assert [(d, c) for d, c in selectors.birthdays_within(user, 7, dt.date(2026, 12, 28))] == [
        (dt.date(2027, 1, 2), new_year)]
    # 2027 has no 29 February: that birthday is greeted on 1 March, before the one of 2 March
    assert [(d, c) for d, c in selectors.birthdays_within(user, 7, dt.date(2027, 2, 26))] == [
        (dt.date(2027, 3, 1), leap), (dt.date(2027, 3, 2), march)]


def test_survey_scores_are_validated_and_trend_averages_per_project(make_user):
    user = make_user("cs_staff")
    customer = make_customer(make_project(name="趋势项目"))
    with pytest.raises(ValidationError):
        services.survey_record(customer=customer, user=user, surveyed_on=timezone.localdate(), scores={"overall": 9})
    services.survey_record(customer=customer, user=user, surveyed_on=timezone.localdate(),
                           scores={"overall": 4, "service": 5})
    trend = selectors.survey_trend(user)
    assert trend["series"] == [{"name": "趋势项目", "data": [4.5]}]
    assert selectors.survey_trend(user, "service")["series"] == [{"name": "趋势项目", "data": [5.0]}]
    assert SurveyScore.history.filter(history_user=user).count() == 2


def test_an_out_of_scope_opening_without_an_approved_request_is_refused_and_not_logged(make_user):
    from owners.models import AccessLog

    customer = make_customer(make_project())
    asker = make_user("project_dept")
    req = services.access_request_submit(customer=customer, user=asker, reason="核对资料")
    with pytest.raises(PermissionDenied):
        services.out_of_scope_open(customer=customer, user=asker)
    services.access_request_decide(request_id=req.pk, user=make_user("cs_supervisor"), approve=True)
    entry = services.out_of_scope_open(customer=customer, user=asker)
    assert (entry.what, entry.reason) == (AccessLog.What.OUT_OF_SCOPE, "已批准的调阅申请：核对资料")
    assert AccessLog.objects.count() == 1


def test_closeout_date_check_takes_2000_to_a_year_ahead_and_the_service_refuses_the_rest(make_user):
    """The one rule for the close-out date (the API and any staff form call the service)."""
    today = dt.date(2026, 12, 7)
    for day in (dt.date(2000, 1, 1), today, dt.date(2027, 12, 7)):
        services.closeout_date_check(day, today=today)
    for day in (dt.date(1900, 1, 1), dt.date(1999, 12, 31), dt.date(2027, 12, 8), dt.date(9999, 12, 31)):
        with pytest.raises(ValidationError) as refused:
            services.closeout_date_check(day, today=today)
        assert refused.value.message_dict == {"closeout_date": [
            "封盘交接日期应在 2000-01-01 到 2027-12-07（一年后）之间：到了这一天，项目部的未结案件即转至客户事务部。"]}
    services.closeout_date_check(dt.date(2025, 2, 28), today=dt.date(2024, 2, 29))  # a leap day's year on
    project = make_project()
    admin = make_user("admin", username="closeout-admin")
    with pytest.raises(ValidationError):
        services.project_closeout_record(project=project, closeout_date=dt.date(1900, 1, 1), user=admin)
    project.refresh_from_db()
    assert project.closeout_date is None and project.history.count() == 1
    services.project_closeout_record(project=project, closeout_date=timezone.localdate(), user=admin)
    project.refresh_from_db()
    assert project.closeout_date == timezone.localdate()


def test_the_admins_project_form_records_a_closeout_date_under_the_same_rule(as_role):
    """The Django admin's project page is the staff's way to record the close-out: a date the
    rule refuses comes back with its message and the project unchanged; a date it takes is
    saved; a project whose stored date is left alone saves whatever that date is."""
    from django.urls import reverse

    from owners.models import Project

    project = Project.objects.create(name="封盘测试花园", code="FP01")
    url = reverse("admin:owners_project_change", args=[project.pk])
    admin = as_role("admin")
    form = {"name": project.name, "code": project.code, "first_movein_date": ""}

    refused = admin.post(url, {**form, "closeout_date": "1900-01-01"})
    assert refused.status_code == 200
    assert "封盘交接日期应在 2000-01-01 到" in refused.content.decode()
    project.refresh_from_db()
    assert project.closeout_date is None

    today = timezone.localdate()
    assert admin.post(url, {**form, "closeout_date": today.isoformat()}).status_code == 302
    project.refresh_from_db()
    assert project.closeout_date == today

    Project.objects.filter(pk=project.pk).update(closeout_date=dt.date(1999, 6, 30))  # stored before the rule
    assert admin.post(url, {**form, "name": "封盘测试花园二期", "closeout_date": "1999-06-30"}).status_code == 302
    project.refresh_from_db()
    assert (project.name, project.closeout_date) == ("封盘测试花园二期", dt.date(1999, 6, 30))
