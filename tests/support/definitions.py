"""The indicator definitions of the source "support" that issue 6 asks for, from the project's fixture
(src/hoptac/indicators/fixtures/indicators.json, loaded by the indicators' migration)."""

CODES = [
    "htx-fund-credit-share",
    "fund-loans-disbursed",
    "fund-loans-outstanding",
    "support-amount",
    *(
        f"support-amount-{code}"
        for code in ("nong-nghiep", "cong-nghiep", "thuong-mai", "xay-dung", "van-tai", "tin-dung")
    ),
]


def ensure_definitions():
    """The definitions as the fixture holds them, each accepted by Indicator.clean()."""
    from hoptac.indicators.models import Indicator

    out = list(Indicator.objects.filter(code__in=CODES))
    assert {d.code for d in out} == set(CODES), "the indicators fixture lacks a support definition"
    for obj in out:
        obj.full_clean()
    return out
