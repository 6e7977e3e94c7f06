"""Every event of the trail appends its record where it happens: a real publish through PublishService to a
Mastodon test server on 127.0.0.1 (a single post, a post with an image, a thread, a scheduled post), a
warning acknowledged with a reason, the policy acknowledged and a quiz taken."""

from __future__ import annotations

import hashlib

from desktop.core.audit import AuditTrail
from desktop.core.drafts import DraftStore
from desktop.core.drafts.acknowledgements import Acknowledgement
from desktop.core.media import Attachment
from desktop.core.policy import load_policy
from desktop.core.publishing.thread import publish_thread
from desktop.core.threads import split
from desktop.core.training import TrainingRecords, build_quiz, summarise
from tests.media.images import screenshot_png
from tests.schedule.world import CLEAN, World

LONG = " ".join([
    "We moved the build farm to the new data centre this week, and most teams did not notice a thing.",
    "Builds that took forty minutes now take twelve, mostly because the caches finally stay warm.",
    "The flaky integration suite turned out to be a clock problem on two of the old machines.",
    "Thanks to the platform team for the careful plan, the dry runs and the weekend they gave up.",
    "If your pipeline still points at the old runners, switch the label to the new pool today.",
    "We wrote down everything we learned in the migration notes on the engineering wiki.",
    "Next up is moving the artefact storage, which should be even less exciting than this.",
])


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_a_real_publish_appends_one_publish_record_with_the_post_and_the_policy(world: World) -> None:
    trail = AuditTrail.of(world.drafts)
    draft = world.drafts.create(CLEAN)
    ack = world.drafts.save_acknowledgement(Acknowledgement(draft.id, "forecast", "went well", 0, "default@x",
                                                            "acknowledged", "It is a fact, not a forecast"))
    before = len(trail.records())
    [status] = world.service.publish(draft.id, CLEAN, [world.account_id], acknowledged=[ack])
    assert status.state == "sent", status.reason
    [posted] = world.server.statuses_of("alice")
    [record] = trail.records()[before:]
    policy = world.policy["current"]
    assert policy is not None
    assert record.kind == "publish" and record.at == world.clock.now
    fields = record.record
    assert fields["account_id"] == world.account_id and fields["network"] == "mastodon"
    assert fields["handle"].startswith("@alice@") and fields["post_url"] == status.post_url
    assert fields["remote_id"] == posted.id and fields["draft_id"] == draft.id
    assert fields["text_sha256"] == sha(CLEAN) and "text" not in fields  # audit.include_text is off
    assert (fields["policy_id"], fields["policy_version"]) == (policy.info.id, policy.info.version)
    assert fields["acknowledged"] == [{"rule_id": "forecast", "kind": "acknowledged",
                                       "reason": "It is a fact, not a forecast"}]
    assert fields["images"] == [] and "part" not in fields
    # publishing the same post again sends nothing and records nothing
    [again] = world.service.publish(draft.id, CLEAN, [world.account_id])
    assert again.state == "sent" and len(world.server.statuses_of("alice")) == 1
    assert len(trail.records()) == before + 1 and trail.verify().intact


def test_with_include_text_on_the_record_keeps_the_text_and_the_images_hashes_and_alt_text(world: World) -> None:
    world.service.audit_text = lambda: True
    data = screenshot_png(80, 60)
    image = Attachment("image/png", 80, 60, "The new dashboard: one chart", data=data, name="dash.png")
    draft = world.drafts.create(CLEAN)
    [status] = world.service.publish(draft.id, CLEAN, [world.account_id], images=[image])
    assert status.state == "sent", status.reason
    [record] = [r for r in AuditTrail.of(world.drafts).records() if r.kind == "publish"]
    assert record.record["text"] == CLEAN and record.record["text_sha256"] == sha(CLEAN)
    assert record.record["images"] == [{"sha256": hashlib.sha256(data).hexdigest(),
                                        "alt": "The new dashboard: one chart"}]


def test_each_part_of_a_thread_gets_its_record_with_its_index(world: World) -> None:
    draft = world.drafts.create(LONG)
    [status] = publish_thread(world.service, draft.id, LONG, [world.account_id])
    assert status.state == "sent", status.reason
    parts = split(LONG, "mastodon", {"max_characters": 500})
    assert len(parts) >= 2
    found = [r for r in AuditTrail.of(world.drafts).records() if r.kind == "publish"]
    assert [(r.record["part"], r.record["parts"]) for r in found] == [(i + 1, len(parts)) for i in range(len(parts))]
    assert [r.record["text_sha256"] for r in found] == [sha(part) for part in parts]
    assert [r.record["remote_id"] for r in found] == [s.id for s in world.server.statuses_of("alice")]


def test_a_scheduled_post_sent_when_due_is_recorded_at_the_time_it_went_out(world: World) -> None:
    scheduler = world.scheduler()
    draft = world.drafts.create(CLEAN)
    scheduler.schedule(draft.id, [world.account_id], CLEAN, world.clock.now + 3600, "Europe/Berlin")
    assert [r for r in AuditTrail.of(world.drafts).records() if r.kind == "publish"] == []  # scheduled is not sent
    world.clock.advance(3601)
    [status] = scheduler.send_due()
    assert status.state == "sent"
    [record] = [r for r in AuditTrail.of(world.drafts).records() if r.kind == "publish"]
    assert record.at == world.clock.now and record.record["text_sha256"] == sha(CLEAN)


def test_a_warning_acknowledged_is_recorded_once_with_its_reason_and_a_dismissal_is_not(drafts: DraftStore) -> None:
    draft = drafts.create("Revenue will double next year")
    ack = Acknowledgement(draft.id, "forward-looking", "will double", 0, "acme-example@2025.06.1", "acknowledged",
                          "Announced at the keynote")
    drafts.save_acknowledgement(ack)
    drafts.save_acknowledgement(ack)  # saved again unchanged (the panel re-saves): no second record
    drafts.save_acknowledgement(Acknowledgement(draft.id, "hint", "next year", 0, "acme-example@2025.06.1",
                                                "dismissed"))
    [record] = AuditTrail.of(drafts).records()
    assert record.kind == "warning_acknowledged"
    assert record.record == {"rule_id": "forward-looking", "severity": "warn", "reason": "Announced at the keynote",
                             "policy_id": "acme-example", "policy_version": "2025.06.1", "draft_id": draft.id,
                             "occurrence": 0}
    drafts.save_acknowledgement(Acknowledgement(draft.id, "forward-looking", "will double", 0,
                                                "acme-example@2025.06.1", "acknowledged", "Announced at the keynote, "
                                                "see the press release"))
    assert [r.record["reason"] for r in AuditTrail.of(drafts).records()] == [
        "Announced at the keynote", "Announced at the keynote, see the press release"]


def test_policy_acknowledgement_and_quiz_results_are_recorded_with_the_training_rows(drafts: DraftStore) -> None:
    policy = load_policy("acme-example")
    records = TrainingRecords(drafts)
    acknowledged = records.acknowledge(summarise(policy))
    quiz = build_quiz(policy, seed=5, per_category=1)
    answers = [q.can_go_out for q in quiz.questions]
    answers[0] = not answers[0]  # one wrong answer
    result = quiz.grade(answers)
    taken = records.record_quiz(result)
    first, second = AuditTrail.of(drafts).records()
    assert (first.kind, first.at) == ("policy_acknowledged", acknowledged.recorded_at)
    assert first.record == {"policy_id": "acme-example", "policy_version": policy.info.version,
                            "policy_name": policy.info.name, "training_record_id": acknowledged.id,
                            "wording_sha256": sha(acknowledged.wording)}
    assert (second.kind, second.at) == ("quiz_result", taken.recorded_at)
    assert (second.record["right"], second.record["total"]) == (len(answers) - 1, len(answers))
    assert second.record["passed"] is result.passed and second.record["training_record_id"] == taken.id
    assert second.record["category"] == "" and second.prev_hash == first.hash
