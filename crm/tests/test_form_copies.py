"""crm.forms.FieldsCopiedCheaply: a form built on every request gets fields of its own (a menu
set for one user never shows in another user's form, nor in the class), without Django's deep
copy of every option."""
from django import forms

from complaints.filters import ComplaintFilter
from crm.forms import FieldsCopiedCheaply


class MenuForm(forms.Form):
    place = forms.ChoiceField(choices=[("1", "一期"), ("2", "二期")], widget=forms.Select(attrs={"class": "a"}))
    note = forms.CharField(max_length=5)


MenuForm.base_fields = FieldsCopiedCheaply(MenuForm.base_fields)


def test_each_form_gets_its_own_fields_widgets_and_choices():
    one, two = MenuForm(), MenuForm()
    assert one.fields["place"] is not two.fields["place"] is not MenuForm.base_fields["place"]
    one.fields["place"].choices = [("9", "九期")]
    one.fields["place"].widget.attrs["class"] = "b"
    one.fields["note"].error_messages["required"] = "必填"
    one.fields["note"].validators.append(lambda value: None)
    assert list(two.fields["place"].choices) == [("1", "一期"), ("2", "二期")]
    assert list(MenuForm().fields["place"].widget.choices) == [("1", "一期"), ("2", "二期")]
    assert MenuForm().fields["place"].widget.attrs == {"class": "a"}
    assert MenuForm().fields["note"].error_messages["required"] != "必填"
    assert len(MenuForm().fields["note"].validators) == len(MenuForm.base_fields["note"].validators)
    assert '<option value="9"' in str(one["place"]) and '<option value="9"' not in str(two["place"])


def test_a_form_with_cheap_copies_validates_as_before():
    assert MenuForm({"place": "2", "note": "abc"}).is_valid()
    bad = MenuForm({"place": "3", "note": "abcdefg"})
    assert not bad.is_valid() and set(bad.errors) == {"place", "note"}


def test_the_register_filter_menus_stay_each_users_own():
    one = ComplaintFilter({"project": "1"}, menus={"project": [(1, "一期")], "department": []})
    two = ComplaintFilter({"project": "1"}, menus={"project": [(2, "二期")], "department": []})
    assert isinstance(type(one.form).base_fields, FieldsCopiedCheaply)
    assert one.is_valid() and not two.is_valid()  # project 1 is not in the second user's menu
    assert list(two.form.fields["project"].choices)[1:] == [("2", "二期")]
    in_class = list(type(one.form).base_fields["project"].choices)
    assert ("1", "一期") not in in_class and ("2", "二期") not in in_class
