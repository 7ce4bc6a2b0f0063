"""A deadline ending on a public holiday moves to the next working day, and says why, through HTTP (SPEC §2
"Counting days", Civil Code Art. 203), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from interface.scheduler import tick
from tests.builders.complaints_http import receive
from tests.builders.desk import Desk
from tests.builders.http import auth


def test_a_complaint_deadline_on_national_day_moves_to_the_next_working_day_and_says_why(desk: Desk) -> None:
    # received 2025-09-19: 15 days end on 2025-10-04, in the National Day holiday (10-01 … 10-08)
    cid = receive(desk, date(2025, 9, 19))
    position = desk.services.read_side.head()

    row = desk.client.get(f"/api/v1/complaints/{cid}?after={position}&today=2025-10-08", headers=auth()).json()

    assert row["deadline_on"] == "2025-10-09"
    assert row["deadline_moved_because"] == (
        "2025-10-04 is a public holiday (National Day and Mid-Autumn Festival); moved to 2025-10-09"
    )
    assert (row["overdue"], row["remaining_days"], row["calendar_warning"]) == (False, 1, None)

    # the last day (10-09) is not late; the day after is
    desk.today(date(2025, 10, 9))
    on_last_day = tick(desk.services, date(2025, 10, 9))
    desk.today(date(2025, 10, 10))
    day_after = tick(desk.services, date(2025, 10, 10))
    position = desk.services.read_side.head()
    flagged = desk.client.get(
        f"/api/v1/complaints?overdue=true&today=2025-10-10&after={position}", headers=auth()
    ).json()

    assert (on_last_day.changed, day_after.changed) == (0, 1)
    assert [c["complaint_id"] for c in flagged["items"]] == [cid]
    assert flagged["items"][0]["breached_on"] == "2025-10-10"
