"""The service request's reference values (SPEC §8; guide 8.1): kinds, channels and statuses."""

from __future__ import annotations

#: 8.1.1: consultation (2), contract change and termination (3), renewal (4), claims (1).
KINDS = ("consultation", "contract_change", "renewal_help", "claim_help", "other")
POLICY_KINDS = ("contract_change", "renewal_help")  # these name the policy they are about
CHANNELS = ("phone", "online", "app", "counter", "visit", "letter")
TERMINAL = ("completed", "cancelled")
STATUSES = ("opened", "assigned", "in_progress", *TERMINAL)
