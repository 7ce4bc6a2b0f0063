"""Reading unmasked personal data is itself recorded (SPEC §9, PIPL): one aggregate per disclosure.

A disclosure is a fact of its own, not a change to the customer: recording it on the customer would
bump the customer's version and make every reader a writer that others' `If-Match` must race. One new
aggregate per read never conflicts, and its single event lands in the audit log and the hash chain with
the reader's actor, role and reason, like every other event.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from domain.base import InscribeAggregate
from domain.errors import InvalidValue
from domain.personal_access import events as ev

VIEWS = ("customers", "customer", "customer-history", "complaints", "complaint")


class PersonalDataAccess(InscribeAggregate):
    """Who saw whose personal data unmasked (a customer's id, or an outside complainant's complaint id), in which view (the reason is in the metadata)."""

    TOPIC = "inscribe.personal_access.PersonalDataAccess"

    Event = ev.Event
    Created = ev.Created
    Disclosed = ev.Disclosed

    def __init__(self) -> None:
        self.subject_ids: list[str] = []
        self.view = ""

    @classmethod
    def disclose(cls, subject_ids: list[str], view: str, access_id: UUID | None = None) -> PersonalDataAccess:
        if view not in VIEWS:
            raise InvalidValue("view", f"one of {', '.join(VIEWS)}")
        if not subject_ids:
            raise InvalidValue("subject_ids", "name at least one data subject")
        return cls._create(cls.Disclosed, id=access_id or uuid4(), subject_ids=sorted(set(subject_ids)), view=view)
