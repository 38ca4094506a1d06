"""crm.memo and what uses it: the ``{% memo %}`` tag, labels per language, a filter bar's
controls written once per query string. Nothing kept may depend on more than its key."""
import pytest
from django import forms
from django.http import QueryDict
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation

from crm import memo
from crm.forms import written_controls


@pytest.fixture(autouse=True)
def _empty_memo():
    memo.forget_all()
    yield
    memo.forget_all()


def _render(source: str, **context) -> str:
    return Template("{% load i18n crm_tags %}" + source).render(Context(context))


def test_a_memo_body_sees_its_values_and_nothing_else_of_the_page():
    assert _render("{% memo a=x %}[{{ a }}|{{ y }}|{{ user }}]{% endmemo %}", x=1, y=2, user="王") == "[1||]"


def test_a_memo_is_written_once_per_set_of_values():
    template = Template("{% load crm_tags %}{% memo a=x %}{{ a }}{% endmemo %}")
    assert template.render(Context({"x": "one"})) == "one"
    assert template.render(Context({"x": "two"})) == "two"
    assert template.render(Context({"x": "one"})) == "one"
    keys = [key for key in memo._store if key[0][0] == "template"]
    assert len(keys) == 2


def test_a_memo_is_written_again_in_another_language():
    source = '{% memo %}{% translate "投诉登记" %}{% endmemo %}'
    assert _render(source) == "投诉登记"
    with translation.override("en"):
        assert _render(source) == "Complaints"
    assert _render(source) == "投诉登记"


@pytest.mark.parametrize("body", ["{% csrf_token %}", '{% now "Y" %}', "{% block a %}{% endblock %}"])
def test_a_memo_refuses_what_changes_per_request(body):
    with pytest.raises(TemplateSyntaxError):
        _render("{% memo %}" + body + "{% endmemo %}")


def test_choice_labels_follow_the_language():
    from complaints.models import State

    assert memo.labels(State)["registered"] == str(State.REGISTERED.label)
    with translation.override("en"):
        assert memo.labels(State)["registered"] == "Registered"
        assert dict(memo.choices(State))["registered"] == "Registered"
    assert memo.labels(State)["registered"] != "Registered"


def test_a_changed_setting_empties_the_memo(settings):
    memo.remember("x", lambda: 1)
    settings.STATIC_URL = "/elsewhere/"
    assert memo.remember("x", lambda: 2) == 2


class _Bar(forms.Form):
    state = forms.ChoiceField(choices=[("", "全部"), ("open", "处理中"), ("closed", "已结案")], required=False)
    since = forms.DateField(required=False)


def _controls(query: str, menu=()):
    form = _Bar(QueryDict(query))
    form.is_valid()
    return {name: html for name, _label, html in written_controls(form, kind=_Bar, depends_on=menu)}


def test_written_controls_follow_the_selected_value_and_the_errors():
    assert 'value="open" selected' in _controls("state=open")["id_state"]
    assert 'value="closed" selected' in _controls("state=closed")["id_state"]
    assert 'value="" selected' in _controls("")["id_state"]
    assert 'aria-invalid="true"' in _controls("since=not-a-date")["id_since"]
    assert "aria-invalid" not in _controls("since=2026-01-02")["id_since"]
    assert _controls("since=2026-01-02")["id_since"].count("2026-01-02") == 1


def test_written_controls_are_what_control_html_writes_each_time():
    from crm.forms import control_html

    for query in ("state=open&since=2026-01-02", "since=x", ""):
        form = _Bar(QueryDict(query))
        form.is_valid()
        for _ in range(2):
            written = {name: html for name, _label, html in written_controls(form, kind=_Bar)}
            assert written == {form[name].id_for_label: control_html(form[name]) for name in form.fields}
