"""`chorus check` and `chorus policy validate`: output formats, offsets and exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import cli

REPO = Path(__file__).resolve().parents[2]


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_text_output_gives_line_column_severity_and_exit_1_on_block(tmp_path: Path) -> None:
    post = tmp_path / "post.txt"
    post.write_text("Hello team!\n🚀 Project Bluebird ships next week #AcmeEmployee\n", encoding="utf-8")
    code, out, _ = run("check", "--policy", "acme-example", str(post))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"{post}:2:3: block: Confidential codename: Project Bluebird [R3-codename]")
    assert any(":2:" in line and "warn:" in line and "next week" in line for line in lines)
    assert lines[-1].endswith("1 block, 1 warn, 0 info")


def test_clean_text_from_stdin_exits_0() -> None:
    code, out, _ = run("check", "--policy", "acme-example", "-", stdin="Lovely walk by the sea today.")
    assert code == 0
    assert out.splitlines()[-1].endswith("0 block, 0 warn, 0 info")


def test_warn_only_exits_0() -> None:
    code, _, _ = run("check", "--policy", "acme-example", stdin="Big thanks to Initech for the visit")
    assert code == 0


def test_json_format_has_code_point_offsets_and_line_column() -> None:
    text = "👩‍👩‍👧 family day\nour NIGHTJAR team"
    code, out, _ = run("check", "--policy", "acme-example", "--format", "json", stdin=text)
    payload = json.loads(out)
    assert code == 1 and payload["blocked"] is True
    assert payload["policy"]["id"] == "acme-example"
    [finding] = payload["files"][0]["findings"]
    assert text[finding["start"] : finding["end"]] == "NIGHTJAR" == finding["text"]
    assert (finding["line"], finding["column"]) == (2, 5)
    assert finding["category"] == "codename" and finding["tip"]


def test_jsonl_keeps_input_order_and_offsets_into_each_text() -> None:
    posts = [{"id": "a", "text": "🦉🦉 Acme Vault is great"}, {"id": 7, "text": "nothing here"},
             {"id": "c", "text": "Heard a nightjar tonight. Project Nightjar though!"}]
    code, out, _ = run("check", "--policy", "acme-example", "--jsonl",
                       stdin="\n".join(json.dumps(p) for p in posts) + "\n")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["id"] for row in rows] == ["a", 7, "c"]
    assert code == 1
    for post, row in zip(posts, rows, strict=True):
        for finding in row["findings"]:
            assert set(finding) == {"rule_id", "category", "severity", "start", "end", "text", "message"}
            assert post["text"][finding["start"] : finding["end"]] == finding["text"]
    assert rows[0]["findings"][0]["start"] == 3  # code points: each owl is one
    assert rows[1]["findings"] == []
    assert [f["text"] for f in rows[2]["findings"]] == ["Project Nightjar"]


def test_jsonl_bad_line_is_a_usage_error() -> None:
    code, _, err = run("check", "--policy", "acme-example", "--jsonl", stdin='{"id": 1}\n')
    assert code == 2 and "<stdin>:1" in err


def test_network_decides_the_length_limit() -> None:
    text = "word " * 70  # 350 characters: too long for X and Bluesky, fine for LinkedIn and Mastodon
    assert run("check", "--policy", "acme-example", "--network", "x", stdin=text)[0] == 1
    assert run("check", "--policy", "acme-example", "--network", "bluesky", stdin=text)[0] == 1
    assert run("check", "--policy", "acme-example", "--network", "mastodon", stdin=text)[0] == 0
    assert run("check", "--policy", "acme-example", stdin=text)[0] == 0  # acme's default: LinkedIn


@pytest.mark.parametrize("argv", [("check", "--network", "myspace"), ("check", "--format", "xml"), ("policy",),
                                  ("check", "--policy", "no-such-policy"), ("check", "/no/such/file.txt")])
def test_usage_and_policy_errors_exit_2(argv: tuple[str, ...]) -> None:
    code, _, err = run(*argv, stdin="hi")
    assert code == 2
    assert err.strip()


def test_validate_reports_every_problem_with_file_rule_and_field(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(
        '[policy]\nid = "x"\nname = "X"\nversion = "1"\nowner = "o"\ncontact = "c"\n'
        '[[rules]]\nid = "A"\ncategory = "c"\nkind = "lexicon"\nseverity = "fatal"\nmessage = "m"\nterms = ["foo"]\n'
        'examples.flag = ["foo"]\nexamples.pass = ["bar"]\n'
        '[[rules]]\nid = "B"\ncategory = "c"\nkind = "pattern"\nseverity = "warn"\nmessage = "m"\npattern = "(a+)+$"\n'
        'examples.flag = ["aaa"]\nexamples.pass = ["b"]\n',
        encoding="utf-8",
    )
    code, _, err = run("policy", "validate", str(broken))
    assert code == 2
    assert f"{broken}: rule A: severity: must be one of block, warn, info, not 'fatal'" in err
    assert f"{broken}: rule B: pattern: can take too long" in err
    assert "2 problems" in err


def test_validate_a_good_policy_and_list_builtins() -> None:
    code, out, _ = run("policy", "validate", "acme-example")
    assert code == 0 and "valid" in out and "examples passed" in out
    code, out, _ = run("policy", "list")
    assert code == 0
    assert {line.split("\t")[0] for line in out.splitlines()} >= {"default", "acme-example"}


def test_main_py_dispatches_check_without_qt() -> None:
    """The real entry point, as a process: exit code 1 and no Qt imported (works without a display)."""
    code = ("import runpy, sys; sys.argv = ['main.py', 'check', '--policy', 'acme-example', '-'];"
            "\ntry:\n    runpy.run_path('main.py', run_name='__main__')\nexcept SystemExit as e:\n"
            "    assert 'PySide6' not in sys.modules, 'Qt imported'\n    raise")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, input="AKIAIOSFODNN7EXAMPLE", text=True,
                            capture_output=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "block: This looks like a credential" in result.stdout


def test_validate_suggests_the_nearest_name_for_misspelt_fields_and_choices(tmp_path: Path) -> None:
    """Unknown rule fields stay problems (the rule would silently lose them); the message says what was meant."""
    typo = tmp_path / "typo.toml"
    typo.write_text(
        '[policy]\nid = "x"\nname = "X"\nversion = "1"\nowner = "o"\ncontact = "c"\ndefault_network = "linkdin"\n'
        '[[rules]]\nid = "A"\ncategory = "c"\nkind = "lexcon"\nmessage = "m"\nterms = ["foo"]\n'
        'examples.flag = ["foo"]\n'
        '[[rules]]\nid = "B"\ncategory = "c"\nkind = "lexicon"\nseverty = "warn"\nmessage = "m"\nterms = ["foo"]\n'
        'examples.flag = ["foo"]\n',
        encoding="utf-8",
    )
    code, _, err = run("policy", "validate", str(typo))
    assert code == 2
    assert f"{typo}: rule A: kind: must be one of" in err and "not 'lexcon' (did you mean `lexicon`?)" in err
    assert f"{typo}: rule B: unknown field(s) for a lexicon rule: severty (did you mean `severity`?)" in err
    assert "not 'linkdin' (did you mean `linkedin`?)" in err


def test_validate_lists_warnings_and_still_passes(tmp_path: Path) -> None:
    policy = tmp_path / "warned.toml"
    policy.write_text(
        '\ufeff[policy]\nid = "x"\nname = "X"\nversion = "1"\nowner = "o"\ncontact = "c"\n'
        '[[rules]]\nid = "A"\ncategory = "c"\nkind = "lexicon"\nmessage = "m"\nterms = ["foo"]\n'
        'examples.flag = ["foo"]\nexamples.passs = ["bar"]\nquick_fix = { label = "Drop it", replace = "", lable = "?" }\n',
        encoding="utf-8",
    )
    code, out, err = run("policy", "validate", str(policy))
    assert code == 0 and "valid: X 1, 1 rules, 1 examples passed, 2 warnings" in out
    assert "rule A: examples: unknown key `passs` in examples, ignored (did you mean `pass`?)" in err
    assert "rule A: quick_fix: unknown key `lable` in quick_fix, ignored (did you mean `label`?)" in err
    code, out, err = run("policy", "validate", "--strict", str(policy))
    assert code == 2 and not out and "2 problems" in err
