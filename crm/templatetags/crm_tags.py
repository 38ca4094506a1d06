import itertools

from django import template
from django.template.base import token_kwargs
from django.template.defaulttags import CsrfTokenNode, NowNode
from django.template.loader_tags import BlockNode

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


class MemoNode(template.Node):
    """See ``memo``."""

    _made = itertools.count()

    def __init__(self, nodelist, values: dict):
        self.nodelist, self.values = nodelist, values
        self.uid = next(self._made)  # this node of this parse of its template (never reused)

    def render(self, context):
        from crm import memo

        values = tuple((name, value.resolve(context)) for name, value in self.values.items())
        return memo.remember(("template", self.uid, values, context.autoescape),
                             lambda: self.nodelist.render(context.new(dict(values))))


# What a memo's body may not hold: its output would depend on more than the memo's values.
_NOT_MEMOIZABLE = (CsrfTokenNode, NowNode, BlockNode)


@register.tag
def memo(parser, token):
    """``{% memo name=value … %}…{% endmemo %}``: the body written once per process for each set
    of values (and language, time zone and URL conf: crm.memo), then reused. The body sees those
    values and nothing else of the page's context (no user, request or permission unless passed
    as a value), so what it writes depends on them only and cannot go stale; a value must be
    hashable. The text a whole role shares (the navigation bar), a table's header: not worked
    out again on every request. ``{% csrf_token %}``, ``{% now %}`` and blocks are refused."""
    bits = token.split_contents()[1:]
    values = token_kwargs(bits, parser, support_legacy=False)
    if bits:
        raise template.TemplateSyntaxError("memo takes name=value arguments only")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    for kind in _NOT_MEMOIZABLE:
        if nodelist.get_nodes_by_type(kind):
            raise template.TemplateSyntaxError(f"{{% memo %}} cannot hold {kind.__name__}: it is per request")
    return MemoNode(nodelist, values)
