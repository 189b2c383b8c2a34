"""The returns import: rows name organisations, figures go through the returns services, all or nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from hoptac.imports.reader import ImportFileError
from hoptac.imports.returns import RETURN_FIELDS, ReturnsImport, import_returns
from hoptac.returns import services
from hoptac.returns.models import AnnualReturn

from .conftest import Formula, csv_bytes, workbook, xlsx_bytes

YEAR = 2024
Status = AnnualReturn.Status
# An office's own sheet: a title, its headers, column numbers, a total row.
OFFICE_HEADER = [
    "STT",
    "Mã số HTX",
    "Tên HTX",
    "Xã",
    "Số thành viên",
    "Tổng số lao động",
    "Lao động là thành viên",
    "Doanh thu (triệu đồng)",
    "Lợi nhuận",
    "Ứng dụng công nghệ cao",
    "Xếp loại",
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def office_rows(*rows):
    return [
        ["BÁO CÁO TÌNH HÌNH HOẠT ĐỘNG CỦA HTX NĂM 2024"],
        ["(Kèm theo báo cáo của UBND xã Than Uyên)"],
        OFFICE_HEADER,
        [f"({i})" for i in range(1, len(OFFICE_HEADER) + 1)],
        *rows,
        [None, None, "Tổng cộng", None, "=SUM(E5:E6)"],
    ]


def run(rows, actor, *, dry_run=False, **kwargs):
    return import_returns(workbook(xlsx_bytes(rows)), year=YEAR, actor=actor, dry_run=dry_run, **kwargs)


def snapshot():
    return (
        sorted(AnnualReturn.objects.values_list("organisation_id", "year", "version", "status", "revenue")),
        AnnualReturn.history.count(),
    )


def where(result):
    return [(e.row, e.column) for e in result.errors]


def test_an_offices_sheet_creates_draft_returns_through_the_services(returns_orgs, people):
    o = returns_orgs
    rows = office_rows(
        [1, "6201000001", "HTX Chè Than Uyên", "Xã Than Uyên", 12, 8, 6, "1.234,5", "120,5", "Có", "Khá"],
        [2, None, "Tổ hợp tác Rau Than Uyên", "Than Uyên", "4", "3", None, "85", None, "không", None],
    )

    result = run(rows, people.commune)

    assert result.errors == [], [e.line() for e in result.errors]
    assert result.counts() == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0}
    tea = AnnualReturn.objects.get(organisation=o.tea, year=YEAR)
    assert (tea.status, tea.version, tea.members_individual, tea.workers, tea.workers_members) == (
        Status.DRAFT, 1, 12, 8, 6
    )  # fmt: skip
    assert (tea.revenue, tea.profit, tea.high_technology, tea.self_classification) == (
        Decimal("1234.5"), Decimal("120.5"), True, "kha"
    )  # fmt: skip
    group = AnnualReturn.objects.get(organisation=o.group, year=YEAR)
    assert (group.members_individual, group.workers, group.high_technology) == (4, 3, False)
    # The services wrote the history, in the importer's name: created, then saved.
    history = list(tea.history.order_by("history_id").values_list("history_change_reason", "history_user"))
    assert history == [("create", people.commune.pk), ("save", people.commune.pk)]


def test_a_dry_run_says_what_it_would_do_and_writes_nothing(returns_orgs, people):
    rows = office_rows([1, "6201000001", "HTX Chè Than Uyên", None, 12, 8, 6, 900, 50, None, None])
    result = run(rows, people.commune, dry_run=True)
    assert result.errors == [] and result.counts()["created"] == 1 and not result.written
    assert AnnualReturn.objects.count() == 0


def test_csv_files_import_too(returns_orgs, people):
    data = csv_bytes(
        [["Mã số thuế", "Tên đơn vị", "Lao động thường xuyên"], ["6201000001", "", "7"]], delimiter=";"
    )
    result = import_returns(workbook(data), year=YEAR, actor=people.province)
    assert result.errors == [] and AnnualReturn.objects.get().workers == 7


def test_an_update_changes_only_the_figures_the_file_gives(returns_orgs, people):
    ret, _ = services.return_create_or_get(organisation=returns_orgs.tea, year=YEAR, actor=people.province)
    services.return_save(
        ret=ret, actor=people.province, data={"workers": 8, "revenue": 900, "members_individual": 12},
        expected_version=ret.version,
    )  # fmt: skip

    result = run(
        [["Mã số HTX", "Doanh thu (tỷ đồng)", "Tổng số lao động"], ["6201000001", "1,5", None]],
        people.commune,
    )

    assert result.errors == [] and result.counts()["updated"] == 1
    assert [a.changes for a in result.actions] == [["revenue"]]
    ret = AnnualReturn.objects.get()
    # Billions in the header: stored in million đồng; the blank cell left the workers as they were.
    assert (ret.revenue, ret.workers, ret.members_individual, ret.version) == (Decimal("1500.0"), 8, 12, 2)
    assert ret.updated_by == people.commune


def test_figures_already_there_are_unchanged_and_nothing_is_written(returns_orgs, people):
    ret, _ = services.return_create_or_get(organisation=returns_orgs.tea, year=YEAR, actor=people.province)
    services.return_save(ret=ret, actor=people.province, data={"workers": 8}, expected_version=ret.version)
    before = snapshot()
    result = run([["Mã số HTX", "Tổng số lao động"], ["6201000001", 8]], people.commune)
    assert result.errors == [] and result.counts()["unchanged"] == 1
    assert snapshot() == before


def test_an_approved_return_is_locked_unless_its_figures_are_unchanged(returns_orgs, people):
    ret, _ = services.return_create_or_get(organisation=returns_orgs.tea, year=YEAR, actor=people.province)
    ret, _ = services.return_save(ret=ret, actor=people.province, data={"workers": 8}, expected_version=0)
    ret = services.return_approve(
        ret=services.return_submit(ret=ret, actor=people.province), actor=people.province
    )
    before = snapshot()

    same = run([["Mã số HTX", "Tổng số lao động"], ["6201000001", 8]], people.commune)
    assert same.errors == [] and same.counts()["unchanged"] == 1

    changed = run([["Mã số HTX", "Tổng số lao động"], ["6201000001", 9]], people.commune)
    assert where(changed) == [(2, "B")]
    assert "approved and locked: reopen it" in changed.errors[0].message
    assert snapshot() == before


def test_a_submitted_return_cannot_change_until_it_is_sent_back(returns_orgs, people):
    ret, _ = services.return_create_or_get(organisation=returns_orgs.tea, year=YEAR, actor=people.province)
    ret, _ = services.return_save(ret=ret, actor=people.province, data={"workers": 8}, expected_version=0)
    services.return_submit(ret=ret, actor=people.province)
    result = run([["Mã số HTX", "Tổng số lao động"], ["6201000001", 9]], people.commune)
    assert where(result) == [(2, "B")] and "sent back" in result.errors[0].message


GOOD_ROW = ["6201000003", "HTX Lúa Mường Than", 9, 5, 3]
HEADER = ["Mã số HTX", "Tên HTX", "Số thành viên", "Tổng số lao động", "Lao động là thành viên"]


@pytest.mark.parametrize(
    ("bad_row", "column", "words"),
    [
        (["6201000001", "HTX Chè Than Uyên", 9, "mười", 3], "D", "is not a number"),
        (["6201000001", "HTX Chè Than Uyên", -3, 5, 3], "C", "cannot be negative"),
        (["6201000001", "HTX Chè Than Uyên", 9, 3, 5], "E", "cannot outnumber the regular workers"),
        (["6201000001", "HTX Chè Than Uyên", 9, "12,5", 3], "D", "not a whole number"),
        (["6201000001", "HTX Chè Than Uyên", 9, Formula("=2+3"), 3], "D", "formula"),
        (["6201000001", "HTX Chè Than Uyên", 9, "=2+3", 3], "D", "formula"),
        (["6209999999", None, 9, 5, 3], "A", "No organisation in the registry has the code 6209999999"),
        ([None, "HTX Không Có Thật", 9, 5, 3], "B", "No organisation named “HTX Không Có Thật”"),
        (["6201000002", "HTX Lúa Tân Uyên", 9, 5, 3], "A", "outside your area"),
        ([None, "HTX Lúa Tân Uyên", 9, 5, 3], "B", "outside your area"),
        ([None, None, 9, 5, 3], "A", "not named"),
        (["6201000003", "HTX Lúa Mường Than", 9, 5, 3], "A", "Row 2 already names this organisation"),
    ],
    ids=[
        "word-in-number", "negative-count", "members-among-workers-exceed-workers", "fraction-of-people",
        "formula", "formula-as-text", "unknown-code", "unknown-name", "out-of-scope-code", "out-of-scope-name",
        "unnamed", "duplicate-organisation",
    ],
)  # fmt: skip
def test_a_bad_row_is_refused_with_its_row_and_column_and_nothing_is_written(
    returns_orgs, people, bad_row, column, words
):
    result = run([HEADER, GOOD_ROW, bad_row], people.commune)

    assert (3, column) in where(result), [e.line() for e in result.errors]
    assert any(words in e.message for e in result.errors if (e.row, e.column) == (3, column))
    assert not result.written and AnnualReturn.objects.count() == 0
    assert any(line.startswith(f"row 3, column {column} (") for line in (e.line() for e in result.errors))


def test_every_error_of_the_file_is_reported_at_once(returns_orgs, people):
    result = run(
        [
            HEADER,
            [None, "HTX Không Có", 1, 1, 1],
            ["6201000001", None, "x", -1, 1],
            ["6201000003", None, 1, 1, 9],
        ],
        people.commune,
    )
    # Row 3: a word, a negative count, and so more members among the workers than workers.
    assert where(result) == [(2, "B"), (3, "C"), (3, "D"), (3, "E"), (4, "E")]


def test_warnings_are_reported_and_do_not_block(returns_orgs, people):
    # An HTX under the 2023 law with fewer than 5 official members; profit without revenue.
    result = run([["Mã số HTX", "Số thành viên", "Lợi nhuận"], ["6201000001", 3, 50]], people.commune)
    assert result.errors == [] and result.written
    assert {(w.row, w.column) for w in result.warnings} == {(2, "B"), (2, "C")}
    assert AnnualReturn.objects.get().members_individual == 3


def test_rows_of_the_template_left_blank_create_no_return(returns_orgs, people):
    result = run([HEADER, ["6201000001", "HTX Chè Than Uyên", None, None, None], GOOD_ROW], people.commune)
    assert result.counts() == {"rows": 2, "created": 1, "updated": 0, "unchanged": 1}
    assert list(AnnualReturn.objects.values_list("organisation__code", flat=True)) == ["6201000003"]


def test_a_year_before_the_organisation_was_founded_is_an_error(returns_orgs, people):
    result = import_returns(workbook(xlsx_bytes([HEADER, GOOD_ROW])), year=2015, actor=people.commune)
    assert where(result) == [(2, "")] and "founded on 01/03/2018" in result.errors[0].message


def test_a_name_alone_finds_the_only_organisation_of_that_name_in_the_users_area(
    returns_orgs, people, make_org, units
):
    make_org("HTX Chè Than Uyên", unit=units.xa_tan_uyen)  # the same name, in another commune
    result = run([["Tên HTX", "Tổng số lao động"], ["HTX Chè Than Uyên", 5]], people.commune)
    assert result.errors == []
    assert AnnualReturn.objects.get().organisation == returns_orgs.tea
    # The province officer sees both: the name alone no longer says which.
    result = run([["Tên HTX", "Tổng số lao động"], ["HTX Chè Than Uyên", 6]], people.province)
    assert where(result) == [(2, "A")] and "Several organisations" in result.errors[0].message


def test_a_cooperative_representative_imports_his_own_return_only(returns_orgs, people):
    from hoptac.accounts.models import Role, User

    rep = User.objects.create_user(
        username="giamdoc", password="pw", role=Role.COOPERATIVE, organisation=returns_orgs.tea
    )
    mine = run([["Mã số HTX", "Tổng số lao động"], ["6201000001", 5]], rep)
    assert mine.errors == [] and AnnualReturn.objects.get().organisation == returns_orgs.tea
    theirs = run([["Mã số HTX", "Tổng số lao động"], ["6201000003", 5]], rep)
    assert where(theirs) == [(2, "A")]


def test_a_viewer_imports_nothing(returns_orgs, people):
    result = run([["Mã số HTX", "Tổng số lao động"], ["6201000001", 5]], people.district_viewer)
    assert where(result) == [(2, "A")] and AnnualReturn.objects.count() == 0


def test_a_return_changed_during_the_import_rolls_everything_back(returns_orgs, people):
    """Someone saves a return between the check and the write: nothing of the file is written."""
    ret, _ = services.return_create_or_get(organisation=returns_orgs.rice, year=YEAR, actor=people.province)
    services.return_save(ret=ret, actor=people.province, data={"workers": 2}, expected_version=0)

    def meanwhile(phase, done, total):
        if phase == "checking" and done == total:
            current = AnnualReturn.objects.get(organisation=returns_orgs.rice)
            services.return_save(
                ret=current, actor=people.province, data={"workers": 3}, expected_version=current.version
            )

    result = run([HEADER, ["6201000001", None, 9, 5, 3], GOOD_ROW], people.commune, progress=meanwhile)

    assert not result.written and "changed while the file was being imported" in result.errors[0].message
    assert list(AnnualReturn.objects.values_list("organisation__code", "workers")) == [("6201000003", 3)]


def test_a_file_without_a_column_that_names_organisations_is_refused(returns_orgs, people):
    with pytest.raises(ImportFileError, match="identifies the organisations"):
        ReturnsImport(
            workbook(xlsx_bytes([["Số thành viên", "Tổng số lao động"], [1, 2]])),
            year=YEAR,
            actor=people.admin,
        )
    with pytest.raises(ImportFileError, match="figure"):
        ReturnsImport(
            workbook(xlsx_bytes([["Mã số HTX", "Tên HTX"], ["1", "x"]])), year=YEAR, actor=people.admin
        )


def test_every_figure_has_a_vietnamese_header_the_import_recognises():
    from hoptac.returns.fields import FIELDS

    for spec in FIELDS:
        for header in (spec.header_vi, *spec.synonyms):
            assert RETURN_FIELDS.match(header) == (spec.name, 2), header
    for header, field in [
        ("Số thành viên", "members_individual"),
        ("Tổng số lao động", "workers"),
        ("Doanh thu (triệu đồng)", "revenue"),
        ("Lợi nhuận (tr.đ)", "profit"),
        ("Mã số thuế", "code"),
        ("Tên hợp tác xã", "name"),
        ("Xã, phường", "commune"),
    ]:
        assert RETURN_FIELDS.match(header)[0] == field, header
