"""Publish later: posts scheduled for a time, which wait in the outbox and go out while Chorus runs.

    scheduler = Scheduler(publisher)                       # publisher: a PublishService
    at = to_utc(datetime(2026, 3, 29, 9, 0), "Europe/Paris")
    scheduler.schedule(draft_id, account_ids, text, at, "Europe/Paris")
    scheduler.send_due(on_update=...)                      # from a worker, every few seconds (ui timer)
    scheduler.missed()                                     # at start: ask, never send on one's own

Rules kept here, whatever the front end:
- times are chosen on the wall clock of an IANA time zone (:mod:`zoneinfo`) and stored as a UTC
  instant plus that zone, so a change of daylight saving time between scheduling and sending moves
  nothing; a wall time that does not exist (the hour skipped when clocks go forward) is refused with
  the nearest valid time, and one that happens twice (clocks go back) means the first of the two;
- a post is checked against the policy when it is scheduled *and again when it falls due*, against
  the policy in force that day (``PublishService.refusal``): one that is refused then is *held* (not
  sent, not retried on its own), with the reason, until the author edits, reschedules or cancels it;
- the post goes out as its draft reads at that moment (the author may polish it after scheduling),
  with the draft's images; a draft moved to the bin is held, never sent;
- a post whose time passed while Chorus was not running (closed, or the computer asleep for longer
  than ``late_after_s``) is *missed*: never sent without asking (:meth:`Scheduler.missed`, and
  :meth:`Scheduler.send_now` once the person says so);
- exactly once: each due post is claimed in the outbox first (``PublishStore.claim_outbox_entry``:
  of two senders on one profile exactly one sends it), and publishing itself is idempotent per
  draft, account and text (``PublishService``); a post that finds the network gone stays in the
  outbox as an ordinary queued publish.

The clock is injected (``Scheduler.clock``, default :func:`time.time`), so tests move time instead
of waiting for it.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desktop.core.errors import ChorusError
from desktop.core.publishing.store import OutboxEntry, PublishStore

if TYPE_CHECKING:
    from desktop.core.media import Attachment
    from desktop.core.publishing.service import PublishService, TargetStatus

log = logging.getLogger(__name__)

WAITING, DUE, SENDING, MISSED, HELD = "waiting", "due", "sending", "missed", "held"
MIN_LEAD_S = 60.0  # a post is scheduled at least this far ahead (sooner: publish it now)
LATE_AFTER_S = 10 * 60.0  # later than this past its time (the computer slept): missed, ask first
_EVER = 1e18  # "due whatever its time": claims a missed or held post that the person chose to send


class ScheduleError(ChorusError):
    """A time that cannot be scheduled (passed, does not exist in its zone, unknown zone, refused now)."""


def zone(name: str) -> ZoneInfo:
    """The IANA time zone *name* ("Europe/Paris"); ScheduleError if this system does not know it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"Chorus does not know the time zone “{name}”.",
                            "Choose another time zone in Settings → Publishing, or leave it empty to use "
                            "this computer's.") from exc


def to_utc(local: dt.datetime, zone_name: str) -> float:
    """The UTC instant (Unix seconds) of the wall time *local* (naive) in *zone_name*.

    A wall time skipped by a daylight-saving change does not exist: ScheduleError names the first
    valid time after it. A wall time that happens twice means the first of the two (``fold=0``)."""
    tz = zone(zone_name)
    naive = local.replace(tzinfo=None, fold=0)
    first = naive.replace(tzinfo=tz)
    instant = first.timestamp()
    back = dt.datetime.fromtimestamp(instant, tz).replace(tzinfo=None)
    if back != naive:  # a gap: zoneinfo maps it with the offset before the change; it is not a real time
        after = naive.replace(second=0, microsecond=0)
        while dt.datetime.fromtimestamp(after.replace(tzinfo=tz).timestamp(), tz).replace(tzinfo=None) != after:
            after += dt.timedelta(minutes=1)  # gaps are an hour or so: the first wall time that exists
        raise ScheduleError(
            f"{naive:%H:%M} does not exist on {_date(naive)} in {zone_name}: the clocks go forward then.",
            f"Choose {after:%H:%M} or later.")
    return instant


def is_ambiguous(local: dt.datetime, zone_name: str) -> bool:
    """Whether the wall time *local* happens twice in *zone_name* (the hour repeated when clocks go back)."""
    tz = zone(zone_name)
    naive = local.replace(tzinfo=None)
    return naive.replace(tzinfo=tz, fold=0).utcoffset() != naive.replace(tzinfo=tz, fold=1).utcoffset() and \
        dt.datetime.fromtimestamp(naive.replace(tzinfo=tz, fold=0).timestamp(), tz).replace(tzinfo=None) == naive


def local_time(at: float, zone_name: str) -> dt.datetime:
    """The aware wall time of the UTC instant *at* in *zone_name*."""
    return dt.datetime.fromtimestamp(at, zone(zone_name))


def offset_text(moment: dt.datetime) -> str:
    """"UTC+02:00", "UTC−03:30", "UTC" for an aware datetime."""
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def zone_label(zone_name: str, at: float) -> str:
    """The zone as shown beside a time: "Europe/Paris (CEST, UTC+02:00)", its abbreviation and
    offset as they are at *at* (they change with daylight saving time)."""
    moment = local_time(at, zone_name)
    abbreviation = moment.tzname() or ""
    offset = offset_text(moment)
    shown = ", ".join(dict.fromkeys(part for part in (abbreviation, offset) if part and part != zone_name))
    return f"{zone_name} ({shown})" if shown else zone_name


def describe(at: float, zone_name: str) -> str:
    """"Sun 29 Mar 2026, 09:00 CEST (UTC+02:00, Europe/Paris)": the time in the zone it was chosen in."""
    moment = local_time(at, zone_name)
    abbreviation = moment.tzname() or ""
    details = ", ".join(dict.fromkeys(p for p in (offset_text(moment), zone_name) if p and p != abbreviation))
    return f"{moment:%a} {_date(moment)}, {moment:%H:%M} {abbreviation} ({details})".replace("  ", " ")


def _date(moment: dt.datetime) -> str:
    return f"{moment.day} {moment:%b %Y}"


@dataclass(frozen=True)
class ScheduledPost:
    """A scheduled post as the Scheduled view shows it: its outbox entry and where it stands now."""

    entry: OutboxEntry
    state: str  # waiting | due | sending | missed | held

    @property
    def draft_id(self) -> str:
        return self.entry.draft_id

    @property
    def at(self) -> float:
        assert self.entry.scheduled_at is not None
        return self.entry.scheduled_at

    @property
    def when(self) -> str:
        return describe(self.at, self.entry.time_zone or "UTC")


@dataclass
class Scheduler:
    """Scheduled posts of one profile: schedule, edit, cancel, send when due. See the module docstring.

    *started_at* is when this run of Chorus began (default: the clock when the scheduler is built):
    a post due before it was due while Chorus was not running, so it is missed, not sent."""

    publisher: PublishService
    clock: Callable[[], float] = time.time
    late_after_s: float = LATE_AFTER_S
    min_lead_s: float = MIN_LEAD_S
    started_at: float = field(default=-1.0)

    def __post_init__(self) -> None:
        if self.started_at < 0:
            self.started_at = self.clock()

    @property
    def store(self) -> PublishStore:
        return self.publisher.store

    # -- the author's side ---------------------------------------------------------------------------
    def schedule(self, draft_id: str, account_ids: Sequence[str], text: str, at: float, time_zone: str) -> ScheduledPost:
        """Schedule *text* of the draft for the instant *at* (UTC seconds), chosen in *time_zone*.
        Checked now against the policy in force (and again when it falls due): ScheduleError says why
        it cannot be scheduled. Replaces the draft's earlier schedule, if any."""
        zone(time_zone)
        self._check_time(at, time_zone)
        refusal = self.publisher.refusal(text, account_ids, images=self._images(draft_id), draft_id=draft_id)
        if refusal is not None:
            raise ScheduleError(f"This post cannot be scheduled: {refusal.reason}")
        entry = self.store.schedule(draft_id, account_ids, text, at, time_zone)
        log.info("draft %s scheduled for %s", draft_id, describe(at, time_zone))
        return self._post(entry, self.clock())

    def reschedule(self, draft_id: str, at: float, time_zone: str) -> ScheduledPost:
        """Move the draft's scheduled post (a waiting, missed or held one) to *at*; a hold is lifted,
        and the post is checked against the policy again when it falls due."""
        entry = self.store.outbox_entry(draft_id)
        if entry is None or entry.scheduled_at is None:
            raise ScheduleError("This post is no longer scheduled.", "It was sent or cancelled meanwhile.")
        zone(time_zone)
        self._check_time(at, time_zone)
        draft = self.store.database.get(draft_id)
        text = draft.body if draft is not None else entry.text
        moved = self.store.schedule(draft_id, entry.account_ids, text, at, time_zone)
        return self._post(moved, self.clock())

    def cancel(self, draft_id: str) -> bool:
        """Unschedule the draft's post; the draft stays. False if it was not scheduled (sent meanwhile)."""
        return self.store.cancel_schedule(draft_id)

    def _check_time(self, at: float, time_zone: str) -> None:
        now = self.clock()
        if at < now + self.min_lead_s:
            if at <= now:
                raise ScheduleError(f"{describe(at, time_zone)} has already passed.",
                                    "Choose a later time, or publish the post now.")
            raise ScheduleError(f"{describe(at, time_zone)} is less than a minute from now.",
                                "Choose a later time, or publish the post now.")

    # -- reading -------------------------------------------------------------------------------------
    def posts(self) -> list[ScheduledPost]:
        """Every scheduled post with where it stands, soonest first (reads the database: a worker)."""
        now = self.clock()
        return [self._post(entry, now) for entry in self.store.scheduled()]

    def missed(self) -> list[ScheduledPost]:
        """Posts whose time passed while Chorus was not running: to be asked about, never sent unasked."""
        return [post for post in self.posts() if post.state == MISSED]

    def pending(self) -> list[ScheduledPost]:
        """Posts still to go out while Chorus runs (waiting or due): what keeping Chorus running is for."""
        return [post for post in self.posts() if post.state in (WAITING, DUE)]

    def next_due_at(self) -> float | None:
        """When the next waiting post falls due (to time the next look), or None."""
        times = [post.at for post in self.posts() if post.state == WAITING]
        return min(times) if times else None

    def _post(self, entry: OutboxEntry, now: float) -> ScheduledPost:
        return ScheduledPost(entry, self._state(entry, now))

    def _state(self, entry: OutboxEntry, now: float) -> str:
        at = entry.scheduled_at
        assert at is not None
        if entry.held:
            return HELD
        if at > now:
            return WAITING
        if entry.next_attempt_at > now:  # claimed by a sender
            return SENDING
        if at < self.started_at or now - at > self.late_after_s:
            return MISSED
        return DUE

    # -- sending -------------------------------------------------------------------------------------
    def send_due(self, on_update: Callable[[TargetStatus], None] = lambda status: None) -> list[TargetStatus]:
        """Send every post that is due now (not the missed or held ones), each checked against the
        policy in force now. Blocks until they are sent: call from a worker."""
        statuses: list[TargetStatus] = []
        for post in self.posts():
            if post.state == DUE:
                statuses += self._send(post.entry, self.clock(), on_update)
        return statuses

    def send_now(self, draft_id: str,
                 on_update: Callable[[TargetStatus], None] = lambda status: None) -> list[TargetStatus]:
        """Send the draft's scheduled post now, whatever its time: the person chose Send now (a missed
        or held post, or one from the Scheduled view). Still checked against today's policy."""
        entry = self.store.outbox_entry(draft_id)
        if entry is None or entry.scheduled_at is None:
            raise ScheduleError("This post is no longer scheduled.", "It was sent or cancelled meanwhile.")
        return self._send(entry, _EVER, on_update)

    def _send(self, entry: OutboxEntry, claim_as_of: float,
              on_update: Callable[[TargetStatus], None]) -> list[TargetStatus]:
        store, publisher = self.store, self.publisher
        claimed_until = self.clock() + publisher.outbox_claim_s
        if not store.claim_outbox_entry(entry.id, now=claim_as_of, until=claimed_until):
            log.info("the scheduled post of draft %s is being sent by another sender: skipped", entry.draft_id)
            return []
        draft = store.database.get(entry.draft_id)
        images = self._images(entry.draft_id)
        if draft is None:
            reason = "The draft was moved to the bin, so its scheduled post was not sent."
        else:
            refusal = publisher.refusal(draft.body, entry.account_ids, images=images, draft_id=entry.draft_id)
            reason = f"Held, not sent: {refusal.reason}" if refusal is not None else ""
        if reason:
            store.hold(entry.id, reason)
            log.info("the scheduled post of draft %s is held: %s", entry.draft_id, reason)
            statuses = [self._refused(entry.draft_id, account_id, reason) for account_id in entry.account_ids]
            for status in statuses:
                on_update(status)
            return statuses
        assert draft is not None
        if self._already_published(entry, draft.body):  # published by hand before its time: nothing left to do
            log.info("the scheduled post of draft %s was already published to every account: unscheduled",
                     entry.draft_id)
            store.release_outbox_entry(entry.id, claimed_until)
            return []
        log.info("sending the scheduled post of draft %s", entry.draft_id)
        statuses = publisher.publish(entry.draft_id, draft.body, entry.account_ids, on_update=on_update, images=images)
        # Done, unless publishing queued it again (the network is gone: now an ordinary outbox entry)
        # or the author rescheduled it meanwhile.
        store.release_outbox_entry(entry.id, claimed_until)
        return statuses

    def _already_published(self, entry: OutboxEntry, text: str) -> bool:
        from desktop.core.publishing.service import idempotency_key

        for account_id in entry.account_ids:
            publication = self.store.publication(idempotency_key(entry.draft_id, account_id, text))
            if publication is None or publication.status != "sent":
                return False
        return True

    def _refused(self, draft_id: str, account_id: str, reason: str) -> TargetStatus:
        from desktop.core.publishing.service import REFUSED, TargetStatus

        record = self.publisher.accounts.store.get_account(account_id)
        network, handle = (record.account.network, record.account.handle) if record is not None else ("", "")
        return TargetStatus(draft_id, account_id, network, handle, REFUSED, reason=reason)

    def _images(self, draft_id: str) -> Sequence[Attachment]:
        images = self.publisher.draft_images
        return tuple(images(draft_id)) if images is not None else ()
