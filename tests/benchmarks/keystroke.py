"""Keystroke-to-highlight benchmark: typing into a long post in the real window until its underlines show.

    python -m tests.benchmarks.keystroke [--keystrokes 50] [--policy acme-example] [--network NAME ...]
                                         [--platform offscreen]

Builds the real main window (``desktop.ui.shell.app.create_window``: the policy is loaded on its lane as
in the app) over a throw-away profile whose only draft is a ~3,000-character post with findings of
every severity (realistic posts from tests/data/acme_corpus.jsonl, emoji included), checked for
all four networks (the default ``composer.networks``). Then, in the middle of the post, it types
a letter and deletes it again, alternately, and for each keystroke measures:

- ``key_ms``: the key event itself (the editor's edit and every ``textChanged`` handler: autosave
  scheduling, counters, restarting the policy timer) and the repaint showing the typed character;
- ``debounce_ms``: the typing pause the policy check waits for (the timer's interval; also
  measured, as ``debounce_measured_ms``, from the end of the key event to the check's start);
- ``check_to_apply_ms``: from the check's start until the underlines for *that* revision are set
  (the checker, span conversion, ExtraSelections, findings panel, composer summary; via the policy
  lane when the check is too slow for the GUI thread);
- ``paint_ms``: the synchronous repaint of the editor that then shows the underlines;
- ``keystroke_to_highlight_ms`` = ``key_ms`` + ``check_to_apply_ms`` + ``paint_ms``: the time the app
  spends from the key to the highlight on screen, without the deliberate debounce wait;
- ``check_ms``: the checker's own time (``TargetedCheck``: the whole policy once plus the length
  rule for each other network).

Medians over the keystrokes (after a few untimed ones). Prints one JSON line. Target (issue 4):
keystroke_to_highlight_ms <= 16.

``--hostile`` (issue 9) adds a rule to the policy whose term exceptions backtrack for ever on the
post (one term, five exceptions like ``(?:%|%)+~``, and a run of ``%`` in the post), so every check
spends the check's whole time budget in the author's patterns, on the policy lane. A 4 ms GUI timer
runs throughout; ``gui_max_late_ms`` is the most it fired late while checks ran (one frame: 16 ms),
and ``incomplete`` the rules reported as not completed. ``--gil-held`` runs the author's patterns
keeping the GIL (``concurrent=False``) to compare.

``authenticity`` (issue 15), measured in every run, after the keystrokes: the window's own check
(the policy in force, for the composer's networks) with the default policy's authenticity rule
added, on the same post, without references and with 50 references of about 500 characters (one of
them copied from the post, so the rule fires): medians of interleaved runs, the first run with the
references apart (``cold_ms``: each reference's words are cut once and cached), and ``ratio`` =
with / without. ``--references N`` also plugs N such references into the live check (its providers
hook) and adds the rule to the policy, so the keystroke figures above include the comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "data" / "acme_corpus.jsonl"


def long_post(target: int = 3000) -> str:
    """About *target* characters of real-looking posts, most of them with findings, emoji included."""
    posts = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    flagged = [p["text"] for p in posts if p["expect"]]
    clean = [p["text"] for p in posts if not p["expect"]]
    parts: list[str] = []
    size = 0
    for n in range(len(flagged)):
        for text in (flagged[n], clean[n % len(clean)]):
            if size + len(text) + 2 > target:
                return "\n\n".join(parts)
            parts.append(text)
            size += len(text) + 2
    return "\n\n".join(parts)


HOSTILE_RULE = """

[[rules]]
id = "H1-hostile"
category = "hostile"
kind = "lexicon"
severity = "warn"
message = "Hostile: {match}"
terms = [{ term = "widget", unless = ['(?:%|%)+~', '(?:%|%%)+~', '(?:%%|%)+~', '(?:%|%|%)+~', '(?:%|%)*~'] }]
examples.flag = ["a widget"]
examples.pass = ["a gadget"]
"""


def hostile_policy(folder: Path, base: str) -> Path:
    """*base* (a built-in name or a file) with :data:`HOSTILE_RULE` added: it passes validation."""
    from desktop.core.policy import policies_dir

    source = Path(base) if base.endswith(".toml") else policies_dir() / f"{base}.toml"
    path = folder / "hostile-policy.toml"
    path.write_text(source.read_text(encoding="utf-8") + HOSTILE_RULE, encoding="utf-8")
    return path


def bench_references(post: str, count: int = 50, size: int = 500) -> list:
    """*count* references of about *size* characters from the corpus posts that are not in *post*
    (different ones each), the last one a passage of *post* itself (a copy: the rule fires on it)."""
    from desktop.core.policy import Reference

    texts = [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [text for text in texts if text not in post]
    references = []
    for n in range(count - 1):
        chunk, k = "", n * 7
        while len(chunk) < size:
            chunk += texts[k % len(texts)] + " "
            k += 1
        references.append(Reference("feed", chunk[:size], f"Feed item {n + 1}"))
    middle = len(post) // 3
    references.append(Reference("feed", post[middle:middle + size], "Feed item (copied)"))
    return references


def authenticity_rule():
    """The default policy's authenticity rule (its examples already ran when that policy loaded)."""
    from desktop.core.policy import load_policy
    from desktop.core.policy.authenticity import AuthenticityRule

    return next(rule for rule in load_policy("default", run_examples=False).rules if isinstance(rule, AuthenticityRule))


def authenticity_cost(policy, networks: list[str], post: str, repeats: int = 25) -> dict:
    """The window's check with the authenticity rule added, without and with 50 references (see the
    module docstring); interleaved so that a busy moment of the machine hits both alike."""
    from desktop.core.policy import Policy
    from desktop.core.policy.authenticity import AuthenticityRule
    from desktop.core.policy.budget import Budget
    from desktop.core.policy.targets import TargetedCheck

    rule = authenticity_rule()
    references = bench_references(post)
    others = [r for r in policy.rules if not isinstance(r, AuthenticityRule)]  # --references added it already
    plain = TargetedCheck(Policy(policy.info, [*others, rule]), networks)
    with_references = plain.with_references(references)

    def timed(check, text: str = post) -> tuple[float, list]:
        started = time.perf_counter()
        findings = check(text)
        return time.perf_counter() - started, findings

    # a different text each time, as typing makes it (the rule keeps what it found for the last text: the
    # same text again, for another network, is not compared again; a new keystroke is)
    typed = [post[:len(post) - i] for i in range(repeats)]
    plain(post)  # warm: the post's own derived data is per check anyway, this warms the engine's caches
    cold, cold_findings = timed(with_references)
    without: list[float] = []
    within: list[float] = []
    for text in typed:
        without.append(timed(plain, text)[0])
        within.append(timed(with_references, text)[0])
    rule_only = Policy(policy.info, [rule])
    rule_times = []
    for text in typed:
        started = time.perf_counter()
        rule_only.check(text, networks[0] if networks else None, references=references, budget=Budget(10.0))
        rule_times.append(time.perf_counter() - started)
    base, loaded = statistics.median(without), statistics.median(within)
    return {
        "references": len(references),
        "reference_chars": round(statistics.mean(len(r.text) for r in references)),
        "post_chars": len(post),
        "check_ms": round(base * 1000, 2),
        "check_with_references_ms": round(loaded * 1000, 2),
        "cold_ms": round(cold * 1000, 2),
        "rule_alone_ms": round(statistics.median(rule_times) * 1000, 2),
        "ratio": round(loaded / base, 3),
        "fired": sum(1 for f in cold_findings if f.rule_id == rule.id and not f.incomplete),
        "incomplete": sum(1 for f in cold_findings if f.rule_id == rule.id and f.incomplete),
    }


def with_authenticity_rule(folder: Path, base: str) -> Path:
    """*base* (a built-in name or a file) with the default policy's authenticity rule appended."""
    from desktop.core.policy import policies_dir

    default = (policies_dir() / "default.toml").read_text(encoding="utf-8")
    rule = default[default.rindex("[[rules]]"):]
    assert 'kind = "authenticity"' in rule
    source = Path(base) if base.endswith(".toml") else policies_dir() / f"{base}.toml"
    path = folder / "authenticity-policy.toml"
    path.write_text(source.read_text(encoding="utf-8") + "\n" + rule, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keystrokes", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=6, help="untimed keystrokes first")
    parser.add_argument("--policy", default="acme-example", help="policy.source: a built-in name or a .toml path")
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    parser.add_argument("--hostile", action="store_true", help="add a rule that exhausts the check's budget")
    parser.add_argument("--gil-held", action="store_true", help="author patterns keep the GIL (concurrent=False)")
    parser.add_argument("--preview", action="store_true",
                        help="show the Preview panel (its tab in front), so it refreshes on every typing pause")
    parser.add_argument("--references", type=int, default=0, metavar="N",
                        help="add the authenticity rule and N references of ~500 characters to the live check")
    parser.add_argument("--network", action="append", dest="networks", metavar="NAME",
                        help="the composer's networks (repeatable; default: the setting's default, all four)")
    args = parser.parse_args(argv)
    os.environ["QT_QPA_PLATFORM"] = args.platform
    sys.path.insert(0, str(REPO))

    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtTest import QTest

    from desktop.core import counters
    from desktop.core.drafts import DraftStore
    from desktop.core.paths import AppPaths
    from desktop.core.settings import Settings
    from desktop.ui.shell.app import create_window

    if args.gil_held:
        from desktop.core.policy import budget
        budget.REGEX_CONCURRENT = False

    with tempfile.TemporaryDirectory(prefix="chorus-keystroke-") as tmp:
        paths = AppPaths.for_profile(Path(tmp))
        paths.ensure()
        source = args.policy
        if args.hostile:
            source = str(hostile_policy(Path(tmp), args.policy))
        if args.references:
            source = str(with_authenticity_rule(Path(tmp), source))
        values = {"policy.source": source, "appearance.theme": "light"}
        if args.networks:
            values["composer.networks"] = args.networks
        paths.settings_file.write_text(json.dumps({"schema_version": 1, "values": values}), encoding="utf-8")
        post = long_post()
        if args.hostile:
            post = post[: len(post) // 2] + " widget " + "%" * 400 + " " + post[len(post) // 2:]
        store = DraftStore.open(paths.drafts_db)
        store.create(post)
        settings = Settings(paths.settings_file)
        app, window, runner = create_window(settings, store, None, store.notices, policy_cache=paths.last_good_policy)
        window.show()
        check = window.composer.policy
        editor = window.composer.editor
        if args.references:
            live_references = bench_references(post, args.references)
            check.reference_providers.append(lambda _draft_id: live_references)

        def wait_for(condition, timeout_s: float = 30.0, wake=None) -> None:
            """Run the event loop as the app does until *condition* holds, looking again every 20 ms and
            whenever the signal *wake* fires. (QEventLoop.exec releases the GIL while idle, so the policy
            lane runs at full speed, as under app.exec(); QTest.qWait would hold the GIL.)"""
            deadline = time.monotonic() + timeout_s
            loop = QEventLoop()

            def look(*_args) -> None:
                if condition() or time.monotonic() > deadline:
                    loop.quit()

            poll = QTimer()
            poll.timeout.connect(look)
            poll.start(20)
            if wake is not None:
                wake.connect(look)
            if not condition():
                loop.exec()
            poll.stop()
            if wake is not None:
                wake.disconnect(look)
            if not condition():
                raise SystemExit("benchmark: timed out waiting for the window")

        wait_for(lambda: window.active_policy is not None and window.composer.draft is not None)
        if window.active_policy.policy is None:
            raise SystemExit(f"benchmark: no valid policy: {window.active_policy.notice}")
        wait_for(lambda: check.state == "ok" and counters.is_warm())
        if args.preview:
            window.preview_dock.raise_()
            wait_for(lambda: window.preview.panel.isVisible() and bool(window.preview.panel.previews))
        if args.references:
            wait_for(lambda: len(check.references) == args.references and check.state == "ok")
        findings = len(check.findings)
        networks = list(window.composer.counter_labels)

        applied: dict[int, float] = {}
        check.checked.connect(lambda generation: applied.__setitem__(generation, time.perf_counter()))
        # type in the middle of the post: at the end of a word halfway through
        middle = post.index(" ", len(post) // 2)
        cursor = editor.textCursor()
        cursor.setPosition(middle + sum(1 for ch in post[:middle] if ord(ch) > 0xFFFF))
        editor.setTextCursor(cursor)
        editor.setFocus()

        # a GUI timer every 4 ms: how late it fires while checks run is how long the GUI thread stalled
        late: list[float] = []
        ticks = {"last": time.perf_counter()}

        def tick() -> None:
            now = time.perf_counter()
            late.append(max(0.0, now - ticks["last"] - 0.004))
            ticks["last"] = now

        pulse = QTimer()
        pulse.setTimerType(Qt.TimerType.PreciseTimer)
        pulse.timeout.connect(tick)
        ticks["last"] = time.perf_counter()
        pulse.start(4)

        samples: list[dict] = []
        for n in range(args.warmup + args.keystrokes):
            if n == args.warmup:
                late.clear()
            key = Qt.Key.Key_X if n % 2 == 0 else Qt.Key.Key_Backspace
            started = time.perf_counter()
            QTest.keyClick(editor, key)
            editor.viewport().repaint()  # the keystroke's own paint, as typing does anyway
            key_done = time.perf_counter()
            generation = check._generation
            wait_for(lambda generation=generation: generation in applied, 10.0, wake=check.checked)
            painted_from = time.perf_counter()
            editor.viewport().repaint()
            paint = time.perf_counter() - painted_from
            fired = check.last_started_at
            if n >= args.warmup:
                samples.append({
                    "key": key_done - started,
                    "debounce": fired - key_done,
                    "check_to_apply": applied[generation] - fired,
                    "paint": paint,
                    "check": check.last_check_ms / 1000,
                    "inline": check.last_check_inline,
                })
            applied.clear()
            # let the autosave and the counters settle so each keystroke starts from quiet
            settle = time.monotonic() + 0.05
            wait_for(lambda settle=settle: time.monotonic() >= settle)

        pulse.stop()
        incomplete = sum(1 for item in check.findings if getattr(item.finding, "incomplete", False))
        authenticity = authenticity_cost(window.active_policy.policy, networks, post)
        text_chars = len(window.composer.text())
        window.close()
        runner.shutdown()
        store.close()
        QTimer.singleShot(0, app.quit)
        app.exec()

    def median_ms(key: str) -> float:
        return round(statistics.median(s[key] for s in samples) * 1000, 2)

    totals = sorted((s["key"] + s["check_to_apply"] + s["paint"]) * 1000 for s in samples)
    print(json.dumps({
        "keystroke_to_highlight_ms": round(statistics.median(totals), 2),
        "keystroke_to_highlight_p90_ms": round(totals[int(0.9 * (len(totals) - 1))], 2),
        "debounce_ms": check.delay_ms,
        "debounce_measured_ms": median_ms("debounce"),
        "check_ms": median_ms("check"),
        "key_ms": median_ms("key"),
        "check_to_apply_ms": median_ms("check_to_apply"),
        "paint_ms": median_ms("paint"),
        "checked_on_gui_thread": round(sum(s["inline"] for s in samples) / len(samples), 2),
        "keystrokes": len(samples),
        "text_chars": text_chars,
        "findings": findings,
        "networks": networks,
        "policy": window.active_policy.policy.version_key,
        "platform": args.platform,
        "gui_max_late_ms": round(max(late) * 1000, 2) if late else None,
        "gui_p99_late_ms": round(sorted(late)[int(0.99 * (len(late) - 1))] * 1000, 2) if late else None,
        "hostile": args.hostile,
        "incomplete": incomplete,
        "author_patterns_keep_gil": args.gil_held,
        "preview_shown": args.preview,
        "live_references": args.references,
        "authenticity": authenticity,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
