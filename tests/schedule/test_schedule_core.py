"""Publish later, in core: scheduling on an injected clock, time zones across daylight-saving changes,
the policy checked again when a post falls due, missed posts never sent unasked, edit and cancel,
and a scheduled post reaching the Mastodon test server exactly once."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest

from desktop.core.drafts import DraftStore
from desktop.core.drafts.migrations import LATEST_VERSION
from desktop.core.policy import load_policy
from desktop.core.publishing.schedule import (
    DUE,
    HELD,
    MISSED,
    SENDING,
    WAITING,
    ScheduleError,
    describe,
    is_ambiguous,
    to_utc,
    zone_label,
)
from desktop.core.publishing.store import PublishStore
from tests.schedule.world import CLEAN, STATUSES, World

V7_DATABASE = Path(__file__).resolve().parents[1] / "data" / "drafts-v7.db"


# -- time zones --------------------------------------------------------------------------------------
def test_a_wall_time_becomes_the_utc_instant_of_its_zone_on_either_side_of_a_dst_change() -> None:
    # Paris moves from CET (UTC+1) to CEST (UTC+2) at 01:00 UTC on 29 March 2026
    before = to_utc(dt.datetime(2026, 3, 28, 9, 0), "Europe/Paris")
    after = to_utc(dt.datetime(2026, 3, 29, 9, 0), "Europe/Paris")
    assert dt.datetime.fromtimestamp(before, dt.UTC) == dt.datetime(2026, 3, 28, 8, 0, tzinfo=dt.UTC)
    assert dt.datetime.fromtimestamp(after, dt.UTC) == dt.datetime(2026, 3, 29, 7, 0, tzinfo=dt.UTC)
    assert after - before == 23 * 3600  # the night the clocks go forward is an hour short
    assert describe(before, "Europe/Paris") == "Sat 28 Mar 2026, 09:00 CET (UTC+01:00, Europe/Paris)"
    assert describe(after, "Europe/Paris") == "Sun 29 Mar 2026, 09:00 CEST (UTC+02:00, Europe/Paris)"
    # New York changed three weeks earlier: the same instant reads differently there
    assert describe(after, "America/New_York") == "Sun 29 Mar 2026, 03:00 EDT (UTC−04:00, America/New_York)"
    assert zone_label("Asia/Kolkata", after) == "Asia/Kolkata (IST, UTC+05:30)"
    assert zone_label("UTC", after) == "UTC"


def test_a_skipped_wall_time_is_refused_with_the_first_that_exists() -> None:
    with pytest.raises(ScheduleError) as refused:
        to_utc(dt.datetime(2026, 3, 29, 2, 30), "Europe/Paris")
    assert str(refused.value) == "02:30 does not exist on 29 Mar 2026 in Europe/Paris: the clocks go forward then."
    assert refused.value.advice == "Choose 03:00 or later."
    assert not is_ambiguous(dt.datetime(2026, 3, 29, 2, 30), "Europe/Paris")


def test_a_repeated_wall_time_means_the_first_of_the_two() -> None:
    local = dt.datetime(2026, 10, 25, 2, 30)  # Paris goes back from 03:00 CEST to 02:00 CET
    assert is_ambiguous(local, "Europe/Paris")
    assert not is_ambiguous(dt.datetime(2026, 10, 25, 3, 30), "Europe/Paris")
    at = to_utc(local, "Europe/Paris")
    assert dt.datetime.fromtimestamp(at, dt.UTC) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    assert describe(at, "Europe/Paris").endswith("02:30 CEST (UTC+02:00, Europe/Paris)")


def test_an_unknown_zone_is_a_clear_error() -> None:
    with pytest.raises(ScheduleError, match="does not know the time zone “Mars/Olympus”"):
        to_utc(dt.datetime(2026, 5, 1, 9, 0), "Mars/Olympus")


def test_a_post_scheduled_before_a_dst_change_goes_out_at_its_wall_time_after_it(world: World) -> None:
    paris = "Europe/Paris"
    world.clock.now = to_utc(dt.datetime(2026, 3, 27, 18, 0), paris)  # Friday, CET
    scheduler = world.scheduler()
    draft = world.drafts.create(CLEAN)
    at = to_utc(dt.datetime(2026, 3, 30, 9, 0), paris)  # Monday 09:00, CEST by then
    scheduler.schedule(draft.id, [world.account_id], CLEAN, at, paris)
    world.clock.now = to_utc(dt.datetime(2026, 3, 30, 8, 59), paris)
    assert scheduler.send_due() == [] and world.posted() == []
    world.clock.now = to_utc(dt.datetime(2026, 3, 30, 9, 0, 20), paris)
    [status] = scheduler.send_due()
    assert status.state == "sent" and world.posted() == [CLEAN]
    [entry_gone] = [p for p in world.service.store.history(draft.id)]
    assert entry_gone.sent_at == world.clock.now
    assert dt.datetime.fromtimestamp(world.clock.now, dt.UTC).hour == 7  # 09:00 CEST is 07:00 UTC


# -- scheduling, sending exactly once --------------------------------------------------------------------
def test_a_scheduled_post_waits_then_reaches_the_server_exactly_once(world: World) -> None:
    scheduler = world.scheduler()
    draft = world.drafts.create(CLEAN)
    post = scheduler.schedule(draft.id, [world.account_id], CLEAN, world.clock.now + 3600, "Europe/Berlin")
    assert post.state == WAITING and post.entry.time_zone == "Europe/Berlin"
    assert post.entry.scheduled_at == world.clock.now + 3600
    assert world.service.store.outbox() == []  # not a publish waiting for the network
    assert scheduler.next_due_at() == world.clock.now + 3600
    world.clock.advance(3599)
    assert scheduler.send_due() == []
    world.clock.advance(1)
    assert [p.state for p in scheduler.posts()] == [DUE]
    updates: list[str] = []
    statuses = scheduler.send_due(on_update=lambda s: updates.append(s.state))
    assert [s.state for s in statuses] == ["sent"] and updates == ["sending", "sent"]
    assert world.posted() == [CLEAN]
    assert statuses[0].post_url.startswith(world.server.url)
    assert scheduler.posts() == []  # sent: out of the outbox
    world.clock.advance(60)
    assert scheduler.send_due() == []
    assert len(world.server.requests_to(STATUSES, "POST")) == 1


def test_two_senders_at_once_send_a_due_post_once(world: World) -> None:
    first, second = world.scheduler(), world.scheduler()
    draft = world.drafts.create(CLEAN)
    first.schedule(draft.id, [world.account_id], CLEAN, world.clock.now + 120, "UTC")
    world.clock.advance(130)
    results: list[list[object]] = []
    barrier = threading.Barrier(2)

    def run(scheduler) -> None:
        barrier.wait()
        results.append(list(scheduler.send_due()))

    threads = [threading.Thread(target=run, args=(s,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(len(r) for r in results) == [0, 1]
    assert world.posted() == [CLEAN] and len(world.server.requests_to(STATUSES, "POST")) == 1


def test_the_post_goes_out_as_the_draft_reads_when_it_is_due(world: World) -> None:
    scheduler = world.scheduler()
    draft = world.drafts.create(CLEAN)
    scheduler.schedule(draft.id, [world.account_id], CLEAN, world.clock.now + 600, "UTC")
    polished = CLEAN + " 🎉"
    world.drafts.save_body(draft.id, polished)
    world.clock.advance(600)
    assert [s.state for s in scheduler.send_due()] == ["sent"]
    assert world.posted() == [polished]


def test_a_post_published_by_hand_before_its_time_is_not_sent_again(world: World) -> None:
    scheduler = world.scheduler()
    draft = world.drafts.create(CLEAN)
    scheduler.schedule(draft.id, [world.account_id], CLEAN, world.clock.now + 3600, "UTC")
    [now] = world.service.publish(draft.id, CLEAN, [world.account_id])  # the author pressed Publish after all
    assert now.state == "sent"
    world.clock.advance(3600)
    assert scheduler.send_due() == [] and scheduler.posts() == []
    assert world.posted() == [CLEAN] and len(world.server.requests_to(STATUSES, "POST")) == 1


def test_scheduling_refuses_a_past_time_a_too_near_time_and_a_blocked_post(world: World) -> None:
    scheduler = world.scheduler()
    draft = world.drafts.create(CLEAN)
    with pytest.raises(ScheduleError, match="has already passed"):
        scheduler.schedule(draft.id, [world.account_id], CLEAN, world.clock.now - 1, "UTC")
    with pytest.raises(ScheduleError, match="less than a minute from now"):
        scheduler.schedule(draft.id, [world.account_id], CLEAN, world.clock.now + 30, "UTC")
    world.policy["current"] = load_policy("acme-example")
    with pytest.raises(ScheduleError, match="cannot be scheduled: .*Confidential codename: Project Bluebird"):
        scheduler.schedule(draft.id, [world.account_id], CLEAN, world.clock.now + 3600, "UTC")
    assert scheduler.posts() == []


# -- the policy of the day ---------------------------------------------------------------------------------
def test_a_post_the_policy_of_the_day_blocks_is_held_with_the_reason_and_not_sent(world: World) -> None:
    scheduler = world.scheduler()
    draft = world.drafts.create(CLEAN)
    scheduler.schedule(draft.id, [world.account_id], CLEAN, world.clock.now + 86400, "UTC")  # fine today
    world.policy["current"] = load_policy("acme-example")  # tomorrow's policy forbids the codename
    world.clock.advance(86400)
    [status] = scheduler.send_due()
    assert status.state == "refused" and status.handle == "@alice@" + world.server.domain
    assert status.reason.startswith("Held, not sent: Publishing is refused: the policy blocks this post "
                                    "(Confidential codename: Project Bluebird).")
    assert world.server.requests_to(STATUSES, "POST") == [] and world.posted() == []
    [held] = scheduler.posts()
    assert held.state == HELD and held.entry.held == status.reason
    world.clock.advance(3600)
    assert scheduler.send_due() == []  # held: never retried on its own
    # the author fixes the draft and reschedules: the hold is lifted and the fixed text goes out
    world.drafts.save_body(draft.id, "Our demo went well today, thanks team!")
    moved = scheduler.reschedule(draft.id, world.clock.now + 120, "UTC")
    assert moved.state == WAITING and moved.entry.held == ""
    world.clock.advance(120)
    assert [s.state for s in scheduler.send_due()] == ["sent"]
    assert world.posted() == ["Our demo went well today, thanks team!"]


def test_a_draft_moved_to_the_bin_is_held_not_sent(world: World) -> None:
    scheduler = world.scheduler()
    draft = world.drafts.create(CLEAN)
    scheduler.schedule(draft.id, [world.account_id], CLEAN, world.clock.now + 300, "UTC")
    world.drafts.delete(draft.id)
    world.clock.advance(300)
    [status] = scheduler.send_due()
    assert status.state == "refused" and "moved to the bin" in status.reason
    assert world.posted() == []


# -- missed while closed -------------------------------------------------------------------------------------
def test_a_post_due_while_chorus_was_closed_is_missed_and_only_sent_when_asked(world: World) -> None:
    before = world.scheduler()
    draft = world.drafts.create(CLEAN)
    before.schedule(draft.id, [world.account_id], CLEAN, world.clock.now + 3600, "UTC")
    world.clock.advance(2 * 3600)  # Chorus was closed meanwhile; it starts again now
    after = world.scheduler()
    [missed] = after.missed()
    assert missed.state == MISSED and missed.draft_id == draft.id
    for _ in range(3):
        assert after.send_due() == []
        world.clock.advance(30)
    assert world.server.requests_to(STATUSES, "POST") == []
    assert after.pending() == []  # nothing for the tray to keep Chorus running for
    # Send now (the person said so): checked against today's policy, sent once
    [status] = after.send_now(draft.id)
    assert status.state == "sent" and world.posted() == [CLEAN]
    assert after.posts() == [] and after.send_due() == []


def test_missed_by_a_few_seconds_at_start_is_still_missed(world: World) -> None:
    draft = world.drafts.create(CLEAN)
    world.scheduler().schedule(draft.id, [world.account_id], CLEAN, world.clock.now + 600, "UTC")
    world.clock.advance(605)
    assert [p.state for p in world.scheduler(started_at=world.clock.now).posts()] == [MISSED]


def test_a_computer_asleep_past_the_time_counts_as_missed(world: World) -> None:
    scheduler = world.scheduler()  # running all along, but the computer slept
    draft = world.drafts.create(CLEAN)
    scheduler.schedule(draft.id, [world.account_id], CLEAN, world.clock.now + 600, "UTC")
    world.clock.advance(600 + scheduler.late_after_s + 1)
    assert [p.state for p in scheduler.posts()] == [MISSED]
    assert scheduler.send_due() == [] and world.posted() == []


def test_keep_as_draft_and_reschedule_of_a_missed_post(world: World) -> None:
    draft, other = world.drafts.create(CLEAN), world.drafts.create("Second post, also fine.")
    first = world.scheduler()
    first.schedule(draft.id, [world.account_id], CLEAN, world.clock.now + 600, "UTC")
    first.schedule(other.id, [world.account_id], other.body, world.clock.now + 700, "UTC")
    world.clock.advance(3600)
    again = world.scheduler()
    assert [p.draft_id for p in again.missed()] == [draft.id, other.id]
    assert again.cancel(draft.id)  # Keep as draft
    assert world.drafts.get(draft.id) is not None and not again.cancel(draft.id)
    again.reschedule(other.id, world.clock.now + 900, "America/New_York")
    assert [(p.draft_id, p.state, p.entry.time_zone) for p in again.posts()] == [
        (other.id, WAITING, "America/New_York")]
    world.clock.advance(900)
    assert [s.state for s in again.send_due()] == ["sent"] and world.posted() == ["Second post, also fine."]


# -- edit and cancel ------------------------------------------------------------------------------------------
def test_edit_the_time_and_cancel(world: World) -> None:
    scheduler = world.scheduler()
    draft = world.drafts.create(CLEAN)
    scheduler.schedule(draft.id, [world.account_id], CLEAN, world.clock.now + 600, "UTC")
    scheduler.reschedule(draft.id, world.clock.now + 7200, "Asia/Tokyo")
    world.clock.advance(3600)
    assert scheduler.send_due() == [] and [p.state for p in scheduler.posts()] == [WAITING]
    assert scheduler.posts()[0].when.endswith("JST (UTC+09:00, Asia/Tokyo)")
    with pytest.raises(ScheduleError, match="has already passed"):
        scheduler.reschedule(draft.id, world.clock.now - 60, "UTC")
    assert scheduler.cancel(draft.id)
    world.clock.advance(7200)
    assert scheduler.send_due() == [] and world.posted() == []
    assert world.drafts.get(draft.id).body == CLEAN  # the draft stays
    with pytest.raises(ScheduleError, match="no longer scheduled"):
        scheduler.reschedule(draft.id, world.clock.now + 600, "UTC")


def test_a_claimed_post_shows_as_sending(world: World) -> None:
    scheduler = world.scheduler()
    draft = world.drafts.create(CLEAN)
    entry = scheduler.schedule(draft.id, [world.account_id], CLEAN, world.clock.now + 120, "UTC").entry
    world.clock.advance(120)
    assert world.service.store.claim_outbox_entry(entry.id, now=world.clock.now, until=world.clock.now + 900)
    assert [p.state for p in scheduler.posts()] == [SENDING]
    assert scheduler.send_due() == []


def test_publishing_offline_turns_a_schedule_into_a_plain_outbox_entry(world: World) -> None:
    scheduler = world.scheduler()
    draft = world.drafts.create(CLEAN)
    scheduler.schedule(draft.id, [world.account_id], CLEAN, world.clock.now + 600, "UTC")
    world.service.store.enqueue(draft.id, [world.account_id], CLEAN)  # what publish() does when offline
    assert scheduler.posts() == []
    [queued] = world.service.store.outbox()
    assert queued.scheduled_at is None and queued.time_zone == "" and queued.held == ""


# -- the database from before scheduled posts ---------------------------------------------------------------
def test_a_version_7_database_is_upgraded_and_keeps_its_outbox(tmp_path: Path) -> None:
    assert LATEST_VERSION >= 8
    path = tmp_path / "drafts.db"
    path.write_bytes(V7_DATABASE.read_bytes())
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 7
    store = DraftStore.open(path)
    try:
        assert store.schema_version() == LATEST_VERSION
        assert (tmp_path / "drafts.db.bak-v7").exists()
        publications = PublishStore(store)
        [queued] = publications.outbox()
        assert queued.text == "Release notes are up: the new export button is live for everyone #release"
        assert queued.account_ids == ("acct-bsky",) and queued.scheduled_at is None and queued.held == ""
        assert publications.scheduled() == []
        draft = store.create("Scheduled after the upgrade")
        entry = publications.schedule(draft.id, ["acct-bsky"], draft.body, 1_800_000_000.0, "Europe/Paris")
        assert (entry.scheduled_at, entry.time_zone) == (1_800_000_000.0, "Europe/Paris")
        assert [e.draft_id for e in publications.scheduled()] == [draft.id]
        assert [e.draft_id for e in publications.outbox()] == [queued.draft_id]
    finally:
        store.close()
