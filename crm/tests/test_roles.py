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
def test_front_desk_may_add_customers_and_see_phones_but_not_identity(make_user):
    user = make_user("front_desk")
    assert user.has_perm("owners.add_customer")
    assert user.has_perm("owners.view_phone")  # it phones owners back (owners.masking)
    assert not user.has_perm("owners.view_identity")
    assert make_user("cs_staff").has_perm("owners.view_identity")
    assert make_user("admin").has_perm("owners.view_phone")  # "*": every permission of our apps


@pytest.mark.django_db
def test_setup_roles_gives_an_existing_front_desk_group_the_new_phone_permission():
    """An install whose groups predate owners.view_phone (never granted it: no RoleGrant) gets it
    from the deploy's setup_roles (README, Deployment), as every permission added to crm.roles;
    an admin's own grants are kept."""
    from django.contrib.auth.models import Permission

    from crm.models import RoleGrant

    call_command("setup_roles", verbosity=0)
    group = Group.objects.get(name="front_desk")
    view_phone = Permission.objects.get(content_type__app_label="owners", codename="view_phone")
    extra = Permission.objects.get(content_type__app_label="owners", codename="view_identity")
    group.permissions.remove(view_phone)
    RoleGrant.objects.filter(group=group, permission=view_phone).delete()  # as before the permission existed
    group.permissions.add(extra)  # an admin's own grant
    call_command("setup_roles", verbosity=0)
    assert set(group.permissions.filter(pk__in=[view_phone.pk, extra.pk])) == {view_phone, extra}
    assert RoleGrant.objects.filter(group=group, permission=view_phone).exists()


@pytest.mark.django_db
def test_a_permission_an_admin_took_from_a_role_stays_taken_through_later_deploys(make_user):
    """The admin decides without a deploy, and the next deploy (setup_roles) does not undo it:
    crm.roles grants a group each permission once. Another group keeps its own grant."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    call_command("setup_roles", verbosity=0)
    view_phone = Permission.objects.get(content_type__app_label="owners", codename="view_phone")
    add_customer = Permission.objects.get(content_type__app_label="owners", codename="add_customer")
    front = Group.objects.get(name="front_desk")
    front.permissions.remove(view_phone, add_customer)
    call_command("setup_roles", verbosity=0)
    call_command("setup_roles", verbosity=0)
    assert not front.permissions.filter(pk__in=[view_phone.pk, add_customer.pk]).exists()
    user = get_user_model().objects.get(pk=make_user("front_desk").pk)
    assert not user.has_perm("owners.view_phone") and not user.has_perm("owners.add_customer")
    assert Group.objects.get(name="admin").permissions.filter(pk=view_phone.pk).exists()
    assert Group.objects.get(name="cs_staff").permissions.filter(pk=add_customer.pk).exists()


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
