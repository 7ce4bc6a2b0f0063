"""The reinsurance registers' tables (projections.reinsurance writes them; projections.reinsurance_registers reads
them)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Date, Index, Integer, String, Table, Text

from projections.db import metadata
from projections.policies import ID, MONEY
from projections.versioned import versioned_table

reinsurance_treaties = versioned_table(
    "reinsurance_treaties",
    "treaty_id",
    Column("version", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("lines", JSON(none_as_null=True), nullable=False),
    Column("product_codes", JSON(none_as_null=True), nullable=False),
    Column("terms", JSON(none_as_null=True), nullable=False),  # amounts and percentages as strings
    Column("reinsurers", JSON(none_as_null=True), nullable=False),  # each {reinsurer, share_pct, received}
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date, nullable=False),
    Column("ended_on", Date, nullable=True),
    Column("end_reason", Text, nullable=True),
    Column("status", String(20), nullable=False),  # concluded | ended
    Column("concluded_on", Date, nullable=False),
    Column("concluded_by", ID, nullable=False),
    Column("received_total", MONEY, nullable=False),
    Column("last_event_on", Date, nullable=False),
)

policy_cessions = versioned_table(
    "policy_cessions",
    "policy_id",
    Column("policy_number", String(40), nullable=False),
    Column("product_code", String(50), nullable=False),
    Column("line", String(20), nullable=False),
    Column("policy_status", String(30), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("sum_insured", MONEY, nullable=False),
    Column("annual_premium", MONEY, nullable=False),
    Column("ceded_sum_insured", MONEY, nullable=False),  # by the proportional treaties
    Column("retained", MONEY, nullable=False),
    Column("beyond_capacity", MONEY, nullable=False),
    Column("treaties", JSON(none_as_null=True), nullable=False),  # each treaty's part and its reinsurers'
    Column("treaty_ids", Text, nullable=False),  # " id id … " (a filter by treaty)
    Column("premium_received", MONEY, nullable=False),
    Column("premium_ceded", JSON(none_as_null=True), nullable=False),  # "treaty|reinsurer" → ceded so far
    Column("premium_ceded_total", MONEY, nullable=False),
    Column("last_event_on", Date, nullable=False),
)

claim_recoveries = versioned_table(
    "claim_recoveries",
    "claim_id",
    Column("claim_number", String(40), nullable=False),
    Column("policy_id", String(36), nullable=False),
    Column("paid_total", MONEY, nullable=False),
    Column("owed", JSON(none_as_null=True), nullable=False),  # "treaty|reinsurer" → owed so far
    Column("owed_total", MONEY, nullable=False),
    Column("last_event_on", Date, nullable=False),
)

reinsurance_entries = Table(
    "reinsurance_entries",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("n", Integer, primary_key=True, autoincrement=False),
    Column("on", Date, nullable=False),
    Column("kind", String(20), nullable=False),  # premium | premium_ceded | claim | recovery | received
    Column("treaty_id", String(36), nullable=True),
    Column("reinsurer", String(200), nullable=True),
    Column("policy_id", String(36), nullable=True),
    Column("claim_id", String(36), nullable=True),
    Column("line", String(20), nullable=True),
    Column("product_code", String(50), nullable=True),
    Column("amount", MONEY, nullable=False),  # signed: a refund cedes back
)
Index("ix_reinsurance_entries_on", reinsurance_entries.c.on, reinsurance_entries.c.kind)
Index("ix_reinsurance_entries_treaty", reinsurance_entries.c.treaty_id, reinsurance_entries.c.position)
