"""The shared parts of every register's filter bar (crm/filters.py): the search box over several
fields and the from–to dates, tried on a real register's records."""
import datetime as dt

import django_filters
import pytest
from django.utils import timezone

from crm.filters import SearchFilter, date_range, filter_list
from crm.tests.factories import CustomerFactory, ProjectFactory
from owners.models import Customer

pytestmark = pytest.mark.django_db


class CustomerSearch(django_filters.FilterSet):
    q = SearchFilter("name__icontains", "phone__endswith", placeholder="姓名/电话")
    since, until = date_range("created_at__date")

    class Meta:
        model = Customer
        fields = []


@pytest.fixture
def customers():
    project = ProjectFactory()
    return [CustomerFactory(project=project, name="王小明", phone="13800001234"),
            CustomerFactory(project=project, name="李四", phone="13912345678"),
            CustomerFactory(project=project, name="小明的邻居", phone="13700000000")]


def local(*parts):
    return timezone.make_aware(dt.datetime(*parts))


def found(data):
    return set(CustomerSearch(data, queryset=Customer.objects.all()).qs.values_list("name", flat=True))


def test_the_search_matches_any_of_its_fields_each_by_its_own_lookup(customers):
    assert found({"q": "小明"}) == {"王小明", "小明的邻居"}
    assert found({"q": "5678"}) == {"李四"}       # the phone's last digits
    assert found({"q": "1391"}) == set()          # not the phone's beginning: endswith, not icontains
    assert found({"q": "  李四 "}) == {"李四"}      # spaces around the words do not count


def test_a_blank_search_filters_nothing(customers):
    assert found({"q": "   "}) == found({}) == {"王小明", "李四", "小明的邻居"}


def test_the_search_box_says_what_it_searches():
    html = str(CustomerSearch().form["q"])
    assert 'placeholder="姓名/电话"' in html and "form-control-sm" in html
    with pytest.raises(ValueError):
        SearchFilter()


def test_the_dates_include_both_days(customers):
    Customer.objects.filter(name="王小明").update(created_at=local(2026, 3, 1, 23, 59, ))
    Customer.objects.filter(name="李四").update(created_at=local(2026, 3, 5, 9, 0, ))
    Customer.objects.filter(name="小明的邻居").update(created_at=local(2026, 3, 6, 9, 0, ))
    assert found({"since": "2026-03-01", "until": "2026-03-05"}) == {"王小明", "李四"}
    assert found({"since": "2026-03-06"}) == {"小明的邻居"}
    form = CustomerSearch({"since": "2026-02-30"}).form
    assert not form.is_valid() and "since" in form.errors


def test_an_invalid_filter_applies_no_filter_and_says_why(customers, make_user):
    """A wrong date beside a valid search: the list is not half filtered (it would look
    complete); the bar shows the date's error."""
    filterset, records = filter_list(CustomerSearch, Customer.objects.all(), {"q": "李四", "since": "2026-13-01"})
    assert "since" in filterset.errors
    assert set(records.values_list("name", flat=True)) == {"王小明", "李四", "小明的邻居"}
    filterset, records = filter_list(CustomerSearch, Customer.objects.all(), {"q": "李四"})
    assert filterset.is_valid() and list(records.values_list("name", flat=True)) == ["李四"]


def test_a_project_outside_the_users_scope_is_not_a_choice(customers, make_user):
    from owners.filters import CustomerFilter

    mine, theirs = ProjectFactory(code="mine"), ProjectFactory(code="theirs")
    user = make_user("project_dept", projects=[mine])
    filterset, _ = filter_list(CustomerFilter, Customer.objects.all(), {"project": str(theirs.pk)}, user=user)
    assert "project" in filterset.errors
    assert list(filterset.form.fields["project"].queryset) == [mine]


def test_every_menu_of_every_register_filter_offers_all_as_its_empty_choice():
    """A filter bar's menus start with 全部 (a row of dashes was the repairs register's)."""
    import django_filters as df

    from clubs import filters as clubs_filters
    from mortgage import filters as mortgage_filters
    from property_liaison import filters as liaison_filters

    blank = []
    for module in (clubs_filters, mortgage_filters, liaison_filters):
        for name, filterset in vars(module).items():
            if isinstance(filterset, type) and issubclass(filterset, df.FilterSet) and filterset.__module__ == module.__name__:
                for field, flt in filterset.base_filters.items():
                    if isinstance(flt, (df.ChoiceFilter, df.ModelChoiceFilter)) and "empty_label" in flt.extra \
                            and str(flt.extra["empty_label"]).startswith("-"):
                        blank.append(f"{name}.{field}")
                    elif isinstance(flt, (df.ChoiceFilter, df.ModelChoiceFilter)) and "empty_label" not in flt.extra \
                            and field != "project":
                        blank.append(f"{name}.{field}")
    assert blank == []


@pytest.mark.parametrize("url,params,label", [
    ("complaints:register", {"state": "bogus"}, "状态"),
    ("complaints:register", {"received_from": "2026-13-01"}, "受理日期从"),
    ("owners:customer_list", {"project": "999999"}, "项目"),
    # a yes/no menu (crm.filters.YesNoFilter): a mistyped value is not “any”
    ("owners:customer_list", {"confidential": "ture"}, "保密服务"),
    ("property_liaison:repair_list", {"in_warranty": "ja"}, "在保修期内"),
    ("property_liaison:rectification_list", {"overdue": "2"}, "已逾期升级"),
])
def test_a_register_says_which_filter_is_wrong_and_that_none_applied(client, make_user, url, params, label):
    """From a bookmark or a hand-edited address: the page shows the whole list, and says so and
    why above the filter bar (it looked filtered)."""
    from django.urls import reverse

    client.force_login(make_user("cs_supervisor"))
    page = client.get(reverse(url), params).content.decode()
    alert = page.split('data-testid="filter-errors"')[1].split("</div>")[0]
    assert "筛选条件有误，本次未按任何条件筛选" in alert and f"<li>{label}：" in alert
    fine = client.get(reverse(url)).content.decode()
    assert 'data-testid="filter-errors"' not in fine

