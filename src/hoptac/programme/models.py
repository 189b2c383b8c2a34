"""Agencies of the action programme. Tasks, reports and budgets come with their own issue."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hoptac.units.models import Unit


class Agency(models.Model):
    """A Sở, Ban, ngành, mass organisation or local government that leads or joins tasks.

    Names change (Sở Kế hoạch và Đầu tư became part of Sở Tài chính on 01/03/2025), so an agency
    has a validity period and may point to the agency that succeeded it.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="agencies",
        help_text=_("The province (or commune) whose government the agency belongs to."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("succeeded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
