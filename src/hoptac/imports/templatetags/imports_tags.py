from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`labels|get_item:key`: a dict's value in a template ("" when missing)."""
    if not mapping:
        return ""
    return mapping.get(key, "")
