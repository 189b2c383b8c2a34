"""Administrative units across the July 2025 reform.

Two eras live side by side: the legacy three levels (63 provinces, 696 districts, 10,051
communes, valid until 30/06/2025) and the current two (34 provinces, 3,321 communes, valid
from 01/07/2025). Official codes repeat across eras (commune 03595 is "Thị trấn Than Uyên"
before and "Xã Than Uyên" after), so a unit is identified by (era, level, code).

`path` is a materialised path ("c12/03595/", "l12/110/03595/"): every scope question
("is this under my unit?") is a prefix test on an indexed column.
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

REFORM_DATE = datetime.date(2025, 7, 1)
LEGACY_END = datetime.date(2025, 6, 30)


class Unit(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        DISTRICT = "district", _("District")
        COMMUNE = "commune", _("Commune")

    class Era(models.TextChoices):
        CURRENT = "current", _("Current (from 01/07/2025)")
        LEGACY = "legacy", _("Legacy (until 30/06/2025)")

    era = models.CharField(_("era"), max_length=8, choices=Era.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=120)
    division_type = models.CharField(_("type"), max_length=40)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    path = models.CharField(max_length=40, unique=True)
    name_folded = models.CharField(max_length=120, db_index=True)

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["era", "level", "code"], name="unit_era_level_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_legacy(self) -> bool:
        return self.era == self.Era.LEGACY

    @property
    def key(self) -> str:
        """The token the `--unit` option accepts back: `commune:03595`, `legacy-district:110`."""
        prefix = "legacy-" if self.is_legacy else ""
        return f"{prefix}{self.level}:{self.code}"

    def label_with_parents(self) -> str:
        names = [self.name]
        node = self.parent
        while node is not None:
            names.append(node.name)
            node = node.parent
        return ", ".join(names)

    def is_valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class UnitSuccession(models.Model):
    """A legacy unit became (all or part of) a current unit on `effective_on`."""

    predecessor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="successions")
    successor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="predecessions")
    effective_on = models.DateField(default=REFORM_DATE)
    partial = models.BooleanField(
        default=False, help_text=_("Only part of the predecessor went to this successor.")
    )
    rank = models.PositiveSmallIntegerField(
        default=0, help_text=_("Order of the successors as the official table lists them; 0 is the main one.")
    )

    class Meta:
        verbose_name = _("unit succession")
        verbose_name_plural = _("unit successions")
        ordering = ["predecessor_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"
