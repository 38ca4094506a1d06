"""Who sees which project's records (crm.scopes), rule by rule: the role a user holds, the
projects in their scope (the project department before a project's close-out date, 客户事务部
after it; the property company its appointed projects; an owner the projects of their units),
and whether a user may open one record (the page's permission and selector)."""
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from crm.roles import Role
from crm.scopes import (
    RECORD_SCOPES,
    RecordScope,
    admin_users,
    can_open,
    has_role,
    is_admin,
    openable_ids,
    record_scope,
    request_memo,
    role_users,
    user_role,
    visible_project_ids,
    visible_projects,
)
from crm.tests.factories import CustomerFactory, ProjectFactory, UnitFactory, own

pytestmark = pytest.mark.django_db



def _fresh(user):
    """The user as a new request reads it (no role or profile cached on the object)."""
    return get_user_model().objects.get(pk=user.pk)


def _case(project, received_by, **extra):
    from complaints.services import complaint_register

    return complaint_register(received_by=received_by, kind="complaint", channel="phone", category="repairs",
                              title="漏水", description="卫生间漏水", project=project, complainant_name="业主",
                              complainant_phone="13900000000", **extra)


# --- the role --------------------------------------------------------------------------------


def test_the_role_of_a_user_is_their_profiles_and_a_superuser_is_an_administrator(make_user):
    assert user_role(make_user("cs_staff")) == Role.CS_STAFF
    assert user_role(_fresh(make_user("legal"))) == Role.LEGAL
    superuser = make_user("front_desk")
    superuser.is_superuser = True
    superuser.save(update_fields=["is_superuser"])
    assert user_role(_fresh(superuser)) == Role.ADMIN
    assert user_role(make_user("admin")) == Role.ADMIN


def test_nobody_signed_in_a_user_without_a_profile_or_with_an_empty_role_has_no_role(make_user):
    bare = get_user_model().objects.create_user(username="bare", password="x")
    emptied = make_user("cs_staff")
    emptied.profile.role = ""
    emptied.profile.save(update_fields=["role"])
    assert user_role(None) is None
    assert user_role(AnonymousUser()) is None
    assert user_role(bare) is None
    assert user_role(_fresh(bare)) is None
    assert user_role(_fresh(emptied)) is None
    assert not has_role(bare, Role.CS_STAFF, Role.LEGAL)
    assert visible_project_ids(bare) == ()


def test_a_users_role_is_read_once_per_request(make_user, django_assert_num_queries):
    user = _fresh(make_user("manager"))
    with django_assert_num_queries(1):  # the profile
        assert user_role(user) == Role.MANAGER
    with django_assert_num_queries(0):
        assert user_role(user) == Role.MANAGER
    user.profile.role = Role.LEGAL  # changed under the request: the request keeps the role it started with
    assert user_role(user) == Role.MANAGER


def test_has_role_is_any_of_the_roles_named_and_is_admin_the_administrator_only(make_user):
    supervisor = make_user("cs_supervisor")
    assert has_role(supervisor, Role.CS_SUPERVISOR)
    assert has_role(supervisor, Role.MANAGER, Role.CS_SUPERVISOR)
    assert not has_role(supervisor, Role.MANAGER, Role.CS_STAFF)
    assert not has_role(supervisor)
    assert not is_admin(supervisor)
    assert is_admin(make_user("admin"))


# --- the projects in scope -------------------------------------------------------------------


def test_the_department_finance_and_administrators_see_every_project(make_user):
    ProjectFactory(code="a")
    for role in (Role.FRONT_DESK, Role.CS_STAFF, Role.CS_SUPERVISOR, Role.MANAGER, Role.FINANCE, Role.ADMIN):
        user = make_user(role)
        assert visible_project_ids(user) is None, role
        assert visible_projects(user).count() == 1, role


def test_legal_and_the_owner_of_no_unit_see_no_project(make_user):
    ProjectFactory(code="a")
    for role in (Role.LEGAL, Role.OWNER):
        user = make_user(role)
        assert visible_project_ids(user) == (), role
        assert not visible_projects(user).exists(), role


def test_the_project_department_sees_its_projects_until_the_day_before_their_close_out(make_user):
    today = timezone.localdate()
    open_ = ProjectFactory(code="open")  # no close-out date yet
    tomorrow = ProjectFactory(code="tomorrow", closeout_date=today + dt.timedelta(days=1))
    closing = ProjectFactory(code="today", closeout_date=today)  # from that date: 客户事务部
    closed = ProjectFactory(code="closed", closeout_date=today - dt.timedelta(days=1))
    ProjectFactory(code="other")  # not assigned
    dept = make_user("project_dept", projects=[tomorrow, closed, open_, closing])
    assert visible_project_ids(dept) == tuple(sorted([open_.pk, tomorrow.pk]))
    assert set(visible_projects(dept).values_list("code", flat=True)) == {"open", "tomorrow"}
    # the department holds every project after the close-out
    assert set(visible_projects(make_user("cs_staff")).values_list("code", flat=True)) == {
        "open", "tomorrow", "today", "closed", "other"}


def test_a_project_department_with_no_project_assigned_sees_every_project_before_its_close_out(make_user):
    today = timezone.localdate()
    second = ProjectFactory(code="b")
    first = ProjectFactory(code="a", closeout_date=today + dt.timedelta(days=30))
    ProjectFactory(code="c", closeout_date=today)
    ProjectFactory(code="d", closeout_date=today - dt.timedelta(days=3))
    assert visible_project_ids(make_user("project_dept")) == tuple(sorted([first.pk, second.pk]))


def test_a_project_departments_cases_go_to_the_department_on_the_close_out_date(make_user):
    """What a user notices: the case list before and on the close-out date."""
    from complaints.selectors import complaints_for

    today = timezone.localdate()
    lake = ProjectFactory(code="lake", closeout_date=today + dt.timedelta(days=1))
    dept = make_user("project_dept", projects=[lake])
    case = _case(lake, make_user("front_desk"))
    assert list(complaints_for(dept)) == [case]
    assert can_open(dept, case)
    lake.closeout_date = today
    lake.save(update_fields=["closeout_date"])
    assert not complaints_for(dept).exists()
    assert not can_open(dept, case)
    assert can_open(make_user("cs_staff"), case)


def test_the_property_company_sees_the_projects_it_is_appointed_to_today(make_user):
    from property_liaison.models import PropertyAppointment, PropertyCompany

    today = timezone.localdate()
    day = dt.timedelta(days=1)
    company, rival = PropertyCompany.objects.create(name="湖畔物业"), PropertyCompany.objects.create(name="山景物业")
    projects = {code: ProjectFactory(code=code) for code in
                ("open", "since_today", "until_today", "starts_tomorrow", "ended", "rival", "twice")}

    def appoint(code, start, end=None, to=company):
        PropertyAppointment.objects.create(project=projects[code], company=to, start_date=start, end_date=end)

    appoint("open", today - 300 * day)
    appoint("since_today", today)
    appoint("until_today", today - 300 * day, today)
    appoint("starts_tomorrow", today + day)
    appoint("ended", today - 300 * day, today - day)
    appoint("rival", today - 300 * day, to=rival)
    appoint("twice", today - 300 * day, today + 30 * day)
    appoint("twice", today - 600 * day, today + 60 * day)
    liaison = make_user("property_company", property_company=company)
    expected = tuple(sorted(projects[c].pk for c in ("open", "since_today", "until_today", "twice")))
    assert visible_project_ids(liaison) == expected
    assert set(visible_projects(liaison).values_list("code", flat=True)) == {"open", "since_today", "until_today",
                                                                             "twice"}
    assert visible_project_ids(make_user("property_company")) == ()  # a liaison of no company


def test_an_owner_sees_the_projects_of_their_own_units_only(make_user):
    from portal.models import OwnerAccount

    lake, hill, sea = ProjectFactory(code="lake"), ProjectFactory(code="hill"), ProjectFactory(code="sea")
    me = CustomerFactory(project=lake)
    own(me, UnitFactory(project=hill))
    own(me, UnitFactory(project=lake))
    own(me, UnitFactory(project=lake))
    other = CustomerFactory(project=sea)
    own(other, UnitFactory(project=sea))
    owner = make_user("owner")
    OwnerAccount.objects.create(user=owner, phone="13900000001").customers.add(me)
    assert visible_project_ids(owner) == tuple(sorted([lake.pk, hill.pk]))


def test_another_systems_service_user_is_scoped_by_its_clients_projects(make_user):
    lake = ProjectFactory(code="lake")
    ProjectFactory(code="hill")

    class ServiceUser:
        is_authenticated = True
        pk = None

        @staticmethod
        def scope_projects():
            return (lake.pk,)

    assert visible_project_ids(ServiceUser()) == (lake.pk,)
    assert list(visible_projects(ServiceUser())) == [lake]


def test_within_a_request_the_scope_is_worked_out_once_per_user(make_user, django_assert_num_queries):
    lake, hill = ProjectFactory(code="lake"), ProjectFactory(code="hill")
    dept, other = _fresh(make_user("project_dept", projects=[lake])), _fresh(make_user("project_dept",
                                                                                       projects=[hill]))
    user_role(dept), user_role(other)
    with request_memo():
        with django_assert_num_queries(1):
            assert visible_project_ids(dept) == (lake.pk,)
        with django_assert_num_queries(0):
            assert visible_project_ids(dept) == (lake.pk,)
        with django_assert_num_queries(1):  # another user: their own scope
            assert visible_project_ids(other) == (hill.pk,)
        dept.profile.projects.add(hill)
        assert visible_project_ids(dept) == (lake.pk,)  # the request keeps its answer
    # outside a request, worked out on every call
    assert visible_project_ids(dept) == tuple(sorted([lake.pk, hill.pk]))
    with django_assert_num_queries(1):
        visible_project_ids(dept)


def test_role_users_are_the_active_holders_of_the_role_and_admin_users_the_active_administrators(make_user):
    supervisor, _staff = make_user("cs_supervisor"), make_user("cs_staff")
    gone = make_user("cs_supervisor")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    admin, superuser = make_user("admin"), make_user("manager")
    superuser.is_superuser = True
    superuser.save(update_fields=["is_superuser"])
    plain_admin = make_user("cs_staff")
    plain_admin.profile.role = Role.ADMIN
    plain_admin.profile.save(update_fields=["role"])
    left_admin = make_user("admin")
    left_admin.is_active = False
    left_admin.save(update_fields=["is_active"])
    assert list(role_users(Role.CS_SUPERVISOR)) == [supervisor]
    assert set(admin_users()) == {admin, superuser, plain_admin}


# --- who may open one record -----------------------------------------------------------------


def test_every_kind_of_record_answers_to_the_departments_supervisor_unless_its_row_says_otherwise():
    assert RecordScope("x.view_y", "x.selectors.y").role == Role.CS_SUPERVISOR
    assert record_scope("complaints.complaint") == RecordScope("complaints.view_complaint",
                                                               "complaints.selectors.complaints_for",
                                                               Role.CS_SUPERVISOR)
    assert record_scope("owners.accessrequest").permission == ""
    assert all(scope.role == Role.CS_SUPERVISOR for scope in RECORD_SCOPES.values())


def test_a_kind_of_record_without_a_scope_row_is_a_configuration_error_that_says_what_to_add():
    with pytest.raises(ImproperlyConfigured) as refused:
        record_scope("owners.customer")
    assert str(refused.value) == "owners.customer: add its page's check to crm.scopes.RECORD_SCOPES"
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


def test_a_case_opens_for_whoever_has_the_case_permission_and_the_project_in_scope(make_user):
    lake, hill = ProjectFactory(code="lake"), ProjectFactory(code="hill")
    desk = make_user("front_desk")
    lake_case, hill_case = _case(lake, desk), _case(hill, desk)
    lake_dept = make_user("project_dept", projects=[lake])
    ids = [lake_case.pk, hill_case.pk]
    assert openable_ids(lake_dept, "complaints.complaint", ids) == {lake_case.pk}
    assert openable_ids(desk, "complaints.complaint", ids) == set(ids)
    assert openable_ids(desk, "complaints.complaint", [hill_case.pk]) == {hill_case.pk}
    assert openable_ids(desk, "complaints.complaint", []) == set()
    assert can_open(lake_dept, lake_case) and not can_open(lake_dept, hill_case)
    # finance sees every project but has no case page: nothing to open
    assert openable_ids(make_user("finance"), "complaints.complaint", ids) == set()
    assert not can_open(make_user("legal"), lake_case)


def test_nobody_a_user_who_has_left_or_holds_no_role_opens_anything(make_user):
    lake = ProjectFactory(code="lake")
    case = _case(lake, make_user("front_desk"))
    gone = make_user("cs_staff")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    roleless = make_user("cs_staff")
    roleless.profile.role = ""
    roleless.profile.save(update_fields=["role"])
    for user in (None, gone, _fresh(roleless)):
        assert openable_ids(user, "complaints.complaint", [case.pk]) == set()
    assert not can_open(gone, case)
    with pytest.raises(ImproperlyConfigured):  # the kind of record is checked first, for anyone
        openable_ids(None, "owners.customer", [1])


def test_a_record_whose_page_needs_no_permission_opens_by_its_selector_alone(make_user):
    """An access request: its page lists one's own requests (and those one's role decides)."""
    from owners.models import AccessRequest

    customer = CustomerFactory(project=ProjectFactory(code="lake"))
    desk, other = make_user("front_desk"), make_user("front_desk")
    mine = AccessRequest.objects.create(customer=customer, requested_by=desk, reason="来电查询")
    theirs = AccessRequest.objects.create(customer=customer, requested_by=other, reason="来访")
    assert openable_ids(desk, "owners.accessrequest", [mine.pk, theirs.pk]) == {mine.pk}
    assert can_open(desk, mine) and not can_open(desk, theirs)


def test_the_holders_of_a_role_and_the_administrators_come_with_their_roles_in_one_query(
        make_user, django_assert_num_queries):
    """Routing reads each holder's role: listing them must not cost a query per holder."""
    for role in ("cs_supervisor", "cs_supervisor", "admin", "admin"):
        make_user(role)
    with django_assert_num_queries(1):
        assert [u.profile.role for u in role_users(Role.CS_SUPERVISOR)] == ["cs_supervisor", "cs_supervisor"]
    with django_assert_num_queries(1):
        assert [u.profile.role for u in admin_users()] == ["admin", "admin"]


def test_a_request_to_open_a_customer_no_longer_opens_for_its_requester_once_they_left_or_lost_their_role(
        make_user):
    from owners.models import AccessRequest

    customer = CustomerFactory(project=ProjectFactory(code="lake"))
    gone, roleless = make_user("front_desk"), make_user("front_desk")
    requests = {user: AccessRequest.objects.create(customer=customer, requested_by=user, reason="来电")
                for user in (gone, roleless)}
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    roleless.profile.role = ""
    roleless.profile.save(update_fields=["role"])
    for user in (gone, _fresh(roleless)):
        assert openable_ids(user, "owners.accessrequest", [requests[user].pk]) == set()
