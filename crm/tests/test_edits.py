"""crm.edits.row_edit: the submitted values are compared with the stored row, never with the
object the caller holds (a ModelForm has already written the new values onto it)."""
import pytest
from django.core.exceptions import ValidationError

from crm.edits import row_edit
from crm.tests.factories import CustomerFactory, ProjectFactory
from mortgage.models import AgentCompany

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    return make_user("cs_staff", username="zhang")


def test_a_value_already_written_onto_the_callers_object_is_still_saved(staff):
    company = AgentCompany.objects.create(name="安居代办", contact_person="王经理")
    company.contact_person = "赵六"  # what ModelForm.is_valid() does to its instance
    row, changed = row_edit(AgentCompany, company.pk, user=staff, values={"contact_person": "赵六"},
                            fields=["contact_person"], reason="修改联系人")
    assert changed == ["contact_person"]
    stored = AgentCompany.objects.get(pk=company.pk)
    assert stored.contact_person == "赵六"
    entry = stored.history.first()
    assert (entry.history_type, entry.history_user, entry.history_change_reason) == ("~", staff, "修改联系人")


def test_nothing_changed_writes_nothing_and_no_history(staff, django_assert_num_queries):
    company = AgentCompany.objects.create(name="安居代办", rating=4)
    entries = company.history.count()
    with django_assert_num_queries(3):  # savepoint, the locked read, release: no write
        row, changed = row_edit(AgentCompany, company.pk, user=staff, values={"rating": 4, "name": "安居代办"},
                                fields=["rating", "name"])
    assert changed == [] and company.history.count() == entries


def test_only_the_named_fields_are_taken_and_only_the_changed_ones_are_saved(staff):
    company = AgentCompany.objects.create(name="安居代办", notes="旧备注", rating=4)
    AgentCompany.objects.filter(pk=company.pk).update(notes="同事刚改的备注")  # saved meanwhile by someone else
    row, changed = row_edit(AgentCompany, company.pk, user=staff, values={"rating": 2, "name": "改名"},
                            fields=["rating"])
    assert changed == ["rating"]
    stored = AgentCompany.objects.get(pk=company.pk)
    assert (stored.rating, stored.name, stored.notes) == (2, "安居代办", "同事刚改的备注")


def test_a_foreign_key_is_compared_by_id(staff):
    from owners.models import Customer

    first, second = ProjectFactory(code="a", name="甲"), ProjectFactory(code="b", name="乙")
    customer = CustomerFactory(code="C1", name="刘", phone="13800138001", project=first)
    assert row_edit(Customer, customer.pk, user=staff, values={"project": first}, fields=["project"])[1] == []
    row, changed = row_edit(Customer, customer.pk, user=staff, values={"project": second}, fields=["project"])
    assert changed == ["project"] and Customer.objects.get(pk=customer.pk).project == second


def test_the_guard_sees_the_stored_row_and_an_invalid_value_is_refused(staff):
    company = AgentCompany.objects.create(name="安居代办", active=False)

    def guard(stored):
        if not stored.active:
            raise ValidationError("已停止合作。")

    with pytest.raises(ValidationError, match="已停止合作"):
        row_edit(AgentCompany, company.pk, user=staff, values={"notes": "x"}, fields=["notes"], guard=guard)
    with pytest.raises(ValidationError):
        row_edit(AgentCompany, company.pk, user=staff, values={"email": "不是邮箱"}, fields=["email"])
    stored = AgentCompany.objects.get(pk=company.pk)
    assert (stored.notes, stored.email, stored.history.count()) == ("", "", 1)
