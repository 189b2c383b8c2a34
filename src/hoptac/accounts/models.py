"""Users, each with one role bound to a unit, an agency or an organisation."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hoptac.units.models import Unit


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    PROVINCE = "province", _("Province officer")
    COMMUNE = "commune", _("Commune officer")
    AGENCY = "agency", _("Agency officer")
    COOPERATIVE = "cooperative", _("Cooperative representative")
    VIEWER = "viewer", _("Viewer")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.VIEWER)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_(
            "Province officers: a province; commune officers: a commune (or a former district); viewers: any unit."
        ),
    )
    agency = models.ForeignKey(
        "programme.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="representatives",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        needs = {
            Role.PROVINCE: ("unit", {Unit.Level.PROVINCE}),
            Role.COMMUNE: ("unit", {Unit.Level.COMMUNE, Unit.Level.DISTRICT}),
            Role.VIEWER: ("unit", set(Unit.Level.values)),
        }
        if self.role in needs:
            _field, levels = needs[self.role]
            if self.unit is None:
                raise ValidationError({"unit": _("This role needs a unit.")})
            if self.unit.level not in levels:
                raise ValidationError({"unit": _("This unit's level does not fit the role.")})
        if self.role == Role.AGENCY and self.agency is None:
            raise ValidationError({"agency": _("An agency officer needs an agency.")})
        if self.role == Role.COOPERATIVE and self.organisation is None:
            raise ValidationError({"organisation": _("A cooperative representative needs an organisation.")})

    @property
    def is_admin_role(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN
