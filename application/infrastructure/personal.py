"""Personal fields in events, sealed with their subject's key before the event is stored (SPEC §9, PIPL).

`PersonalDataMapper` is the library's `Mapper` with one step more on each side. Writing an event
named in `PERSONAL`, it takes the listed fields out of the event's state and stores them as one
envelope, `_personal: {subject, fields, sealed}`, sealed with the subject's own AES key
(application.infrastructure.keys); everything else is stored as before. Reading, it opens the envelope with that key
and puts the fields back. Once the key is shredded each field reads as its placeholder (`ERASED`, None
for a date, {} for contacts), so aggregates, history, registers, rebuilt projections and exports all
keep working and none of them can show the data again. The stored bytes never change: the hash chain
over them still verifies.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent

from application.infrastructure.keys import KeyRing
from domain.complaint.aggregate import Complaint
from domain.customer.aggregate import ERASED, Customer
from domain.policy.aggregate import Policy

log = logging.getLogger(__name__)

ENVELOPE = "_personal"
#: The subject named by an event's sealed fields, as it stands in the stored JSON (PersonalDataMapper.prefetch).
SUBJECT = re.compile(rb'"_personal":\s*\{[^{}]*?"subject":\s*"([^"\\]+)"')


@dataclass(frozen=True)
class PersonalFields:
    """Which fields of an event are personal, whose they are, and what they read as once erased.

    A path is dot-separated keys into the event's state (`changes.name`); a missing one is skipped.
    """

    subject: Callable[[dict[str, Any]], str]
    paths: dict[str, Any]  # path → placeholder


def _originator(state: dict[str, Any]) -> str:
    return str(state["originator_id"])


def _complainant(state: dict[str, Any]) -> str:
    # A customer's complaint is theirs; an outsider's has a key of its own (the complaint's id).
    return str((state.get("complainant") or {}).get("customer_id") or state["originator_id"])


def policy_subject(policy_id: object) -> str:
    """A policy's beneficiaries and contacts have the policy's own key, shredded with its applicant's."""
    return f"policy:{policy_id}"


def _policy(state: dict[str, Any]) -> str:
    return policy_subject(state["originator_id"])


PERSONAL: dict[type, PersonalFields] = {
    Customer.IndividualRegistered: PersonalFields(
        # Gender and birth date are derived from the ID number: sealed with it, erased with it.
        _originator,
        {"name": ERASED, "id_number": ERASED, "birth_date": None, "gender": None, "contacts": {}},
    ),
    Customer.EnterpriseRegistered: PersonalFields(
        _originator, {"name": ERASED, "credit_code": ERASED, "contact_person": ERASED, "contacts": {}}
    ),
    Customer.ContactsChanged: PersonalFields(_originator, {"contacts": {}}),
    Customer.ProfileUpdated: PersonalFields(_originator, {"changes.name": ERASED, "changes.contact_person": ERASED}),
    # Free text about a person is theirs too: what was said in an interaction, a survey, a complaint.
    Customer.InteractionRecorded: PersonalFields(_originator, {"summary": ERASED}),
    Customer.SatisfactionSurveyed: PersonalFields(_originator, {"comment": ERASED}),
    Complaint.Received: PersonalFields(
        _complainant, {"complainant.name": ERASED, "complainant.contact": ERASED, "content": ERASED}
    ),
    Policy.Applied: PersonalFields(_policy, {"beneficiaries": []}),
    Policy.Issued: PersonalFields(_policy, {"contract.a_parties.beneficiaries": []}),
    Policy.PolicyChanged: PersonalFields(_policy, {"details.beneficiaries": [], "details.contacts": {}}),
    # What an examination is to establish and what it found: the insured's health, the holder's premises.
    Policy.ExaminationOrdered: PersonalFields(_policy, {"reason": ERASED}),
    Policy.ExaminationReported: PersonalFields(_policy, {"summary": ERASED}),
    # A policy's state at a version (application.loading) holds what those events set, sealed as theirs are; once
    # the key is shredded the snapshot is not used (application.loading.usable_snapshot): the events are read.
    Policy.Snapshot: PersonalFields(
        _policy,
        {
            "state.beneficiaries": [],
            "state.contacts": {},
            "state.contract.a_parties.beneficiaries": [],
            "state.examinations": [],
        },
    ),
}


def _parent(state: dict[str, Any], path: str) -> tuple[dict[str, Any] | None, str]:
    *parents, last = path.split(".")
    node: Any = state
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    return (node if isinstance(node, dict) else None), last


class PersonalDataMapper(Mapper[UUID]):
    """The library's mapper, sealing each event's personal fields with its subject's key."""

    keys: KeyRing | None = None  # set by the application once its recorder exists

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        rule = PERSONAL.get(type(domain_event))
        if rule is None:
            return super().to_stored_event(domain_event)
        state = _copy_paths(dict(vars(domain_event)), rule.paths)
        taken: dict[str, Any] = {}
        for path in rule.paths:
            parent, last = _parent(state, path)
            if parent is not None and last in parent:
                taken[path] = parent.pop(last)
        if taken:
            subject = rule.subject(state)
            cipher = self._keys().cipher_to_write(subject)
            sealed = cipher.encrypt(self.transcoder.encode(taken))
            state[ENVELOPE] = {"subject": subject, "fields": sorted(taken), "sealed": base64.b64encode(sealed).decode()}
        sealed_event = object.__new__(type(domain_event))
        object.__setattr__(sealed_event, "__dict__", state)
        return super().to_stored_event(sealed_event)

    def prefetch(self, stored_events: Iterable[StoredEvent]) -> None:
        """Read at once the keys the sealed fields of these events need (KeyRing.prefetch): decoding a batch
        then asks the database once. Only a shortcut: a key it misses, or cannot read, is read (or fails)
        when its event is decoded, as without it."""
        if self.keys is None:
            return
        subjects = {m.group(1).decode() for e in stored_events for m in SUBJECT.finditer(e.state)}
        try:
            self.keys.prefetch(subjects)
        except Exception:
            log.debug("prefetching %d keys failed; each is read with its event", len(subjects), exc_info=True)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        event = super().to_domain_event(stored_event)
        state = vars(event)
        envelope = state.pop(ENVELOPE, None)
        if envelope is not None:
            cipher = self._keys().cipher(envelope["subject"])
            if cipher is not None:
                opened = self.transcoder.decode(cipher.decrypt(base64.b64decode(envelope["sealed"])))
            else:
                rule = PERSONAL.get(type(event))
                opened = {path: _placeholder(rule, path) for path in envelope["fields"]}
            for path, value in opened.items():
                parent, last = _parent(state, path)
                if parent is not None:
                    parent[last] = value
        if isinstance(event, Customer.PersonalDataErased) and self.keys is not None:
            self.keys.forget(str(event.originator_id))  # this process may still hold the key
        return event

    def to_sealed_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        """The event without its sealed personal fields (absent, their seal unopened): for a reader that
        never shows them, no key is read and nothing is deciphered."""
        event = super().to_domain_event(stored_event)
        vars(event).pop(ENVELOPE, None)
        if isinstance(event, Customer.PersonalDataErased) and self.keys is not None:
            self.keys.forget(str(event.originator_id))
        return event

    def _keys(self) -> KeyRing:
        if self.keys is None:
            raise RuntimeError("personal data cannot be mapped before the application sets the key ring")
        return self.keys


def _copy_paths(state: dict[str, Any], paths: dict[str, Any]) -> dict[str, Any]:
    """Copy the dicts on the way to each path, so popping a field leaves the live event alone."""
    for path in paths:
        node = state
        for part in path.split(".")[:-1]:
            if not isinstance(node.get(part), dict):
                break
            node[part] = dict(node[part])
            node = node[part]
    return state


def _placeholder(rule: PersonalFields | None, path: str) -> Any:
    value = rule.paths.get(path, ERASED) if rule is not None else ERASED
    return dict(value) if isinstance(value, dict) else list(value) if isinstance(value, list) else value
