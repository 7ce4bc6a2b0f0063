"""The product catalogue as a state machine (guide 3.2; domain.product.approval): new versions of a main product and a
rider drafted, revised with a definition that passes or fails the design check, checked, approved by their authors or
others, launched and withdrawn on days that mostly move on and sometimes go back. Invariants: a refused command
records nothing and every other one is accepted; each version's status and sale window are the model's; on any day
the catalogue sells the highest version on sale then; replaying the events gives the live statuses."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.errors import DomainError
from domain.product.approval import SHIPPED_ON, ProductCatalogue
from domain.product.catalogue import shipped_files

START = date(2026, 1, 1)
DAY = timedelta(days=1)
#: The files shipped: the rider attaches to term_life and critical_illness.
SHIPPED = (
    "term_life.v1.json",
    "critical_illness.v1.json",
    "critical_illness.v2.json",
    "accidental_death_rider.v1.json",
)
FILES = dict(shipped_files())
BASE = {
    json.loads(FILES[name])["code"]: FILES[name] for name in ("term_life.v1.json", "accidental_death_rider.v1.json")
}
CODES = tuple(BASE)
STAFF = ("pm-1", "pm-2", "pm-3")
OPEN = ("drafted", "check_failed", "checked")
#: Mostly the newest version of a code (0), sometimes an older one.
INDEX = st.integers(0, 3)


def definition(code: str, version: int, good: bool) -> str:
    """The shipped file of `code` numbered `version`; a bad one has a cooling-off too short for its long terms."""
    data: dict[str, Any] = json.loads(BASE[code])
    data["version"] = version
    if not good:
        data["cooling_off_days"] = 14
    return json.dumps(data, ensure_ascii=False)


@dataclass
class Model:
    status: str
    good: bool
    authors: set[str]
    last_on: date
    launches_on: date | None = None
    withdrawn_on: date | None = None


class CatalogueLifecycle(RuleBasedStateMachine):
    @initialize()
    def ship(self) -> None:
        self.day = START
        self.catalogue = ProductCatalogue.open(SHIPPED_ON)
        self.model: dict[tuple[str, int], Model] = {}
        for name in SHIPPED:
            assert self.catalogue.ship(name, FILES[name], SHIPPED_ON)
            data = json.loads(FILES[name])
            self.model[data["code"], data["version"]] = Model("launched", True, {"system"}, SHIPPED_ON, SHIPPED_ON)
        self.events: list[Any] = list(self.catalogue.collect_events())

    def attempt(self, accepted: bool, command: Any) -> bool:
        """Run the command; it is refused (recording nothing) exactly when the model says so."""
        version = self.catalogue.version
        try:
            command()
        except DomainError:
            assert self.catalogue.pending_events == [] and self.catalogue.version == version
            assert not accepted, "the model expected the command to be accepted"
            return False
        assert accepted, "the model expected a refusal"
        assert self.catalogue.version == version + 1
        self.events.extend(self.catalogue.collect_events())
        return True

    def pick(self, code: str, index: int) -> tuple[tuple[str, int], Model]:
        """The code's newest version (index 0) or an older one."""
        keys = sorted((k for k in self.model if k[0] == code), reverse=True)
        key = keys[index % len(keys)]
        return key, self.model[key]

    def dated(self, back: int) -> date:
        return self.day - back * DAY

    @rule(days=st.integers(0, 40))
    def time_passes(self, days: int) -> None:
        self.day += days * DAY

    @rule(code=st.sampled_from(CODES), step=st.integers(-1, 2), good=st.booleans(), staff=st.sampled_from(STAFF))
    def draft(self, code: str, step: int, good: bool, staff: str) -> None:
        version = max(v for c, v in self.model if c == code) + step
        text = definition(code, version, good)
        if self.attempt(step >= 1, lambda: self.catalogue.draft(text, staff, self.day)):
            self.model[code, version] = Model("drafted", good, {staff}, self.day)

    @rule(
        code=st.sampled_from(CODES),
        index=INDEX,
        good=st.booleans(),
        staff=st.sampled_from(STAFF),
        back=st.integers(0, 2),
        other=st.booleans(),
    )
    def revise(self, code: str, index: int, good: bool, staff: str, back: int, other: bool) -> None:
        (code, version), m = self.pick(code, index)
        on = self.dated(back)
        named = version + 1 if other else version  # another version's definition is refused
        text = definition(code, named, good)
        accepted = m.status in OPEN and on >= m.last_on and not other
        if self.attempt(accepted, lambda: self.catalogue.revise(code, version, text, staff, on)):
            m.status, m.good, m.last_on = "drafted", good, on
            m.authors.add(staff)

    @rule(code=st.sampled_from(CODES), index=INDEX, staff=st.sampled_from(STAFF), back=st.integers(0, 2))
    def check(self, code: str, index: int, staff: str, back: int) -> None:
        (code, version), m = self.pick(code, index)
        on = self.dated(back)
        found: list[dict[str, Any]] = []
        accepted = m.status in OPEN and on >= m.last_on
        if self.attempt(accepted, lambda: found.extend(self.catalogue.check(code, version, staff, on))):
            assert [f["field"] for f in found] == ([] if m.good else ["cooling_off_days"])
            m.status, m.last_on = ("checked" if m.good else "check_failed"), on

    @rule(code=st.sampled_from(CODES), index=INDEX, staff=st.sampled_from(STAFF), back=st.integers(0, 2))
    def approve(self, code: str, index: int, staff: str, back: int) -> None:
        (code, version), m = self.pick(code, index)
        on = self.dated(back)
        accepted = m.status == "checked" and on >= m.last_on and staff not in m.authors
        if self.attempt(accepted, lambda: self.catalogue.approve(code, version, staff, "", on)):
            m.status, m.last_on = "approved", on

    @rule(code=st.sampled_from(CODES), index=INDEX, offset=st.integers(-2, 30), back=st.integers(0, 2))
    def launch(self, code: str, index: int, offset: int, back: int) -> None:
        (code, version), m = self.pick(code, index)
        on = self.dated(back)
        first = on + offset * DAY
        accepted = m.status == "approved" and on >= m.last_on and first >= on
        if self.attempt(accepted, lambda: self.catalogue.launch(code, version, first, "pm-3", on)):
            m.status, m.last_on, m.launches_on = "launched", on, first

    @rule(code=st.sampled_from(CODES), index=INDEX, offset=st.integers(-2, 40), back=st.integers(0, 2))
    def withdraw(self, code: str, index: int, offset: int, back: int) -> None:
        (code, version), m = self.pick(code, index)
        on = self.dated(back)
        last = on + offset * DAY
        accepted = m.status == "launched" and on >= m.last_on and last >= max(on, m.launches_on or on)
        if self.attempt(accepted, lambda: self.catalogue.withdraw(code, version, last, "r", "pm-3", on)):
            m.status, m.last_on, m.withdrawn_on = "withdrawn", on, last

    @rule(code=st.sampled_from(CODES), wait=st.integers(0, 20), offset=st.integers(-2, 20))
    def advance(self, code: str, wait: int, offset: int) -> None:
        """Some days later, take the code's newest version one step on, as a product team would."""
        self.day += wait * DAY
        _, m = self.pick(code, 0)
        if m.status in ("drafted", "check_failed") and not m.good:
            self.revise(code, 0, True, "pm-1", 0, False)
        elif m.status == "drafted":
            self.check(code, 0, "pm-2", 0)
        elif m.status == "checked":
            self.approve(code, 0, min(set(STAFF) - m.authors, default="pm-4"), 0)
        elif m.status == "approved":
            self.launch(code, 0, offset, 0)
        elif m.status == "launched" and wait % 2:
            self.withdraw(code, 0, offset, 0)
        else:
            self.draft(code, 1, offset % 3 > 0, "pm-1")

    @invariant()
    def every_version_is_as_the_model_says(self) -> None:
        live = self.catalogue.versions
        assert set(live) == set(self.model)
        for key, m in self.model.items():
            state = live[key]
            assert (state.status, state.authors, state.last_on) == (m.status, m.authors, m.last_on)
            assert (state.launches_on, state.withdrawn_on) == (m.launches_on, m.withdrawn_on)

    @invariant()
    def the_catalogue_sells_the_highest_version_on_sale_that_day(self) -> None:
        on_sale = self.catalogue.catalogue()
        days = (SHIPPED_ON - DAY, SHIPPED_ON, self.day - 3 * DAY, self.day, self.day + 5 * DAY, self.day + 30 * DAY)
        for code in CODES:
            windows = {
                v: (m.launches_on, m.withdrawn_on)
                for (c, v), m in self.model.items()
                if c == code and m.launches_on is not None
            }
            assert set(on_sale.versions(code)) == set(windows)
            for day in days:
                selling = [v for v, (first, last) in windows.items() if first <= day and (last is None or day < last)]
                if selling:
                    assert on_sale.on_sale(code, None, day).version == max(selling)
                else:
                    try:
                        on_sale.on_sale(code, None, day)
                    except DomainError as refusal:
                        assert refusal.code == "product-not-on-sale"
                    else:
                        raise AssertionError(f"{code} is on sale on {day} with no version in its window")

    @invariant()
    def replaying_the_events_gives_the_live_statuses(self) -> None:
        replayed: ProductCatalogue = reduce(lambda catalogue, event: event.mutate(catalogue), self.events, None)
        assert replayed.version == self.catalogue.version
        statuses = {k: (s.status, s.launches_on, s.withdrawn_on) for k, s in replayed.versions.items()}
        assert statuses == {k: (s.status, s.launches_on, s.withdrawn_on) for k, s in self.catalogue.versions.items()}
        assert replayed.versions == self.catalogue.versions


TestCatalogueLifecycle = CatalogueLifecycle.TestCase
