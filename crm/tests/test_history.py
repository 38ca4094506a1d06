"""The history tab shows choice labels and yes/no, not stored codes."""
import pytest

from crm.history import history_rows
from crm.models import StaffProfile
from crm.tests.factories import (
    BuildingFactory,
    CustomerFactory,
    OwnershipFactory,
    ProjectFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def test_a_changed_role_is_shown_by_its_label_with_the_actor(make_user):
    user = make_user("cs_staff", username="li")
    profile = StaffProfile.objects.get(user=user)
    profile.role = "cs_supervisor"
    profile._history_user = user
    profile.save()
    rows, page = history_rows(profile)
    change = next(c for c in rows[0]["changes"] if str(c["new"]) == "客户事务部主管")
    assert str(change["old"]) == "客户事务部专员"
    assert rows[0]["record"].history_user == user and page.first and page.older is None


def test_a_changed_reference_shows_the_referenced_name_in_the_same_two_queries(make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from crm.models import Department

    user = make_user("cs_staff", username="wang")
    profile = StaffProfile.objects.get(user=user)
    first, second = Department.objects.create(code="t1", name="客服一组"), Department.objects.create(code="t2", name="工程部")
    for department in (first, second):
        profile.department = department
        profile._history_user = user
        profile.save()
    with CaptureQueriesContext(connection) as ctx:
        rows, page = history_rows(profile)
    change = next(c for c in rows[0]["changes"] if str(c["field"]) == str(StaffProfile._meta.get_field(
        "department").verbose_name))
    assert (change["old"], change["new"]) == ("客服一组", "工程部")
    assert len(ctx.captured_queries) == 1  # the slice and the record before it, in one query
    profile.department = first
    profile.save()
    second_id = second.pk
    second.delete()  # history rows keep its id; the join finds nothing
    rows, page = history_rows(profile)
    assert [(c["old"], c["new"]) for c in rows[0]["changes"] if c["new"] == "客服一组"] == [(second_id, "客服一组")]


def test_a_changed_unit_shows_its_building_and_number_without_a_query_per_change(make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext


    user = make_user("cs_staff")
    project = ProjectFactory(code="h1", name="湖景苑")
    building = BuildingFactory(project=project, name="3栋")
    units = [UnitFactory(project=project, building=building, number=f"{i}02", area=90) for i in range(1, 6)]
    owner = CustomerFactory(code="H0001", name="赵业主", phone="13900000001", project=project)
    link = OwnershipFactory(customer=owner, unit=units[0])
    for unit in units[1:]:
        link.unit = unit
        link._history_user = user
        link.save()
    with CaptureQueriesContext(connection) as ctx:
        rows, page = history_rows(link)
        shown = [(c["old"], c["new"]) for row in rows for c in row["changes"]]
    assert ("3栋-102", "3栋-202") in shown and ("3栋-402", "3栋-502") in shown
    assert len(ctx.captured_queries) == 1


def test_a_long_history_is_read_newest_first_in_slices_each_diffed_against_the_one_before(make_user):
    """Issue 14 §6: a slice costs one query however long the history; "older" continues exactly
    where the slice ended (same-instant records included), and the oldest row of a slice still
    shows what changed; a malformed cursor is the newest slice."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = make_user("cs_staff", username="zhao")
    profile = StaffProfile.objects.get(user=user)
    for i in range(45):
        profile.phone = f"1380000{i:04d}"
        profile._history_user = user
        profile.save()
    total = profile.history.count()
    seen, cursor, slices = [], None, 0
    while True:
        with CaptureQueriesContext(connection) as ctx:
            rows, found = history_rows(profile, cursor)
        assert len(ctx.captured_queries) == 1
        assert found.first == (cursor is None)
        seen += [row["record"].pk for row in rows]
        for row in rows:
            if row["record"].history_type == "~":
                assert row["changes"], row  # the diff base is read past the slice's end
        slices += 1
        if found.older is None:
            break
        cursor = found.older
    assert seen == list(profile.history.order_by("-history_date", "-history_id").values_list("pk", flat=True))
    assert len(seen) == total and slices == 3
    for bad in ("abc", "1-2-3", "99999999999999999999999-1", ""):
        rows, found = history_rows(profile, bad)
        assert found.first and rows[0]["record"].pk == seen[0]
