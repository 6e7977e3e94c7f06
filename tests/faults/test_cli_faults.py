"""Hostile and unlucky inputs to the command-line tools (issue 9, finding 7 and the policy-loader items).

Exit status 1 means "a block finding exists": a pipeline that sees it refuses the post. So a crash
must never end with 1; every failure is exit 2 with a message saying what went wrong. Each case runs
the real entry point (``python -m desktop ...``) as a process, with real files.
"""

from __future__ import annotations

import io
import json
import logging
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
import regex

from desktop import cli
from desktop.core.policy import PolicyError, builtin_policies, load_policy, parse_policy, policies_dir

REPO = Path(__file__).resolve().parents[2]
ACME = (policies_dir() / "acme-example.toml").read_text(encoding="utf-8")

HEAD = '[policy]\nid = "t"\nname = "Test policy"\nversion = "1"\nowner = "QA"\ncontact = "qa@example.com"\n'


def rule(body: str, rule_id: str = "R1") -> str:
    return (f'\n[[rules]]\nid = "{rule_id}"\ncategory = "c"\nkind = "lexicon"\nseverity = "block"\n'
            f'message = "Word: {{match}}"\nterms = ["widget"]\nexamples.flag = ["a widget"]\n{body}')


def chorus(*argv: str | bytes, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """`python -m desktop ARGV` from the repository, as a user runs it; output as bytes (checked for UTF-8)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return subprocess.run([sys.executable, "-m", "desktop", *argv], cwd=REPO, input=stdin, capture_output=True,
                          timeout=180, env=env)


def text(stream: bytes) -> str:
    return stream.decode("utf-8")  # strict: invalid UTF-8 in our output is itself a failure


def assert_failed_cleanly(result: subprocess.CompletedProcess[bytes], *words: str) -> str:
    err = text(result.stderr)
    assert result.returncode == 2, (result.returncode, err)
    assert "Traceback" not in err, err
    for word in words:
        assert word in err, err
    return err


# -- crashes that ended with exit 1 ---------------------------------------------------------------------
@pytest.fixture
def deep_policy(tmp_path: Path) -> Path:
    """4 KB: a valid head, then an array nested 2,000 levels deep (tomllib recurses once per level)."""
    path = tmp_path / "deep.toml"
    path.write_text(HEAD + rule("examples.pass = []\n") + "\n[sets]\nx = " + "[" * 2000 + "]" * 2000 + "\n",
                    encoding="utf-8")
    assert path.stat().st_size < 4500
    return path


def test_policy_nested_too_deeply_is_a_loader_error_not_a_crash(deep_policy: Path) -> None:
    err = assert_failed_cleanly(chorus("policy", "validate", str(deep_policy)), str(deep_policy),
                                "the policy file is nested too deeply", "1 problem")
    assert "RecursionError" not in err
    assert_failed_cleanly(chorus("check", "--policy", str(deep_policy), "-", stdin=b"hello"),
                          "cannot use the policy", "nested too deeply")
    with pytest.raises(PolicyError) as caught:
        load_policy(deep_policy)
    assert caught.value.problems[0].message.startswith("the policy file is nested too deeply")


def test_deeply_nested_json_line_is_a_per_line_error(tmp_path: Path) -> None:
    """Reported like any other bad --jsonl line today: exit 2, naming the file and line, after the good lines."""
    posts = tmp_path / "posts.jsonl"
    posts.write_text('{"id": 1, "text": "hello"}\n' + '{"id": 2, "text": ' + "[" * 100_000 + "]" * 100_000 + "}\n",
                     encoding="utf-8")
    result = chorus("check", "--policy", "acme-example", "--jsonl", str(posts))
    assert_failed_cleanly(result, f"{posts}:2:", "nested too deeply")
    assert [json.loads(line)["id"] for line in text(result.stdout).splitlines()] == [1]


def test_lone_surrogate_in_an_id_is_written_as_a_json_escape() -> None:
    line = '{"id": "post-\\ud800", "text": "nothing to see"}\n'
    result = chorus("check", "--policy", "acme-example", "--jsonl", stdin=line.encode("ascii"))
    assert result.returncode == 0, text(result.stderr)
    out = text(result.stdout)
    assert "\\ud800" in out
    assert json.loads(out) == {"id": "post-\ud800", "findings": []}


def test_lone_surrogate_inside_a_finding_is_written_as_a_json_escape() -> None:
    """The part of a too-long post past X's limit holds the surrogate: exit 1 is right here (it blocks)."""
    post = "word " * 80 + "\ud800 end"
    line = json.dumps({"id": "long", "text": post}) + "\n"
    result = chorus("check", "--policy", "default", "--network", "x", "--jsonl", stdin=line.encode("ascii"))
    assert result.returncode == 1 and not result.stderr, text(result.stderr)
    row = json.loads(text(result.stdout))
    [finding] = [f for f in row["findings"] if "\ud800" in f["text"]]
    assert post[finding["start"]:finding["end"]] == finding["text"]


def test_undecodable_file_name_is_escaped_in_text_output(tmp_path: Path) -> None:
    """A file name that is not UTF-8 reaches Python as lone surrogates: printed escaped, never raw bytes."""
    folder = os.fsencode(tmp_path)
    name = folder + b"/post-\xff.txt"
    with open(name, "wb") as handle:
        handle.write(b"Project Bluebird")
    result = chorus("check", "--policy", "acme-example", name)
    assert result.returncode == 1, text(result.stderr)
    out = text(result.stdout)
    assert "post-\\udcff.txt:1:1: block: Confidential codename" in out


def test_output_closed_early_is_exit_2_not_a_traceback(tmp_path: Path) -> None:
    posts = tmp_path / "many.jsonl"
    posts.write_text("".join(json.dumps({"id": i, "text": f"post {i} about Acme Vault"}) + "\n"
                             for i in range(20_000)), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    process = subprocess.Popen([sys.executable, "-m", "desktop", "check", "--policy", "acme-example", "--jsonl",
                                str(posts)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # the reader goes away, as `| head -1` does
    err = process.stderr.read().decode("utf-8")
    process.stderr.close()
    assert process.wait(timeout=180) == 2, err
    assert json.loads(first)["id"] == 0
    assert "output was closed" in err and "Traceback" not in err


def test_any_unexpected_error_is_exit_2_with_a_message_and_a_log_line(tmp_path: Path, caplog) -> None:
    """The last line of defence, with a real failing stream: standard output opened read-only."""
    path = tmp_path / "read-only-output.txt"
    path.write_text("", encoding="utf-8")
    err = io.StringIO()
    with open(path, encoding="utf-8") as unwritable, caplog.at_level(logging.ERROR, logger="chorus.cli"):
        code = cli.main(["check", "--policy", "acme-example", "-"], stdin=io.StringIO("hello"), stdout=unwritable,
                        stderr=err)
    assert code == 2
    assert "chorus check: unexpected error (UnsupportedOperation" in err.getvalue()
    assert "please report it" in err.getvalue()
    assert any("failed unexpectedly" in r.getMessage() and r.exc_info for r in caplog.records)


def test_stdin_that_is_not_utf8_is_a_usage_error() -> None:
    assert_failed_cleanly(chorus("check", "--policy", "acme-example", stdin=b"caf\xe9 \xff\xfe"),
                          "<stdin>: not UTF-8 text")


# -- byte order marks -----------------------------------------------------------------------------------
def test_policy_with_a_byte_order_mark_validates(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + ACME.encode("utf-8"))
    result = chorus("policy", "validate", str(path))
    assert result.returncode == 0, text(result.stderr)
    assert f"{path}: valid: Acme Corp" in text(result.stdout)
    assert load_policy(path).info.id == "acme-example"


def test_post_with_a_byte_order_mark_is_checked_without_it(tmp_path: Path) -> None:
    """Offsets and columns count from the first real character, from a file and from standard input."""
    post = tmp_path / "post.txt"
    post.write_bytes(b"\xef\xbb\xbfProject Bluebird")
    for argv, stdin in (([str(post)], b""), (["-"], post.read_bytes())):
        result = chorus("check", "--policy", "acme-example", "--format", "json", *argv, stdin=stdin)
        assert result.returncode == 1, text(result.stderr)
        [finding] = json.loads(text(result.stdout))["files"][0]["findings"]
        assert (finding["start"], finding["line"], finding["column"]) == (0, 1, 1)


# -- validate: unknown keys and typos are warnings with a suggestion -----------------------------------
def test_misspelt_examples_pass_is_a_warning_with_did_you_mean(tmp_path: Path) -> None:
    path = tmp_path / "typo.toml"
    path.write_text(HEAD + 'onwer = "QA"\n' + rule('examples.pas = ["a gadget"]\n'), encoding="utf-8")
    result = chorus("policy", "validate", str(path))
    assert result.returncode == 0, text(result.stderr)
    err = text(result.stderr)
    assert f"warning: {path}: rule R1: examples: unknown key `pas` in examples, ignored (did you mean `pass`?)" in err
    assert f"warning: {path}: [policy]: unknown key `onwer` in [policy], ignored (did you mean `owner`?)" in err
    assert "valid" in text(result.stdout) and "2 warnings" in text(result.stdout)

    strict = chorus("policy", "validate", "--strict", str(path))
    assert_failed_cleanly(strict, "did you mean `pass`?", "2 problems", "--strict")


def test_warnings_are_shown_with_the_problems_they_explain(tmp_path: Path) -> None:
    path = tmp_path / "rule-not-rules.toml"
    path.write_text(HEAD + rule("examples.pass = []\n").replace("[[rules]]", "[[rule]]"), encoding="utf-8")
    assert_failed_cleanly(chorus("policy", "validate", str(path)), "a policy needs at least one [[rules]] entry",
                          "unknown key `rule` in the policy file (top level), ignored (did you mean `rules`?)")


def test_built_in_policies_have_no_warnings() -> None:
    for name in builtin_policies():
        assert load_policy(name).warnings == [], name


# -- escape codes from a policy never reach the terminal raw ---------------------------------------------
def test_escape_codes_in_policy_messages_are_printed_escaped(tmp_path: Path) -> None:
    path = tmp_path / "escapes.toml"
    path.write_text(
        HEAD.replace('name = "Test policy"', 'name = "Test \\u001b[2J policy"')
        + rule('examples.pass = []\ntip = "Reset \\u009b0m here"\n').replace(
            'message = "Word: {match}"', 'message = "Word \\u001b]0;pwned\\u0007 {match} \\u202e"'),
        encoding="utf-8")
    result = chorus("check", "--policy", str(path), stdin=b"my widget")
    assert result.returncode == 1, text(result.stderr)
    out = text(result.stdout)
    for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert raw not in out
    assert "<stdin>:1:4: block: Word \\x1b]0;pwned\\x07 widget \\u202e [R1]" in out
    assert "    tip: Reset \\x9b0m here" in out
    assert "Test \\x1b[2J policy 1 (no network)" in out

    as_json = chorus("check", "--policy", str(path), "--format", "json", stdin=b"my widget")
    raw_json = text(as_json.stdout)
    assert "\x9b" not in raw_json and "\u202e" not in raw_json and "\x1b" not in raw_json
    assert json.loads(raw_json)["files"][0]["findings"][0]["tip"] == "Reset \x9b0m here"

    validated = chorus("policy", "validate", str(path))
    assert validated.returncode == 0
    assert "\x1b" not in text(validated.stdout) + text(validated.stderr)
    assert "rule R1: message: contains control character(s) U+0007, U+001B, U+202E" in text(validated.stderr)


# -- catastrophic patterns made of rare characters are refused at load -----------------------------------
# pattern -> a text on which it backtracks for far longer than a keystroke may take
RARE_CATASTROPHIC = {
    "(?:%|%)+~": "%" * 40 + "\x00~",
    "x(?:%|%)+~": "x" + "%" * 40 + "\x00~",
    r"(?:\x25|%)+~": "%" * 40 + "\x00~",
    "(?:~|~)+[^~]": "~" * 40,
    "q(?:é|é)+z": "q" + "é" * 40 + "\x00z",
    r"(?:\t|\t)+!": "\t" * 40 + "\x00!",
    r"\[(?:\]|\])*\[": "[" + "]" * 40 + "\x00[",
    "(?:\\u2603|☃)+\\u2604": "☃" * 40 + "\x00\u2604",
}


@pytest.mark.parametrize("pattern", list(RARE_CATASTROPHIC))
def test_rare_character_pattern_really_backtracks(pattern: str) -> None:
    with pytest.raises(TimeoutError):
        regex.compile(pattern, regex.IGNORECASE).search(RARE_CATASTROPHIC[pattern], timeout=0.3)


@pytest.mark.parametrize("pattern", list(RARE_CATASTROPHIC))
def test_rare_character_catastrophic_pattern_is_refused_at_load(pattern: str) -> None:
    document = HEAD + rule(f"examples.pass = []\nunless = [{json.dumps(pattern)}]\n")
    with pytest.raises(PolicyError) as caught:
        parse_policy(document, "rare.toml")
    [problem] = caught.value.problems
    assert (problem.rule_id, problem.field) == ("R1", "unless")
    assert "catastrophic backtracking" in problem.message


def test_validate_refuses_the_percent_pattern_naming_rule_and_field(tmp_path: Path) -> None:
    """The issue's policy: one term with term-level `unless` patterns that the old probes never tried."""
    path = tmp_path / "percent.toml"
    path.write_text(HEAD + '\n[[rules]]\nid = "R-term"\ncategory = "c"\nkind = "lexicon"\nseverity = "block"\n'
                    'message = "m"\nterms = [{ term = "widget", unless = ["(?:%|%)+~"] }]\n'
                    'examples.flag = ["a widget"]\nexamples.pass = []\n', encoding="utf-8")
    assert_failed_cleanly(chorus("policy", "validate", str(path)),
                          f"{path}: rule R-term: terms.widget.unless: can take too long", "(?:%|%)+~")


# -- line and column: found once per text, right everywhere ------------------------------------------------
def test_line_index_agrees_with_counting_line_breaks() -> None:
    rng = random.Random(9)
    post = "".join(rng.choice(["a", "é", "🦉", " ", "\n", "\n\n", "\r\n"]) for _ in range(5000))
    lines = cli._LineIndex(post)
    for index in [0, 1, len(post) - 1, len(post), *rng.sample(range(len(post)), 300)]:
        line = post.count("\n", 0, index) + 1
        column = index - (post.rfind("\n", 0, index) + 1) + 1
        assert lines.line_column(index) == {"line": line, "column": column}
