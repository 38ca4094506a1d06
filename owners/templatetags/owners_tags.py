from django import template

from owners.masking import id_for, mask_id, mask_phone, phone_for

register = template.Library()


@register.filter
def masked_phone(value):
    return mask_phone(value)


@register.filter
def masked_id(value):
    return mask_id(value)


@register.simple_tag(takes_context=True)
def phone(context, value):
    """The phone as this user may see it (full, masked or nothing)."""
    return phone_for(context["request"].user, value)


@register.simple_tag(takes_context=True)
def id_number(context, value):
    return id_for(context["request"].user, value)
