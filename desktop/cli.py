"""Headless commands, like Vale for communications teams and CI pipelines (no Qt, no display).

    chorus check [--policy NAME|PATH] [--network NAME] [--format text|json] [--jsonl] [FILE ...]
    chorus policy validate PATH
    chorus policy list

Exit status: 0 when nothing blocks, 1 when a block finding exists (or, for ``validate``, the
policy has problems), 2 on usage errors and on a policy that cannot be loaded.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from desktop import APP_NAME
from desktop.core.networks import NETWORKS, parse_network

EXIT_OK, EXIT_BLOCKED, EXIT_USAGE = 0, 1, 2
COMMANDS = ("check", "policy")


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
                       help="a built-in policy name (default, acme-example) or a .toml policy file (default: %(default)s)")
    check.add_argument("--network", metavar="NAME", type=_network,
                       help=f"the network the post is for ({', '.join(NETWORKS)}); decides the length limit "
                       "(default: the policy's own default network, if any)")
    check.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: %(default)s)")
    check.add_argument("--jsonl", action="store_true",
                       help='each input line is {"id": ..., "text": ...}; each output line is '
                       '{"id": ..., "findings": [...]} with code-point offsets, in input order')

    policy = commands.add_parser("policy", help="work with policy files")
    policy_commands = policy.add_subparsers(dest="policy_command", required=True, metavar="ACTION")
    validate = policy_commands.add_parser(
        "validate",
        help="load a policy file, run its rules' examples and report every problem",
        description="Load a policy file and run every rule's own examples. Exit status 0: valid; 2: problems.",
    )
    validate.add_argument("path", metavar="PATH", help="a .toml policy file (or a built-in policy name)")
    policy_commands.add_parser("list", help="list the built-in policies")
    return parser


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
    if args.command == "check":
        return _check(args, stdin, stdout, stderr)
    if args.policy_command == "list":
        return _list(stdout)
    return _validate(args.path, stdout, stderr)


def _load(name_or_path: str, stderr: TextIO):
    from desktop.core.policy import PolicyError, load_policy

    try:
        return load_policy(name_or_path)
    except PolicyError as exc:
        print(f"chorus: cannot use the policy: {exc}", file=stderr)
        return None


def _check(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    policy = _load(args.policy, stderr)
    if policy is None:
        return EXIT_USAGE
    inputs = _read_inputs(args.files, stdin, stderr)
    if inputs is None:
        return EXIT_USAGE
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
                except (ValueError, KeyError, TypeError) as exc:
                    print(f"chorus: {name}:{line_number}: not a {{\"id\": ..., \"text\": ...}} line ({exc})", file=stderr)
                    return EXIT_USAGE
                findings = policy.check(text, args.network)
                blocked = blocked or any(f.severity.value == "block" for f in findings)
                stdout.write(json.dumps({"id": post_id, "findings": [f.as_json() for f in findings]},
                                        ensure_ascii=False) + "\n")
        return EXIT_BLOCKED if blocked else EXIT_OK
    results = []
    for name, text in inputs:
        findings = policy.check(text, args.network)
        blocked = blocked or any(f.severity.value == "block" for f in findings)
        results.append((name, text, findings))
    if args.format == "json":
        payload = {
            "policy": {"id": policy.info.id, "version": policy.info.version},
            "network": args.network or policy.info.default_network,
            "files": [
                {"file": name, "findings": [{**f.as_json(), **_line_column(text, f.start),
                                             "explanation": f.explanation, "tip": f.tip} for f in findings]}
                for name, text, findings in results
            ],
            "blocked": blocked,
        }
        stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_text(results, policy, args.network, stdout)
    return EXIT_BLOCKED if blocked else EXIT_OK


def _read_inputs(files: list[str], stdin: TextIO, stderr: TextIO) -> list[tuple[str, str]] | None:
    inputs = []
    for name in files or ["-"]:
        if name == "-":
            inputs.append(("<stdin>", stdin.read()))
            continue
        try:
            inputs.append((name, Path(name).read_text(encoding="utf-8")))
        except FileNotFoundError:
            print(f"chorus: {name}: no such file", file=stderr)
            return None
        except UnicodeDecodeError:
            print(f"chorus: {name}: not UTF-8 text", file=stderr)
            return None
        except OSError as exc:
            print(f"chorus: {name}: cannot read it ({exc.strerror})", file=stderr)
            return None
    return inputs


def _line_column(text: str, index: int) -> dict[str, int]:
    """1-based line and column (in code points) of a code-point index."""
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return {"line": line, "column": column}


def _print_text(results: Iterable[tuple[str, str, list]], policy, network: str | None, out: TextIO) -> None:
    totals = {"block": 0, "warn": 0, "info": 0}
    for name, text, findings in results:
        for finding in findings:
            where = _line_column(text, finding.start)
            totals[finding.severity.value] += 1
            excerpt = finding.text if len(finding.text) <= 60 else finding.text[:57] + "..."
            excerpt = excerpt.replace("\n", "⏎")
            out.write(f"{name}:{where['line']}:{where['column']}: {finding.severity.value}: {finding.message} "
                      f"[{finding.rule_id}] \"{excerpt}\"\n")
            if finding.tip:
                out.write(f"    tip: {finding.tip}\n")
    summary = ", ".join(f"{count} {severity}" for severity, count in totals.items())
    target = network or policy.info.default_network or "no network"
    out.write(f"{policy.info.name} {policy.info.version} ({target}): {summary}\n")


def _validate(path: str, stdout: TextIO, stderr: TextIO) -> int:
    from desktop.core.policy import PolicyError, load_policy

    try:
        policy = load_policy(path)
    except PolicyError as exc:
        for problem in exc.problems:
            print(f"{problem}", file=stderr)
        count = len(exc.problems)
        print(f"chorus: {count} problem{'s' if count != 1 else ''}; the policy cannot be used", file=stderr)
        return EXIT_USAGE
    examples = sum(len(rule.examples_flag) + len(rule.examples_pass) for rule in policy.rules)
    stdout.write(f"{policy.info.source}: valid: {policy.info.name} {policy.info.version}, {len(policy.rules)} rules, "
                 f"{examples} examples passed\n")
    return EXIT_OK


def _list(stdout: TextIO) -> int:
    from desktop.core.policy import builtin_policies, load_policy

    for name in builtin_policies():
        policy = load_policy(name, run_examples=False)
        stdout.write(f"{name}\t{policy.info.name} {policy.info.version}\n")
    return EXIT_OK
