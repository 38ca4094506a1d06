"""crm.sql.ids_in: the same rows as ``__in``, without preparing each id through the field."""
import pytest

from crm.models import Department
from crm.sql import ids_in

pytestmark = pytest.mark.django_db


def test_ids_in_finds_exactly_the_rows_of_the_listed_ids():
    made = [Department.objects.create(code=f"s{i}", name=f"部门{i}") for i in range(5)]
    wanted = [made[0].pk, made[3].pk, 10 ** 9]
    assert list(Department.objects.filter(ids_in("pk", wanted)).order_by("pk")) == [made[0], made[3]]
    assert list(Department.objects.filter(ids_in("id", [])).values_list("pk", flat=True)) == []
    assert set(Department.objects.exclude(ids_in("pk", wanted)).values_list("pk", flat=True)) == \
        set(Department.objects.exclude(pk__in=wanted).values_list("pk", flat=True))


def test_ids_in_refuses_what_is_not_an_id():
    with pytest.raises(ValueError):
        ids_in("pk", ["1; DROP TABLE crm_department"])
