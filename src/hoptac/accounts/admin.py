"""Users in the admin: Django's user admin plus the role and what it is bound to.

The model's `clean()` checks that the role and the unit, agency or organisation fit together; the
admin forms run it, so its errors show on the field concerned. Units are picked by autocomplete
(there are over 14,000: a select of all of them would not render).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from .models import User

ROLE_FIELDS = ("role", "unit", "agency", "organisation")


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", *ROLE_FIELDS)


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    fieldsets = (
        DjangoUserAdmin.fieldsets[0],
        DjangoUserAdmin.fieldsets[1],
        (
            _("Role and area"),
            {
                "fields": ROLE_FIELDS,
                "description": _(
                    "Province and commune officers need a unit of their level (a commune officer may also "
                    "have a former district); viewers any unit; agency officers an agency; cooperative "
                    "representatives their organisation."
                ),
            },
        ),
        *DjangoUserAdmin.fieldsets[2:],
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role and area"), {"classes": ("wide",), "fields": ROLE_FIELDS}),
    )
    list_display = ("username", "full_name", "role", "scope", "is_active", "is_staff", "last_login")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    list_select_related = ("unit__parent", "agency", "organisation")
    search_fields = ("username", "first_name", "last_name", "email")
    autocomplete_fields = ("unit", "agency")
    raw_id_fields = ("organisation",)

    @admin.display(description=_("full name"), ordering="first_name")
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

    @admin.display(description=_("unit, agency or organisation"))
    def scope(self, obj: User) -> str:
        if obj.unit_id:
            parent = obj.unit.parent
            return f"{obj.unit}, {parent}" if parent else str(obj.unit)
        return str(obj.agency or obj.organisation or "—")
