"""The figures of a yearly return, described once.

`FIELDS` is the single description of every figure an organisation reports each year (domain.md,
"Yearly figures per organisation"): its name, group, type, unit, label, help text, the Vietnamese
column header of the Excel template and the other headers people write for it. The model builds its
columns from it, and the form, the validation rules, the export and the import read it, so a figure
is added or renamed here and nowhere else.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from hoptac.registry.models import Organisation

# The sector whose organisations are credit cooperatives, besides the kind "people's credit fund".
CREDIT_SECTOR_CODE = "tin-dung"


def data_period(year: int) -> tuple[datetime.date, datetime.date]:
    """The data period of year `year` under Thông tư 09/2024/TT-BKHĐT: 15/12 of the year before to 14/12."""
    return datetime.date(year - 1, 12, 15), datetime.date(year, 12, 14)


def is_credit_organisation(org: Organisation) -> bool:
    """A people's credit fund, or any organisation of the credit sector (tín dụng)."""
    from hoptac.registry.models import Kind

    if org.kind == Kind.QTDND:
        return True
    sector = org.sector if org.sector_id else None
    return sector is not None and sector.code == CREDIT_SECTOR_CODE


class Group(models.TextChoices):
    MEMBERS = "members", _("Members")
    WORKERS = "workers", _("Workers and income")
    FINANCE = "finance", _("Finance")
    MANAGERS = "managers", _("Managers")
    PRACTICES = "practices", _("Practices")
    CREDIT = "credit", _("Credit")
    ASSESSMENT = "assessment", _("Assessment")


class Type(models.TextChoices):
    INTEGER = "integer", _("whole number")
    DECIMAL = "decimal", _("number")
    BOOLEAN = "boolean", _("yes or no")
    CHOICE = "choice", _("choice")
    TEXT = "text", _("text")


class Measure(models.TextChoices):
    """The unit a figure is counted in."""

    PEOPLE = "people", _("people")
    MILLION_VND = "million_vnd", _("million VND")
    MILLION_VND_PER_PERSON = "million_vnd_per_person", _("million VND per person per year")
    PERCENT = "percent", "%"
    YES_NO = "yes_no", _("yes / no")
    NONE = "", ""


class Classification(models.TextChoices):
    """Classes of both official scoring schemes (Thông tư 09/2017/TT-BNNPTNT, 01/2020/TT-BKHĐT)."""

    GOOD = "tot", _("Good")
    FAIR = "kha", _("Fair")
    AVERAGE = "trung_binh", _("Average")
    WEAK = "yeu", _("Weak")


# Amounts in million đồng with one decimal (100 000 đồng), as the registry's charter capital.
_MONEY = {"max_digits": 15, "decimal_places": 1}
_INCOME = {"max_digits": 10, "decimal_places": 2}
_PERCENT = {"max_digits": 5, "decimal_places": 2}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    group: str
    type: str
    measure: str
    label: Promise
    help: Promise
    # The column header of the Excel template (Vietnamese whatever the interface language) and other
    # headers offices use for the same figure, for the import's column matching.
    header_vi: str
    synonyms: tuple[str, ...] = ()
    max_digits: int | None = None
    decimal_places: int | None = None
    may_be_negative: bool = False
    credit_only: bool = False
    choices: tuple[tuple[str, Promise], ...] = field(default=())

    @property
    def is_number(self) -> bool:
        return self.type in (Type.INTEGER, Type.DECIMAL)

    def applies_to(self, org: Organisation) -> bool:
        """Whether the form asks this organisation for the figure (the bad-debt ratio: credit only)."""
        return not self.credit_only or is_credit_organisation(org)

    def model_field(self) -> models.Field:
        common = {"verbose_name": self.label, "help_text": self.help, "blank": True}
        if self.type == Type.INTEGER:
            # Signed on purpose: a negative count is refused by the validation rules, whose message
            # names the field, not by the database; the rules are data a province may correct.
            return models.IntegerField(null=True, **common)
        if self.type == Type.DECIMAL:
            return models.DecimalField(
                null=True, max_digits=self.max_digits, decimal_places=self.decimal_places, **common
            )
        if self.type == Type.BOOLEAN:
            return models.BooleanField(null=True, **common)
        if self.type == Type.CHOICE:
            return models.CharField(max_length=12, choices=list(self.choices), **common)
        return models.TextField(**common)


def _spec(name, group, type_, measure, label, help_, header_vi, synonyms=(), **kw) -> FieldSpec:
    if type_ == Type.DECIMAL and "max_digits" not in kw:
        kw.update(_MONEY)
    return FieldSpec(name, group, type_, measure, label, help_, header_vi, tuple(synonyms), **kw)


G, T, M = Group, Type, Measure

FIELDS: tuple[FieldSpec, ...] = (
    # Members (thành viên)
    _spec(
        "members_individual", G.MEMBERS, T.INTEGER, M.PEOPLE,
        _("Official members: individuals"),
        _("Official members (thành viên chính thức) who are individuals, at the end of the data period."),
        "Thành viên chính thức: cá nhân",
        ["Thành viên cá nhân", "Số thành viên cá nhân", "Số thành viên chính thức", "Thành viên chính thức",
         # A single column of members, as most offices keep it: counted as individuals.
         "Số thành viên", "Tổng số thành viên"],
    ),
    _spec(
        "members_household", G.MEMBERS, T.INTEGER, M.PEOPLE,
        _("Official members: households"),
        _("Official members that are households (hộ gia đình), each counted once."),
        "Thành viên chính thức: hộ gia đình",
        ["Thành viên hộ gia đình", "Số hộ thành viên", "Số thành viên hộ gia đình", "Số thành viên là hộ gia đình"],
    ),
    _spec(
        "members_legal_entity", G.MEMBERS, T.INTEGER, M.PEOPLE,
        _("Official members: legal entities"),
        _("Official members that are legal entities (pháp nhân); for a union of cooperatives, its member "
          "cooperatives."),
        "Thành viên chính thức: pháp nhân",
        ["Thành viên pháp nhân", "Số thành viên pháp nhân", "Số HTX thành viên"],
    ),
    _spec(
        "members_associate", G.MEMBERS, T.INTEGER, M.PEOPLE,
        _("Associate members"),
        _("Associate members (thành viên liên kết), whether they contribute capital or not."),
        "Thành viên liên kết",
        ["Số thành viên liên kết", "Thành viên liên kết góp vốn và không góp vốn"],
    ),
    _spec(
        "members_social_insurance", G.MEMBERS, T.INTEGER, M.PEOPLE,
        _("Members with social insurance"),
        _("Members who pay social insurance (bảo hiểm xã hội) through the organisation."),
        "Thành viên tham gia bảo hiểm xã hội",
        ["Thành viên tham gia BHXH", "Số thành viên có BHXH", "Số thành viên tham gia BHXH",
         "Số thành viên tham gia bảo hiểm xã hội"],
    ),
    # Workers and income (lao động, thu nhập)
    _spec(
        "workers", G.WORKERS, T.INTEGER, M.PEOPLE,
        _("Regular workers"),
        _("People who work regularly for the organisation (lao động thường xuyên), members or not."),
        "Lao động thường xuyên",
        ["Số lao động thường xuyên", "Tổng số lao động", "Lao động", "Số lao động"],
    ),
    _spec(
        "workers_members", G.WORKERS, T.INTEGER, M.PEOPLE,
        _("Regular workers who are members"),
        _("Of the regular workers, those who are members of the organisation."),
        "Trong đó: lao động là thành viên",
        ["Lao động là thành viên", "Số lao động là thành viên"],
    ),
    _spec(
        "income_member", G.WORKERS, T.DECIMAL, M.MILLION_VND_PER_PERSON,
        _("Average income of members"),
        _("What a member earned on average from the organisation in the year, in million VND."),
        "Thu nhập bình quân của thành viên (triệu đồng/người/năm)",
        ["Thu nhập bình quân thành viên", "Thu nhập BQ thành viên"],
        **_INCOME,
    ),
    _spec(
        "income_worker", G.WORKERS, T.DECIMAL, M.MILLION_VND_PER_PERSON,
        _("Average income of regular workers"),
        _("What a regular worker earned on average in the year, in million VND."),
        "Thu nhập bình quân của lao động (triệu đồng/người/năm)",
        ["Thu nhập bình quân lao động", "Thu nhập BQ người lao động", "Thu nhập bình quân"],
        **_INCOME,
    ),
    # Finance (tài chính)
    _spec(
        "revenue", G.FINANCE, T.DECIMAL, M.MILLION_VND,
        _("Revenue"),
        _("Total revenue of the data period (doanh thu), in million VND."),
        "Doanh thu (triệu đồng)",
        ["Doanh thu", "Tổng doanh thu"],
    ),
    _spec(
        "revenue_planned", G.FINANCE, T.DECIMAL, M.MILLION_VND,
        _("Planned revenue"),
        _("The revenue the year's business plan aimed at (doanh thu kế hoạch); the agricultural scoring "
          "scheme compares it with the revenue achieved."),
        "Doanh thu kế hoạch (triệu đồng)",
        ["Doanh thu kế hoạch", "Kế hoạch doanh thu"],
    ),
    _spec(
        "profit", G.FINANCE, T.DECIMAL, M.MILLION_VND,
        _("Profit"),
        _("Profit after tax (lợi nhuận), in million VND; a loss is negative."),
        "Lợi nhuận (triệu đồng)",
        ["Lợi nhuận", "Lợi nhuận sau thuế", "Lãi (lỗ)"],
        may_be_negative=True,
    ),
    _spec(
        "total_assets", G.FINANCE, T.DECIMAL, M.MILLION_VND,
        _("Total capital (assets)"),
        _("Total capital, equal to total assets (tổng nguồn vốn, tài sản), at the end of the data period."),
        "Tổng nguồn vốn, tài sản (triệu đồng)",
        ["Tổng nguồn vốn", "Tổng tài sản", "Tổng vốn"],
    ),
    _spec(
        "charter_capital_contributed", G.FINANCE, T.DECIMAL, M.MILLION_VND,
        _("Charter capital contributed"),
        _("Charter capital the members have actually paid in (vốn điều lệ thực góp)."),
        "Vốn điều lệ thực góp (triệu đồng)",
        ["Vốn điều lệ thực góp", "Vốn góp", "Vốn điều lệ"],
    ),
    # Managers (cán bộ quản lý)
    _spec(
        "managers", G.MANAGERS, T.INTEGER, M.PEOPLE,
        _("Managers"),
        _("Members of the management board, the director, the supervisors and the chief accountant "
          "(cán bộ quản lý)."),
        "Tổng số cán bộ quản lý",
        ["Cán bộ quản lý", "Số cán bộ quản lý"],
    ),
    _spec(
        "managers_university", G.MANAGERS, T.INTEGER, M.PEOPLE,
        _("Managers with a university degree or higher"),
        _("Managers whose highest qualification is a university degree or above (đại học trở lên)."),
        "Cán bộ quản lý: đại học trở lên",
        ["Đại học trở lên", "Trình độ đại học"],
    ),
    _spec(
        "managers_college", G.MANAGERS, T.INTEGER, M.PEOPLE,
        _("Managers with a college degree"),
        _("Managers whose highest qualification is a college degree (cao đẳng)."),
        "Cán bộ quản lý: cao đẳng",
        ["Cao đẳng", "Trình độ cao đẳng"],
    ),
    _spec(
        "managers_intermediate", G.MANAGERS, T.INTEGER, M.PEOPLE,
        _("Managers with intermediate vocational training"),
        _("Managers whose highest qualification is an intermediate diploma (trung cấp)."),
        "Cán bộ quản lý: trung cấp",
        ["Trung cấp", "Trình độ trung cấp"],
    ),
    _spec(
        "managers_elementary", G.MANAGERS, T.INTEGER, M.PEOPLE,
        _("Managers with elementary vocational training"),
        _("Managers whose highest qualification is an elementary certificate (sơ cấp)."),
        "Cán bộ quản lý: sơ cấp",
        ["Sơ cấp", "Trình độ sơ cấp"],
    ),
    _spec(
        "managers_untrained", G.MANAGERS, T.INTEGER, M.PEOPLE,
        _("Managers without professional training"),
        _("Managers with no professional qualification (chưa qua đào tạo)."),
        "Cán bộ quản lý: chưa qua đào tạo",
        ["Chưa qua đào tạo"],
    ),
    _spec(
        "managers_young", G.MANAGERS, T.INTEGER, M.PEOPLE,
        _("Young managers"),
        _("Managers no older than the age limit for young managers (cán bộ trẻ) on the last day of the "
          "data period; the form states the limit."),
        "Cán bộ quản lý trẻ",
        ["Cán bộ trẻ", "Số cán bộ quản lý trẻ"],
    ),
    _spec(
        "managers_young_degree", G.MANAGERS, T.INTEGER, M.PEOPLE,
        _("Young managers with a university or college degree"),
        _("Of the young managers, those with a university or college degree."),
        "Cán bộ quản lý trẻ có trình độ đại học, cao đẳng",
        ["Cán bộ trẻ có trình độ đại học, cao đẳng", "Cán bộ trẻ tốt nghiệp đại học, cao đẳng"],
    ),
    _spec(
        "managers_trained", G.MANAGERS, T.INTEGER, M.PEOPLE,
        _("Managers trained this year"),
        _("Managers who attended a training or refresher course (đào tạo, bồi dưỡng) during the data period."),
        "Cán bộ quản lý được đào tạo, bồi dưỡng trong năm",
        ["Cán bộ được đào tạo, bồi dưỡng", "Số cán bộ quản lý được đào tạo", "Cán bộ quản lý được đào tạo",
         "Số cán bộ được đào tạo"],
    ),
    # Practices
    _spec(
        "high_technology", G.PRACTICES, T.BOOLEAN, M.YES_NO,
        _("Applies high technology"),
        _("Production applies high technology (ứng dụng công nghệ cao)."),
        "Ứng dụng công nghệ cao",
        ["Ứng dụng CNC", "Công nghệ cao"],
    ),
    _spec(
        "value_chain_link", G.PRACTICES, T.BOOLEAN, M.YES_NO,
        _("Linked with an enterprise in a value chain"),
        _("Has a contract linking production and sale with an enterprise (liên kết chuỗi giá trị với "
          "doanh nghiệp)."),
        "Liên kết chuỗi giá trị với doanh nghiệp",
        ["Liên kết chuỗi giá trị", "Liên kết với doanh nghiệp"],
    ),
    _spec(
        "land_use_certificate", G.PRACTICES, T.BOOLEAN, M.YES_NO,
        _("Holds a land use rights certificate"),
        _("The organisation holds a land use rights certificate (giấy chứng nhận quyền sử dụng đất) for "
          "land it uses."),
        "Có giấy chứng nhận quyền sử dụng đất",
        ["Giấy chứng nhận quyền sử dụng đất", "Sổ đỏ"],
    ),
    # Credit
    _spec(
        "credit_access", G.CREDIT, T.BOOLEAN, M.YES_NO,
        _("Access to credit"),
        _("Borrowed from a bank, a credit fund or a support fund during the data period (tiếp cận vốn "
          "tín dụng)."),
        "Tiếp cận vốn tín dụng",
        ["Tiếp cận tín dụng", "Được vay vốn"],
    ),
    _spec(
        "bad_debt_ratio", G.CREDIT, T.DECIMAL, M.PERCENT,
        _("Bad-debt ratio"),
        _("Credit cooperatives only: bad debts as a share of outstanding loans (tỷ lệ nợ xấu), in %."),
        "Tỷ lệ nợ xấu (%)",
        ["Tỷ lệ nợ xấu", "Nợ xấu"],
        credit_only=True,
        **_PERCENT,
    ),
    # Assessment
    _spec(
        "self_classification", G.ASSESSMENT, T.CHOICE, M.NONE,
        _("Self-assessed classification"),
        _("The class the organisation gives itself (tự đánh giá); the official scoring comes later."),
        "Tự xếp loại",
        ["Xếp loại", "Tự đánh giá xếp loại", "Kết quả xếp loại"],
        choices=tuple(Classification.choices),
    ),
    _spec(
        "notes", G.ASSESSMENT, T.TEXT, M.NONE,
        _("Notes"),
        _("Anything the reviewer should know about these figures."),
        "Ghi chú",
        ["Ghi chú", "Nhận xét"],
    ),
)  # fmt: skip

FIELDS_BY_NAME: dict[str, FieldSpec] = {spec.name: spec for spec in FIELDS}

# The words of the Excel template's dropdowns, Vietnamese whatever the interface language.
YES_NO_VI = {True: "Có", False: "Không"}
CLASSIFICATION_VI = {
    Classification.GOOD: "Tốt",
    Classification.FAIR: "Khá",
    Classification.AVERAGE: "Trung bình",
    Classification.WEAK: "Yếu",
}

# The education levels, which add up to the managers' total.
MANAGER_EDUCATION_FIELDS = (
    "managers_university",
    "managers_college",
    "managers_intermediate",
    "managers_elementary",
    "managers_untrained",
)


def fields_by_group() -> list[tuple[str, str, list[FieldSpec]]]:
    """[(group value, group label, [specs])] in the order of the form."""
    return [(g.value, g.label, [s for s in FIELDS if s.group == g.value]) for g in Group]
