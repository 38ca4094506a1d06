import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from crm.models import ApprovalRule, Rule
from crm.roles import Role
from crm.rules import DEFAULTS, rule


@pytest.mark.django_db
def test_setup_roles_creates_nine_groups_and_is_idempotent():
    call_command("setup_roles", verbosity=0)
    call_command("setup_roles", verbosity=0)
    assert set(Group.objects.values_list("name", flat=True)) == set(Role.values)
    assert Rule.objects.count() == len(DEFAULTS)
    assert ApprovalRule.objects.filter(subject="complaints.disposal_plan", level="").get().approver_role == "manager"


@pytest.mark.django_db
def test_setup_roles_keeps_an_admins_rule_value():
    call_command("setup_roles", verbosity=0)
    Rule.objects.filter(key="owners.visit_quota_assistant").update(value=25)
    call_command("setup_roles", verbosity=0)
    assert rule("owners.visit_quota_assistant") == 25


@pytest.mark.django_db
def test_front_desk_may_add_customers_but_not_see_identity(make_user):
    user = make_user("front_desk")
    assert user.has_perm("owners.add_customer")
    assert not user.has_perm("owners.view_identity")
    assert make_user("cs_staff").has_perm("owners.view_identity")


@pytest.mark.django_db
def test_property_company_sees_only_its_appointed_projects(demo):
    from django.contrib.auth import get_user_model

    from crm.scopes import visible_projects

    user = get_user_model().objects.get(username="property_company")
    assert list(visible_projects(user).values_list("code", flat=True)) == ["sunshine"]


@pytest.mark.django_db
def test_project_dept_sees_its_projects_before_close_out_only(demo):
    from django.contrib.auth import get_user_model

    from crm.scopes import visible_projects
    from owners.models import Project

    user = get_user_model().objects.get(username="project_dept")
    assert list(visible_projects(user).values_list("code", flat=True)) == ["riverside"]
    Project.objects.filter(code="riverside").update(closeout_date="2026-01-01")
    assert not visible_projects(user).exists()
