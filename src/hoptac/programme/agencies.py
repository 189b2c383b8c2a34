"""Agencies over time: who answers for a task in a given year, and whose tasks an agency inherits.

Two queries load every agency and every group membership (a province has a few hundred agencies);
the rest is arithmetic in memory, so a board of any size costs the same:
- an agency that ended before a day hands over to its successor (Sở Kế hoạch và Đầu tư, ended
  28/02/2025, to Sở Tài chính), followed to the end of the chain;
- a group ("Các sở, ban, ngành, UBND các huyện, thành phố") answers through its members, each of
  them resolved in the same way; a member that ended without a successor (a district's people's
  committee after 30/06/2025) drops out, and an agency that did not exist yet is not asked.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from .models import Agency


@dataclass(frozen=True)
class AgencyNode:
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    unit_id: int
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    successor_id: int | None

    @property
    def is_group(self) -> bool:
        return self.kind == Agency.Kind.GROUP

    @property
    def label(self) -> str:
        return self.short_name or self.name

    def ended_before(self, day: datetime.date) -> bool:
        return self.valid_to is not None and self.valid_to < day

    def started_after(self, day: datetime.date) -> bool:
        return self.valid_from is not None and self.valid_from > day


class AgencyGraph:
    """Every agency with its successor and its groups, loaded in two queries."""

    def __init__(self) -> None:
        rows = Agency.objects.values_list(
            "id", "code", "name", "short_name", "kind", "unit_id", "valid_from", "valid_to", "successor_id"
        )
        self.nodes: dict[int, AgencyNode] = {row[0]: AgencyNode(*row) for row in rows}
        self.members: dict[int, list[int]] = {}
        self.groups: dict[int, list[int]] = {}
        for group_id, member_id in Agency.members.through.objects.values_list(
            "from_agency_id", "to_agency_id"
        ):
            self.members.setdefault(group_id, []).append(member_id)
            self.groups.setdefault(member_id, []).append(group_id)
        self.predecessors: dict[int, list[int]] = {}
        for node in self.nodes.values():
            if node.successor_id:
                self.predecessors.setdefault(node.successor_id, []).append(node.id)

    def __getitem__(self, agency_id: int) -> AgencyNode:
        return self.nodes[agency_id]

    def effective(self, agency_id: int, day: datetime.date) -> int | None:
        """The agency that answers for `agency_id` on `day`: itself, or its successor's successor …;
        None when it ended without a successor or did not exist yet."""
        seen = set()
        current: int | None = agency_id
        while current is not None and current not in seen:
            seen.add(current)
            node = self.nodes[current]
            if node.ended_before(day):
                current = node.successor_id
                continue
            return None if node.started_after(day) else current
        return None

    def reporters(self, agency_id: int, day: datetime.date) -> list[int]:
        """The agencies that each report on a task given to `agency_id`, as of `day` (a group's
        members, recursively), in the order of their names."""
        found: dict[int, None] = {}
        self._collect(agency_id, day, found, set())
        return sorted(found, key=lambda i: self.nodes[i].name)

    def _collect(self, agency_id: int, day: datetime.date, found: dict[int, None], seen: set[int]) -> None:
        current = self.effective(agency_id, day)
        if current is None or current in seen:
            return
        seen.add(current)
        if self.nodes[current].is_group:
            for member in self.members.get(current, ()):
                self._collect(member, day, found, seen)
        else:
            found[current] = None

    def lineage(self, agency_ids: Iterable[int]) -> set[int]:
        """The agencies and every agency they succeeded, recursively: whose duties they carry on."""
        result: set[int] = set()
        stack = list(agency_ids)
        while stack:
            current = stack.pop()
            if current in result or current not in self.nodes:
                continue
            result.add(current)
            stack.extend(self.predecessors.get(current, ()))
        return result

    def scope(self, agency_ids: Iterable[int]) -> set[int]:
        """Every agency whose tasks concern these agencies: themselves, their predecessors, and the
        groups they (or their predecessors) belong to, with those groups' predecessors, recursively."""
        result: set[int] = set()
        stack = list(agency_ids)
        while stack:
            current = stack.pop()
            if current in result or current not in self.nodes:
                continue
            result.add(current)
            stack.extend(self.predecessors.get(current, ()))
            stack.extend(self.groups.get(current, ()))
        return result
