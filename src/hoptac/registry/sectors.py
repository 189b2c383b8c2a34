"""Sectors are data: fixtures/sectors.json, upserted by code (a migration runs it; so can an admin)."""

import json
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "sectors.json"


def sectors_load(Sector=None) -> int:
    if Sector is None:
        from .models import Sector
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))
    by_code = {}
    for row in rows:  # parents come before their children in the file
        parent = by_code.get(row["parent"]) if row["parent"] else None
        obj, _ = Sector.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
                "parent": parent,
                "synonyms": "\n".join(row["synonyms"]),
                "order": row["order"],
            },
        )
        by_code[row["code"]] = obj
    return len(rows)
