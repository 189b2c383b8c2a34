"""The demo province: Lai Châu with a registry over 2010–2025 and one account per role.

`plan` draws the organisations (deterministic, a pure function of the units); `load` writes what
is missing through the services. `hoptac demo` runs `demo_load()` and prints `logins()`.
"""

from .load import PASSWORD, USERS, DemoRefused, DemoReport, demo_load, logins
from .plan import SEED, build_plan, geo_from_units

__all__ = [
    "PASSWORD",
    "SEED",
    "USERS",
    "DemoRefused",
    "DemoReport",
    "build_plan",
    "demo_load",
    "geo_from_units",
    "logins",
]
