"""Forms of the action programme: the yearly task report (with attachments) and a budget entry."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hoptac.core.fields import GroupedDecimalField

from .attachments import ALLOWED, limit_text
from .models import BudgetEntry, BudgetLine, TaskReport


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the service (type, content, size)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class TaskReportForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=TaskReport.Status.choices, widget=forms.RadioSelect, required=False
    )
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        required=False,
        widget=forms.NumberInput(attrs={"class": "number", "step": 5}),
    )
    narrative = forms.CharField(
        label=_("What was done this year"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=_("Results, figures, documents issued, difficulties, what comes next."),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, role: str, **kwargs):
        super().__init__(*args, **kwargs)
        types = ", ".join(f".{e}" for e in ALLOWED)
        self.fields["attachments"].widget.attrs["accept"] = ",".join(f".{e}" for e in ALLOWED)
        self.fields["attachments"].help_text = gettext(
            "PDF or office files (%(types)s), at most %(max)s MB each."
        ) % {
            "types": types,
            "max": limit_text(),
        }
        if role == TaskReport.Role.LEAD:
            self.fields["status"].required = True
            self.fields["progress"].required = True
        else:
            self.fields["status"].choices = [("", _("Not given")), *TaskReport.Status.choices]
        self.fields["narrative"].required = True


class BudgetEntryForm(forms.Form):
    line = forms.ModelChoiceField(label=_("Budget line"), queryset=BudgetLine.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    kind = forms.ChoiceField(label=_("Kind"), choices=BudgetEntry.Kind.choices)
    amount = GroupedDecimalField(
        label=_("Amount (million VND)"),
        max_digits=14,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"class": "number", "inputmode": "decimal"}),
    )
    on = forms.DateField(
        label=_("Date"), required=False, localize=True, widget=forms.DateInput(attrs={"class": "date"})
    )
    reference = forms.CharField(label=_("Decision or voucher"), max_length=120, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = BudgetLine.objects.filter(plan=plan).order_by("period_start", "order")
        self.fields["line"].label_from_instance = lambda line: (
            f"{line.period} · {line.get_source_display()} · {line.purpose}"
        )
