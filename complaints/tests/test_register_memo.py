"""The register's parts written once per process (crm.memo: the navigation bar, the header's
buttons, the queue tabs, the filter bar, the table's header) never show what another role,
permission set, language or scope saw: each page below is read after the change it follows."""
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from crm import caching

pytestmark = pytest.mark.django_db


def _register(client, user, query=""):
    client.force_login(user)
    response = client.get(reverse("complaints:register") + query)
    assert response.status_code == 200
    return response.content.decode()


def test_a_permission_granted_shows_its_button_at_once(client, make_user, place):
    user = make_user("cs_staff", projects=[place["project"]])
    weekly = f'href="{reverse("complaints:weekly")}"'
    assert weekly not in _register(client, user)
    user.user_permissions.add(Permission.objects.get(codename="view_report", content_type__app_label="complaints"))
    caching.settle()  # the grant as committed: a new permission generation (crm.permcache)
    assert weekly in _register(client, user)
    user.user_permissions.clear()
    caching.settle()
    assert weekly not in _register(client, user)


def test_each_role_gets_its_own_navigation_and_a_changed_role_the_new_one(client, make_user, place):
    staff = make_user("cs_staff", projects=[place["project"]])
    dept = make_user("project_dept", projects=[place["project"]])
    certificates = reverse("mortgage:certificate_list")
    assert f'href="{certificates}"' in _register(client, staff)
    assert f'href="{certificates}"' not in _register(client, dept)
    dept.profile.role = "cs_staff"
    dept.profile.save()
    assert f'href="{certificates}"' in _register(client, dept)


def test_a_language_switch_changes_the_bar_the_menus_and_the_header(client, make_user, new_case):
    new_case()
    user = make_user("cs_supervisor")
    chinese = _register(client, user, "?state=registered")
    assert "投诉登记" in chinese and ">已登记</option>" in chinese and "<th>编号</th>" in chinese
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("complaints:register") + "?state=registered").content.decode()
    assert 'value="registered" selected>Registered</option>' in english and "<th>Number</th>" in english
    assert "投诉登记" not in english and ">已登记</option>" not in english and "<th>编号</th>" not in english
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert ">已登记</option>" in client.get(reverse("complaints:register") + "?state=registered").content.decode()


def test_each_scope_gets_its_own_project_menu_and_selection(client, make_user, place):
    from crm.tests.factories import ProjectFactory

    other = ProjectFactory(code="hill", name="山景苑")
    mine = make_user("project_dept", projects=[place["project"]])
    theirs = make_user("project_dept", projects=[other])
    page = _register(client, mine, f"?project={place['project'].pk}")
    assert f'value="{place["project"].pk}" selected>湖畔花园' in page and "山景苑" not in page
    page = _register(client, theirs, f"?project={place['project'].pk}")
    assert "湖畔花园" not in page and f'value="{other.pk}">山景苑' in page


def test_the_queue_tabs_follow_the_counts_and_the_chosen_queue(client, users, new_case):
    before = _register(client, users["cs_supervisor"], "?queue=classify")
    new_case()
    after = _register(client, users["cs_supervisor"], "?queue=classify")
    assert before != after
    assert 'nav-link active" href="?queue=classify"' in after
    assert 'nav-link active" href="?queue=classify"' not in _register(client, users["cs_supervisor"])
