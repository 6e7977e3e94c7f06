"""Headless commands, like Vale for communications teams and CI pipelines (no Qt, no display).

    chorus check [--policy NAME|PATH] [--network NAME] [--format text|json] [--jsonl]
                 [--record-usage [--profile DIR]] [FILE ...]
    chorus policy validate PATH
    chorus policy list
    chorus policy report [--profile DIR] [--format text|json] [--false-positives]
    chorus settings list [--profile DIR] [--format text|json]
    chorus audit verify [--profile DIR]
    chorus audit export --format csv|json [--since DATE] [--output FILE] [--profile DIR]

Staged rules (``mode = "advise"`` or ``"shadow"``): ``chorus check`` counts their firings in a
profile's drafts database only when asked (``--record-usage``: a CI pipeline must not write to
anyone's profile by surprise); the app always counts them. ``chorus policy report`` prints those
counts (never any post text) from the app's profile, or from ``--profile DIR``, for the policy's
owner; ``--false-positives`` lists the "This is wrong…" reports the author opened instead.

Exit status: 0 when nothing blocks, 1 when a block finding exists, 2 on usage errors, on a policy
that cannot be loaded (or, for ``validate``, has problems) and on any other failure: a crash must
never read as "blocked" in a pipeline. 130 when interrupted (Ctrl+C).

Everything printed that comes from a policy or a post (messages, tips, file names, ids, excerpts)
is escaped where it holds control characters, so neither can drive the terminal; JSON output
escapes them too, as well as lone surrogates (valid JSON, whatever the input held).
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from desktop import APP_NAME
from desktop.core.networks import NETWORKS, parse_network

EXIT_OK, EXIT_BLOCKED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # the shell's convention for Ctrl+C
COMMANDS = ("check", "policy", "settings", "doctor", "audit")

log = logging.getLogger("chorus.cli")

# In text output: every control character (ESC starts terminal escape codes; C1 controls such as
# U+009B do too on some terminals), bidirectional overrides that reorder what is shown, and lone
# surrogates (which cannot be written as UTF-8 at all).
_UNSAFE_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# In JSON: json.dumps already escapes the C0 controls; the rest become \uXXXX escapes, which are
# valid JSON wherever they appear (only inside strings: everything else json.dumps writes is ASCII).
_UNSAFE_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chorus", description=f"{APP_NAME} command-line tools (no window needed).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="check posts against the policy",
        description="Check posts against your company's social-media policy. Exit status: 0 nothing "
        "blocks, 1 a block finding exists, 2 usage or policy error.",
    )
    check.add_argument("files", nargs="*", metavar="FILE", help="text files to check ('-' or none: standard input)")
    check.add_argument("--policy", metavar="NAME|PATH", default="default",
                       help="a built-in policy name (default, acme-example), a .toml policy file or the https:// address "
                       "your organisation serves it at (default: %(default)s)")
    check.add_argument("--network", metavar="NAME", type=_network,
                       help=f"the network the post is for ({', '.join(NETWORKS)}); decides the length limit "
                       "(default: the policy's own default network, if any)")
    check.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: %(default)s)")
    check.add_argument("--jsonl", action="store_true",
                       help='each input line is {"id": ..., "text": ...}; each output line is '
                       '{"id": ..., "findings": [...]} with code-point offsets, in input order')
    check.add_argument("--record-usage", action="store_true",
                       help="count the policy's staged rules (mode advise or shadow) in the profile's drafts "
                       "database, for `chorus policy report`; no post text is kept (default: nothing is written)")
    check.add_argument("--profile", metavar="DIR", type=Path,
                       help="the profile to record in, as the app's --profile (default: the app's own profile)")

    policy = commands.add_parser("policy", help="work with policy files")
    policy_commands = policy.add_subparsers(dest="policy_command", required=True, metavar="ACTION")
    validate = policy_commands.add_parser(
        "validate",
        help="load a policy file, run its rules' examples and report every problem",
        description="Load a policy file and run every rule's own examples. Warnings (unknown keys, misspelt "
        "fields) are printed but do not fail it unless --strict. Exit status 0: valid; 2: problems.",
    )
    validate.add_argument("path", metavar="PATH", help="a .toml policy file (or a built-in policy name)")
    validate.add_argument("--strict", action="store_true",
                          help="treat warnings (unknown keys, misspelt fields, control characters) as problems")
    policy_commands.add_parser("list", help="list the built-in policies")
    report = policy_commands.add_parser(
        "report",
        help="how often the policy's staged rules fired here, with no post text",
        description="Print, per staged rule (mode advise or shadow), how often it fired and on how many posts, "
        "as counted on this computer by the app (and by `chorus check --record-usage`). No post text is kept "
        "or printed: send the output to the policy's owner when asked.",
    )
    _profile_and_format(report)
    report.add_argument("--false-positives", action="store_true",
                        help="list the findings reported as wrong (\"This is wrong…\") instead")

    settings = commands.add_parser("settings", help="show the settings in force and where they come from")
    settings_commands = settings.add_subparsers(dest="settings_command", required=True, metavar="ACTION")
    listing = settings_commands.add_parser(
        "list",
        help="every setting with its value, level and origin, and every managed source read with its errors",
        description="Every setting with its value, its level (default, recommended, user or mandatory) and "
        "where it comes from (a file, a registry key, a profile), then every place your organisation's managed "
        "settings are read from, with what went wrong there. Secret values are never printed.",
    )
    _profile_and_format(listing)

    doctor = commands.add_parser(
        "doctor",
        help="check what Chorus runs with here: policy, keyring, proxy, TLS to each server, folders",
        description="A report for support: the active policy and its source, the managed settings and their "
        "errors, the keyring and whether it is unlocked (no password prompt), the proxy, whether TLS to the "
        "policy server and to each linked account's server succeeds, and the data and log folders. No secrets "
        "and no post text are included. Exit status 0: no problem found; 1: a problem found.",
    )
    _profile_and_format(doctor)
    _audit_commands(commands)
    # Hidden (no help, so not listed): the installers' CI proves the frozen app reaches the OS keyring.
    commands.add_parser("keyring-selftest")
    return parser


def _profile_and_format(command: argparse.ArgumentParser) -> None:
    """The options every command reading the app's profile shares (policy report, settings list, doctor)."""
    command.add_argument("--profile", metavar="DIR", type=Path,
                         help="the app's profile folder, as the app's --profile (default: the app's own profile)")
    command.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: %(default)s)")


def _network(value: str) -> str:
    try:
        return parse_network(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: Sequence[str], stdin: TextIO | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            args = build_parser().parse_args(list(argv))
    except SystemExit as exc:  # argparse has printed the usage error (or --help)
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    command = " ".join(filter(None, (args.command, getattr(args, "policy_command", None),
                                     getattr(args, "settings_command", None),
                                     getattr(args, "audit_command", None))))
    try:
        if args.command == "check":
            return _check(args, stdin, stdout, stderr)
        if args.command == "settings":
            return _settings_list(args, stdout)
        if args.command == "doctor":
            return _doctor(args, stdout)
        if args.command == "audit":
            return _audit(args, stdout, stderr)
        if args.command == "keyring-selftest":
            return _keyring_selftest(stdout, stderr)
        if args.policy_command == "list":
            return _list(stdout)
        if args.policy_command == "report":
            return _report(args, stdout, stderr)
        return _validate(args.path, args.strict, stdout, stderr)
    except KeyboardInterrupt:
        _say(stderr, "chorus: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (`chorus check ... | head`): say so, and keep Python from failing again
        # when it flushes standard output on the way out
        if stdout is sys.stdout:
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        _say(stderr, f"chorus {command}: the output was closed before everything was written")
        return EXIT_USAGE
    except Exception as exc:  # the last line of defence: a crash must not exit 1 ("blocked")
        log.error("chorus %s failed unexpectedly", command, exc_info=True)
        _say(stderr, f"chorus {command}: unexpected error ({type(exc).__name__}: {_clean(str(exc))[:300]}); "
             "this is a bug in Chorus: please report it, with the details above")
        return EXIT_USAGE


def _keyring_selftest(stdout: TextIO, stderr: TextIO) -> int:
    """Save, read back and delete a random secret through the app's own keyring adapter.

    Under a service name of its own, so no account's credential is ever touched; prints the backend.
    """
    import secrets

    from desktop.adapters.keyring_store import KeyringSecretStore
    from desktop.core.ports import SecretStoreError

    store = KeyringSecretStore(service=f"{APP_NAME} keyring self-test")
    key, value = f"selftest-{secrets.token_hex(8)}", secrets.token_urlsafe(24)
    try:
        _say(stdout, f"backend: {store.check()}")
        store.set(key, value)
        read = store.get(key)
        store.delete(key)
        gone = store.get(key) is None
    except SecretStoreError as exc:
        _say(stderr, f"chorus keyring-selftest: {exc} {exc.advice}".rstrip())
        return EXIT_USAGE
    if read != value or not gone:
        _say(stderr, "chorus keyring-selftest: the keyring gave back "
             + ("a different secret" if read != value else "the secret after it was deleted"))
        return EXIT_USAGE
    _say(stdout, "round trip: saved, read back and deleted a test secret")
    return EXIT_OK


def _clean(text: str, keep_newlines: bool = False) -> str:
    """*text* with control characters, bidi overrides and lone surrogates escaped (ESC becomes ``\\x1b``)."""
    def escape(match: re.Match[str]) -> str:
        char = match.group(0)
        if keep_newlines and char == "\n":
            return char
        if char in _NAMED_ESCAPES:
            return _NAMED_ESCAPES[char]
        return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"

    return _UNSAFE_TEXT.sub(escape, text)


def _write(stream: TextIO, text: str) -> None:
    """Write *text*, with what the stream's encoding cannot hold as backslash escapes instead of a crash."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        text = text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:
        pass
    stream.write(text)


def _say(stream: TextIO, line: str) -> None:
    with contextlib.suppress(Exception):  # a message about a failure must not fail in turn
        _write(stream, _clean(line, keep_newlines=True) + "\n")


def _json(value: object, stream: TextIO, indent: int | None = None) -> str:
    """*value* as JSON that any terminal shows safely and the stream can encode, characters kept where possible."""
    text = _UNSAFE_JSON.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(value, ensure_ascii=False, indent=indent))
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):  # e.g. a Latin-1 terminal: all non-ASCII as escapes
        text = json.dumps(value, ensure_ascii=True, indent=indent)
    return text


def _load(name_or_path: str, stderr: TextIO):
    from desktop.core.policy import PolicyError, load_policy
    from desktop.core.policy.remote import is_policy_url

    if is_policy_url(name_or_path):
        return _download(name_or_path, stderr)
    try:
        return load_policy(name_or_path)
    except PolicyError as exc:
        _say(stderr, f"chorus: cannot use the policy: {exc}")
        return None


def _download(url: str, stderr: TextIO):
    """A policy IT serves at an https:// address, downloaded for this run (kept nowhere: a pipeline
    checks with the policy as it is now; the proxy comes from the environment, trust from the OS)."""
    import tempfile

    from desktop.adapters.policy_fetch import HttpPolicyFetcher
    from desktop.core.policy.active import load_active_policy
    from desktop.core.policy.remote import PolicyDownloadCache, RemotePolicy

    fetcher = HttpPolicyFetcher()
    try:
        with tempfile.TemporaryDirectory(prefix="chorus-policy-") as folder:
            active = load_active_policy(url, None, remote=RemotePolicy(fetcher, PolicyDownloadCache(Path(folder))))
    finally:
        fetcher.close()
    if active.policy is None:
        reasons = "; ".join(str(problem) for problem in active.problems) or "it could not be downloaded"
        _say(stderr, f"chorus: cannot use the policy at {url}: {reasons}")
    return active.policy


def _check(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    policy = _load(args.policy, stderr)
    if policy is None:
        return EXIT_USAGE
    inputs = _read_inputs(args.files, stdin, stderr)
    if inputs is None:
        return EXIT_USAGE
    recorder = _Recorder.open(policy, args.profile, stderr) if args.record_usage else None
    if args.record_usage and recorder is None:
        return EXIT_USAGE
    try:
        return _check_inputs(args, policy, inputs, recorder, stdout, stderr)
    finally:
        if recorder is not None:
            recorder.close()


def _check_inputs(args: argparse.Namespace, policy, inputs: list[tuple[str, str]], recorder: _Recorder | None,
                  stdout: TextIO, stderr: TextIO) -> int:
    def check(where: str, text: str) -> list:
        if recorder is None:
            return policy.check(text, args.network)
        evaluation = policy.evaluate(text, args.network)
        recorder.record(where, evaluation.staged)
        return evaluation.shown

    blocked = False
    if args.jsonl:
        for name, document in inputs:
            for line_number, line in enumerate(document.splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    post_id, text = item["id"], item["text"]
                    if not isinstance(text, str):
                        raise TypeError("text must be a string")
                except RecursionError:
                    _say(stderr, f"chorus: {name}:{line_number}: not a {{\"id\": ..., \"text\": ...}} line (its JSON "
                         "is nested too deeply)")
                    return EXIT_USAGE
                except (ValueError, KeyError, TypeError) as exc:
                    _say(stderr, f"chorus: {name}:{line_number}: not a {{\"id\": ..., \"text\": ...}} line ({exc})")
                    return EXIT_USAGE
                findings = check(f"{_where(name)}#{post_id}", text)
                blocked = blocked or any(f.severity.value == "block" for f in findings)
                _write(stdout, _json({"id": post_id, "findings": [f.as_json() for f in findings]}, stdout) + "\n")
        return EXIT_BLOCKED if blocked else EXIT_OK
    results = []
    for name, text in inputs:
        findings = check(_where(name), text)
        blocked = blocked or any(f.severity.value == "block" for f in findings)
        results.append((name, text, findings))
    if args.format == "json":
        files = []
        for name, text, findings in results:
            lines = _LineIndex(text)
            files.append({"file": name, "findings": [{**f.as_json(), **lines.line_column(f.start),
                                                      "explanation": f.explanation, "tip": f.tip} for f in findings]})
        payload = {
            "policy": {"id": policy.info.id, "version": policy.info.version},
            "network": args.network or policy.info.default_network,
            "files": files,
            "blocked": blocked,
        }
        _write(stdout, _json(payload, stdout, indent=2) + "\n")
    else:
        _print_text(results, policy, args.network, stdout)
    return EXIT_BLOCKED if blocked else EXIT_OK


def _profile_paths(profile: Path | None):
    from desktop.core.paths import AppPaths

    return AppPaths.for_profile(profile) if profile else AppPaths.platform_default()


def _where(name: str) -> str:
    """Where a checked post is, for its usage key: the file's full path (checking it again counts it
    once), or, for standard input, a new place every run (each run is another post)."""
    if name == "<stdin>":
        import uuid

        return f"stdin:{uuid.uuid4().hex}"
    return f"file:{Path(name).resolve()}"


class _Recorder:
    """``check --record-usage``: the staged rules' counts, written to the profile's drafts database."""

    def __init__(self, policy, store) -> None:
        from desktop.core.drafts.policy_usage import PolicyUsageStore

        self.policy, self.store = policy, store
        self.usage = PolicyUsageStore(store)
        self.modes = {rule.id: rule.mode for rule in policy.staged_rules}

    @classmethod
    def open(cls, policy, profile: Path | None, stderr: TextIO) -> _Recorder | None:
        from desktop.core.drafts import DraftStore
        from desktop.core.errors import StorageError

        path = _profile_paths(profile).drafts_db
        try:
            return cls(policy, DraftStore.open(path))
        except (StorageError, OSError) as exc:
            _say(stderr, f"chorus: cannot record usage in {path}: {exc}")
            return None

    def record(self, where: str, staged: list) -> None:
        from desktop.core.drafts.policy_usage import firings

        if self.modes:
            info = self.policy.info
            self.usage.record(info.id, info.version, where, firings(self.modes, staged), self.modes)

    def close(self) -> None:
        self.store.close()


def _report(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """The staged rules' counts (or the false-positive reports) of a profile, without any post text."""
    from desktop.core.drafts import DraftStore
    from desktop.core.drafts.policy_usage import PolicyUsageStore
    from desktop.core.errors import StorageError

    path = _profile_paths(args.profile).drafts_db
    usage: list = []
    reports: list = []
    if path.exists():
        try:
            store = DraftStore.open(path)
        except StorageError as exc:
            _say(stderr, f"chorus policy report: cannot read {path}: {exc}")
            return EXIT_USAGE
        try:
            counts = PolicyUsageStore(store)
            usage, reports = counts.usage(), counts.false_positives()
        finally:
            store.close()
    if args.format == "json":
        payload = ({"false_positives": [r.as_json() for r in reports]} if args.false_positives
                   else {"rules": [u.as_json() for u in usage]})
        _write(stdout, _json({"database": str(path), **payload}, stdout, indent=2) + "\n")
        return EXIT_OK
    if args.false_positives:
        if not reports:
            _write(stdout, _clean(f"No findings reported as wrong in {path}.") + "\n")
        for report in reports:
            words = f" \"{report.matched_text}\"" if report.matched_text else " (words not included)"
            _write(stdout, _clean(f"{report.as_json()['reported_at']}  {report.policy_id} {report.policy_version}  "
                                  f"rule {report.rule_id}{words}") + "\n")
        return EXIT_OK
    if not usage:
        _write(stdout, _clean(f"No staged rules (mode advise or shadow) counted in {path}.") + "\n")
        return EXIT_OK
    _write(stdout, _clean(f"Staged policy rules counted in {path} (no post text is kept):") + "\n")
    policy = None
    for row in usage:
        if (row.policy_id, row.policy_version) != policy:
            policy = (row.policy_id, row.policy_version)
            _write(stdout, _clean(f"{row.policy_id} {row.policy_version}") + "\n")
        times = "time" if row.firings == 1 else "times"
        _write(stdout, _clean(f"  {row.rule_id} ({row.mode}): fired {row.firings} {times} on {row.posts} of "
                              f"{row.posts_checked} post{'s' if row.posts_checked != 1 else ''} checked, "
                              f"{row.as_json()['first_seen']} to {row.as_json()['last_seen']}") + "\n")
    return EXIT_OK


def _read_inputs(files: list[str], stdin: TextIO, stderr: TextIO) -> list[tuple[str, str]] | None:
    """Each input as text: UTF-8, a leading byte order mark (Windows editors write one) dropped."""
    inputs = []
    for name in files or ["-"]:
        label = "<stdin>" if name == "-" else name
        try:
            if name == "-":
                raw = getattr(stdin, "buffer", None)  # the bytes, so the decoding is ours, not the locale's
                text = raw.read().decode("utf-8-sig") if raw is not None else stdin.read().removeprefix("\ufeff")
            else:
                text = Path(name).read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            _say(stderr, f"chorus: {label}: no such file")
            return None
        except UnicodeDecodeError:
            _say(stderr, f"chorus: {label}: not UTF-8 text")
            return None
        except OSError as exc:
            _say(stderr, f"chorus: {label}: cannot read it ({exc.strerror or exc})")
            return None
        inputs.append((label, text))
    return inputs


class _LineIndex:
    """Line and column of any offset in one text, in O(log lines) each: the line starts are found once.

    (Counting line breaks up to each finding made a long post with many findings quadratic.)
    """

    def __init__(self, text: str) -> None:
        self._starts = [0] + [match.end() for match in re.finditer("\n", text)]

    def line_column(self, index: int) -> dict[str, int]:
        """1-based line and column (in code points) of a code-point index."""
        line = bisect.bisect_right(self._starts, index)
        return {"line": line, "column": index - self._starts[line - 1] + 1}


def _line_column(text: str, index: int) -> dict[str, int]:
    """1-based line and column of one index (for a single lookup; use _LineIndex for many)."""
    return _LineIndex(text).line_column(index)


def _print_text(results: Iterable[tuple[str, str, list]], policy, network: str | None, out: TextIO) -> None:
    totals = {"block": 0, "warn": 0, "info": 0}
    for name, text, findings in results:
        lines = _LineIndex(text)
        for finding in findings:
            where = lines.line_column(finding.start)
            totals[finding.severity.value] += 1
            excerpt = finding.text if len(finding.text) <= 60 else finding.text[:57] + "..."
            excerpt = excerpt.replace("\n", "⏎")
            severity = finding.severity.value
            if finding.mode == "advise" and finding.rule_severity is not None:
                severity += f" (advisory: {finding.rule_severity.value} once enforced)"
            _write(out, _clean(f"{name}:{where['line']}:{where['column']}: {severity}: {finding.message} "
                               f"[{finding.rule_id}] \"{excerpt}\"") + "\n")
            if finding.tip:
                _write(out, f"    tip: {_clean(finding.tip)}\n")
    summary = ", ".join(f"{count} {severity}" for severity, count in totals.items())
    target = network or policy.info.default_network or "no network"
    _write(out, _clean(f"{policy.info.name} {policy.info.version} ({target}): {summary}") + "\n")


def _validate(path: str, strict: bool, stdout: TextIO, stderr: TextIO) -> int:
    """Every problem and warning at once; warnings do not fail the policy unless *strict*."""
    from desktop.core.policy import Policy, PolicyError, load_policy

    policy: Policy | None
    try:
        loaded = load_policy(path)
    except PolicyError as exc:
        problems, warnings = exc.problems, exc.warnings
        policy = None
    else:
        problems, warnings = ([], loaded.warnings) if not strict else (loaded.warnings, [])
        policy = loaded
    for problem in problems:
        _say(stderr, str(problem))
    for warning in warnings:
        _say(stderr, f"warning: {warning}")
    if problems:
        count = len(problems)
        _say(stderr, f"chorus: {count} problem{'s' if count != 1 else ''}; the policy cannot be used"
             + (" (--strict: warnings count as problems)" if strict and policy is not None else ""))
        return EXIT_USAGE
    assert policy is not None
    examples = sum(len(rule.examples_flag) + len(rule.examples_pass) for rule in policy.rules)
    noted = f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else ""
    _write(stdout, _clean(f"{policy.info.source}: valid: {policy.info.name} {policy.info.version}, "
                          f"{len(policy.rules)} rules, {examples} examples passed{noted}") + "\n")
    return EXIT_OK


def _list(stdout: TextIO) -> int:
    from desktop.core.policy import builtin_policies, load_policy

    for name in builtin_policies():
        policy = load_policy(name, run_examples=False)
        _write(stdout, f"{_clean(name)}\t{_clean(policy.info.name)} {_clean(policy.info.version)}\n")
    return EXIT_OK


def _doctor(args: argparse.Namespace, stdout: TextIO) -> int:
    """``chorus doctor``: the diagnostics report of desktop.doctor, for this computer and profile."""
    from desktop.adapters import http
    from desktop.adapters.managed_settings import load_settings
    from desktop.adapters.policy_fetch import HttpPolicyFetcher
    from desktop.core.policy.remote import PolicyDownloadCache, RemotePolicy
    from desktop.doctor import diagnose, profile_accounts

    paths = _profile_paths(args.profile)
    settings = load_settings(paths, remember=False)
    http.use_settings(settings.get)  # the proxy and extra certificates of this profile, as the app uses them
    fetcher = HttpPolicyFetcher()
    try:
        report = diagnose(paths, settings, remote_policy=RemotePolicy(fetcher, PolicyDownloadCache(paths.policy_download)),
                          accounts=profile_accounts(paths))
    finally:
        fetcher.close()
    if args.format == "json":
        _write(stdout, _json(report.as_json(), stdout, indent=2) + "\n")
    else:
        _write(stdout, "\n".join(_clean(line) for line in report.as_text().split("\n")))
    return EXIT_BLOCKED if report.problems else EXIT_OK


def _settings_list(args: argparse.Namespace, stdout: TextIO) -> int:
    """``chorus settings list``: like Chrome's chrome://policy, read the way the app reads them (the
    record of the last managed values is read, not written: listing changes nothing)."""
    from desktop.adapters.managed_settings import load_settings

    settings = load_settings(_profile_paths(args.profile), remember=False)
    rows = []
    for key, spec in settings.specs.items():
        value = settings.get(key)
        if spec.secret:
            value = "(hidden)" if value else ""
        rows.append({"key": key, "value": list(value) if isinstance(value, tuple) else value,
                     "level": settings.source(key), "origin": settings.origin(key)})
    sources = [report.as_json() for report in settings.managed_sources]
    problems = [str(problem) for problem in settings.problems]
    if args.format == "json":
        document = {"settings": rows, "sources": sources, "problems": problems}
        _write(stdout, _json(document, stdout, indent=2) + "\n")
        return EXIT_OK
    width = max(len(row["key"]) for row in rows)
    _write(stdout, "Settings (level: default < recommended < user < mandatory)\n")
    for row in rows:
        where = f" ({row['origin']})" if row["origin"] else ""
        _write(stdout, _clean(f"  {row['key']:<{width}}  {json.dumps(row['value'], ensure_ascii=False)}  "
                              f"[{row['level']}{where}]") + "\n")
    _write(stdout, "\nManaged sources\n")
    for source in sources:
        _write(stdout, _clean(f"  {source['name']}: {source['location']}: {source['status']}") + "\n")
        for origin in source["origins"]:
            _write(stdout, _clean(f"    read {origin}") + "\n")
        for error in source["errors"]:
            where = f"{error['origin']}: {error['key']}" if error["key"] else error["origin"]
            _write(stdout, _clean(f"    error: {where}: {error['message']}") + "\n")
    if problems:
        _write(stdout, "\nProblems\n")
        for problem in problems:
            _write(stdout, _clean(f"  {problem}") + "\n")
    return EXIT_OK


# -- chorus audit (issue 15, desktop.core.audit) ------------------------------------------------------
def _audit_commands(commands: argparse._SubParsersAction) -> None:
    audit = commands.add_parser("audit", help="verify or export your audit trail (what was published, under "
                                "which policy)")
    actions = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = actions.add_parser(
        "verify", help="check that no record of the audit trail was removed, edited or reordered",
        description="Check the audit trail's hash chain. Exit status 0: intact (or empty); 1: broken, with the "
        "record where it breaks; 2: the profile could not be read. Reads the profile without changing it, also "
        "while Chorus is open.")
    verify.add_argument("--profile", metavar="DIR", type=Path,
                        help="the app's profile folder, as the app's --profile (default: the app's own profile)")
    export = actions.add_parser(
        "export", help="write the audit trail as CSV or JSON (standard output by default)",
        description="Write the audit trail for you to hand over on request; nothing is sent anywhere. The fields "
        "are documented in the README (\"Audit trail\"). JSON is one object with the verification and a "
        "\"records\" list (empty on a fresh profile); CSV has one row per record under fixed columns.")
    export.add_argument("--format", choices=("csv", "json"), default="json", help="output format (default: %(default)s)")
    export.add_argument("--since", metavar="DATE", help="only records from this date (YYYY-MM-DD, local midnight) "
                        "or date and time (YYYY-MM-DDTHH:MM, local, or with an offset such as +01:00)")
    export.add_argument("--output", metavar="FILE", type=Path, help="write to FILE instead of standard output")
    export.add_argument("--profile", metavar="DIR", type=Path,
                        help="the app's profile folder, as the app's --profile (default: the app's own profile)")


# Control characters in a CSV shown on a terminal (tab, newline and carriage return are CSV's own)
_UNSAFE_CSV = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _audit(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """``chorus audit verify|export``: the profile's drafts database opened read-only (never migrated,
    locked or written: Chorus may have it open), so a profile never started has an empty, intact trail."""
    from desktop.core.atomic import write_atomic
    from desktop.core.audit.export import file_bytes, parse_since
    from desktop.core.audit.trail import AuditTrail
    from desktop.core.errors import StorageError

    path = _profile_paths(args.profile).drafts_db
    name = f"chorus audit {args.audit_command}"
    trail = AuditTrail.open_read_only(path)
    since = None
    if args.audit_command == "export" and args.since:
        try:
            since = parse_since(args.since)
        except ValueError as exc:
            _say(stderr, f"{name}: --since {exc}")
            return EXIT_USAGE
    try:
        if path.exists() and not trail.has_trail():
            _say(stderr, f"{name}: {path} has no audit trail yet (database version {trail.schema_version()}): start "
                 "this version of Chorus once and it chains your publish history and acknowledgements into one.")
        if args.audit_command == "verify":
            verification = trail.verify()
            _say(stdout if verification.intact else stderr, f"{verification.summary()} ({path})")
            return EXIT_OK if verification.intact else EXIT_BLOCKED
        text, verification = trail.export_verified(args.format, since)
    except StorageError as exc:
        _say(stderr, f"{name}: {exc}")
        return EXIT_USAGE
    if args.format == "csv" and not verification.intact:  # JSON carries it; a CSV cannot, so it is said beside
        _say(stderr, f"{name}: warning: {verification.summary()}")
    if args.output is not None:
        try:
            write_atomic(args.output, file_bytes(args.format, text), mode=0o600)
        except OSError as exc:
            _say(stderr, f"{name}: cannot write {args.output}: {exc.strerror or exc}. Choose another file or folder.")
            return EXIT_USAGE
        _say(stderr, f"{name}: wrote {args.output}")
        return EXIT_OK
    if args.format == "json":  # still valid JSON, the same values: only escapes where a terminal would act
        text = _UNSAFE_JSON.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
    elif stdout.isatty():
        text = _UNSAFE_CSV.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100
                               else f"\\u{ord(m.group(0)):04x}", text)
    _write(stdout, text)
    return EXIT_OK
