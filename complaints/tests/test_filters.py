"""The register's filters (complaints/filters.py): search and the received-date range."""
import datetime as dt

import pytest
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from complaints.selectors import register_list
from crm.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_fixed_timezone(8 * 60)


def found(user, **params):
    query = QueryDict(mutable=True)
    query.update(params)
    filterset, qs = register_list(user=user, params=query)
    assert filterset.is_valid(), filterset.errors
    return set(qs.values_list("number", flat=True))


def test_a_whole_case_number_finds_that_case_only_in_any_letter_case(new_case, users):
    cases = [new_case(owner=i) for i in range(3)]
    boss = users["cs_supervisor"]
    assert found(boss, q=cases[1].number) == {cases[1].number}
    assert found(boss, q=f"  {cases[1].number.lower()} ") == {cases[1].number}


def test_part_of_a_case_number_finds_every_case_containing_it(new_case, users):
    cases = [new_case(owner=i) for i in range(3)]
    year_part = cases[0].number[:7]  # "TS-2026"
    assert found(users["cs_supervisor"], q=year_part.lower()) == {c.number for c in cases}


def test_four_phone_digits_or_more_find_the_complainant_and_three_do_not(new_case, users):
    cases = [new_case(owner=i, complainant_phone=f"1391234{i}789") for i in range(3)]
    boss = users["cs_supervisor"]
    assert found(boss, q="2789") == {cases[2].number}
    assert found(boss, q="139-1234-1789") == {cases[1].number}
    assert found(boss, q="789") == set()


def test_an_exact_complainant_name_is_found(new_case, users, place):
    case = new_case(owner=4, complainant_name="欧阳明")
    new_case(owner=5, complainant_name="欧阳明月")
    assert found(users["cs_supervisor"], q="欧阳明") == {case.number}


def test_the_received_dates_are_whole_local_days(new_case, users):
    late_evening = dt.datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI)  # 15:30 UTC the same day
    just_after_midnight = dt.datetime(2026, 3, 2, 0, 10, tzinfo=SHANGHAI)  # 16:10 UTC on 1 March
    evening = new_case(owner=0, received_at=late_evening)
    morning = new_case(owner=1, received_at=just_after_midnight)
    boss = users["cs_supervisor"]
    assert found(boss, received_from="2026-03-01", received_to="2026-03-01") == {evening.number}
    assert found(boss, received_from="2026-03-02", received_to="2026-03-02") == {morning.number}
    assert found(boss, received_from="2026-03-02") == {morning.number}
    assert found(boss, received_to="2026-03-01") == {evening.number}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_postgresql_serves_partial_searches_from_trigram_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'complaints_complaint'")
        names = {row[0] for row in cursor.fetchall()}
        assert {"complaint_number_trgm", "complaint_phone_trgm", "complaint_complainant"} <= names
        cursor.execute("SET enable_seqscan = off")  # a tiny test table would be scanned anyway
        cursor.execute("EXPLAIN SELECT id FROM complaints_complaint WHERE UPPER(number::text) LIKE UPPER(%s) "
                       "OR complainant_name = %s OR phone_digits LIKE %s", ["%0001%", "0001", "%0001%"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "complaint_number_trgm" in plan and "complaint_phone_trgm" in plan, plan


def test_the_project_menu_is_the_users_scope_and_another_project_finds_nothing_of_it(new_case, make_user, place):

    other = ProjectFactory(code="hill", name="山景苑")
    mine = new_case(owner=0)
    outsider = make_user("project_dept", projects=[other])
    filterset, qs = register_list(user=outsider, params=QueryDict(f"project={place['project'].pk}"))
    assert not filterset.is_valid() and "project" in filterset.errors
    assert mine.number not in set(qs.values_list("number", flat=True))
    menu = [value for value, _ in filterset.form.fields["project"].choices if value]
    assert menu == [str(other.pk)]
