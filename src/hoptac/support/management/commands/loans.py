"""`hoptac loans --unit U [--as-of DATE] [--status S] [--format json|table]`: the fund's loans and where they stand."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from hoptac.indicators.cli import JSON, add_format_argument, dumps, json_number, table_number
from hoptac.support.models import Loan
from hoptac.support.queries import LoanFilters, loan_book, loan_rows, loans_queryset
from hoptac.units.cli import add_unit_argument, format_table, unit_from_options


def _date(text: str) -> datetime.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
    raise CommandError(_("“%(text)s” is not a date (2025-12-31 or 31/12/2025).") % {"text": text})


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "List the loans of the cooperative support fund to the organisations of a unit, with the principal "
            "outstanding and overdue on a day (default: today)."
        )

    def add_arguments(self, parser):
        add_unit_argument(parser)
        parser.add_argument("--as-of", help=_("The day (2025-12-31 or 31/12/2025); default: today."))
        parser.add_argument("--status", choices=Loan.Status.values, help=_("Only the loans in this status."))
        add_format_argument(parser)

    def handle(self, *args, as_of=None, status=None, format, **options):
        unit = unit_from_options(self, options)
        day = _date(as_of) if as_of else timezone.localdate()
        rows = loan_rows(loans_queryset(None, LoanFilters(unit=unit)), day, status=status or "")
        book = loan_book(rows, day)
        loans = [
            {
                "id": row.loan.pk,
                "organisation": row.loan.organisation.name,
                "code": row.loan.organisation.code,
                "sector": row.loan.organisation.sector.code,
                "contract": row.loan.contract_number,
                "disbursed_on": row.loan.disbursed_on.isoformat(),
                "amount": json_number(row.loan.amount),
                "term_months": row.loan.term_months,
                "interest_rate": json_number(row.loan.interest_rate),
                "schedule": row.loan.schedule,
                "maturity": row.position.maturity.isoformat(),
                "repaid": json_number(row.position.repaid),
                "outstanding": json_number(row.position.outstanding),
                "overdue": json_number(row.position.overdue),
                "days_overdue": row.position.days_overdue,
                "status": row.position.status,
            }
            for row in rows
        ]
        if format == JSON:
            self.stdout.write(
                dumps(
                    {
                        "unit": unit.key,
                        "as_of": day.isoformat(),
                        "loans_count": book.total.loans,
                        "outstanding": json_number(book.total.outstanding),
                        "overdue": json_number(book.total.overdue),
                        "loans": loans,
                    }
                )
            )
            return
        self.stdout.write(
            f"{unit.label_with_parents()}  ({unit.key}) — {date_format(day, 'SHORT_DATE_FORMAT')}"
        )
        self.stdout.write(
            format_table(
                [
                    _("Borrower"),
                    _("Disbursed"),
                    _("Amount lent"),
                    _("Outstanding"),
                    _("Overdue"),
                    _("Days overdue"),
                    _("Status"),
                ],
                [
                    [
                        row.loan.organisation.name,
                        date_format(row.loan.disbursed_on, "SHORT_DATE_FORMAT"),
                        table_number(row.loan.amount),
                        table_number(row.position.outstanding),
                        table_number(row.position.overdue),
                        row.position.days_overdue or "",
                        row.position.status_label,
                    ]
                    for row in rows
                ]
                + [
                    [
                        _("Total"),
                        "",
                        table_number(book.total.amount),
                        table_number(book.total.outstanding),
                        table_number(book.total.overdue),
                        "",
                        "",
                    ]
                ],
                right=[2, 3, 4, 5],
            )
        )
