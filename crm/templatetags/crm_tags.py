from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (pagination keeps filters)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def query_replace_param(context, name, value):
    """``query_replace`` for a parameter whose name is a variable (a Slice's ``param``)."""
    return query_replace(context, **{name: value})


@register.simple_tag(takes_context=True)
def query_drop(context, name):
    """The current query string without ``name`` (back to the newest slice)."""
    query = context["request"].GET.copy()
    query.pop(name, None)
    return query.urlencode()


@register.filter
def control(bound_field):
    """A form field's widget without the widget templates (crm.forms.control_html)."""
    from crm.forms import control_html

    return control_html(bound_field)
