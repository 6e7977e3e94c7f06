"""The policy the app checks with: the configured one, else the last good copy, else none.

The ``policy.source`` setting names a built-in policy (``default``, ``acme-example``) or a policy
file. :func:`load_active_policy` loads it; when that works, the file's text is kept in the
profile's data folder (``AppPaths.last_good_policy``) so that a later broken edit of the file (or a
policy file that disappeared from a network share) does not leave the author without checking:
the app keeps the last good policy and says so, naming every problem of the broken one (file, rule
id, field, what is wrong). With neither, there is no valid policy: drafting still works, live
checking is off, and publishing is refused (fail closed).

Pure Python and blocking (it reads files and runs every rule's examples): the UI calls it on a
worker lane.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from desktop.core.atomic import write_atomic
from desktop.core.policy import Policy, PolicyError, PolicyProblem, load_policy, policies_dir

log = logging.getLogger(__name__)

DEFAULT_SOURCE = "default"
MAX_PROBLEMS_SHOWN = 6


@dataclass(frozen=True)
class ActivePolicy:
    """The outcome of loading the configured policy."""

    configured: str  # the policy.source setting as given
    policy: Policy | None  # what to check with (None: no valid policy at all)
    problems: tuple[PolicyProblem, ...] = ()  # why the configured policy cannot be used (empty: it is in use)
    fallback_saved_at: dt.datetime | None = None  # set when *policy* is the last good copy
    cache_problem: str | None = None  # the last good copy could not be written or read (logged, shown)

    @property
    def ok(self) -> bool:
        """The configured policy itself is in use."""
        return self.policy is not None and not self.problems

    @property
    def fallback(self) -> bool:
        return self.policy is not None and bool(self.problems)

    @property
    def label(self) -> str:
        """What is in use, for a status bar: the policy's name and version."""
        if self.policy is None:
            return "No valid policy"
        info = self.policy.info
        return f"{info.name} {info.version}"

    @property
    def off_reason(self) -> str | None:
        """Why there is no policy to check with, completing "Publishing is refused: …" (None: there is one)."""
        if self.policy is not None:
            return None
        return (f"there is no valid policy (the policy “{self.configured}” cannot be used and there is no last "
                "good copy of one). Fix the policy file, or choose another policy in Settings.")

    @property
    def refusal(self) -> str | None:
        """Why publishing is refused whatever the post says (None: a policy is in use)."""
        reason = self.off_reason
        return f"Publishing is refused: {reason}" if reason else None

    @property
    def notice(self) -> str | None:
        """A message for the author when the configured policy is not the one in use (None: all is well)."""
        if self.ok:
            return self.cache_problem
        lines = [f"The policy “{self.configured}” cannot be used:"]
        shown = self.problems[:MAX_PROBLEMS_SHOWN]
        lines.extend(f"• {problem}" for problem in shown)
        if len(self.problems) > len(shown):
            more = len(self.problems) - len(shown)
            lines.append(f"• …and {more} more problem{'s' if more != 1 else ''} "
                         "(`chorus policy validate FILE` lists them all)")
        if self.policy is not None:
            info = self.policy.info
            when = f", saved {self.fallback_saved_at:%d %b %Y %H:%M}" if self.fallback_saved_at else ""
            lines.append(f"Chorus keeps checking with the last good policy: {info.name} {info.version}{when}.")
        else:
            lines.append("There is no last good copy to fall back on, so policy checking is off and publishing "
                         "is refused until the policy is fixed.")
        if self.cache_problem:
            lines.append(self.cache_problem)
        return "\n".join(lines)


def policy_file(source: str) -> Path:
    """The file a ``policy.source`` value names: a built-in policy's file, or the path itself."""
    source = source.strip()
    if source.endswith(".toml") or "/" in source or "\\" in source:
        return Path(source).expanduser()
    return policies_dir() / f"{source}.toml"


def load_active_policy(source: str, last_good: Path | None) -> ActivePolicy:
    """Load the policy *source* names; fall back to the copy at *last_good* (and keep it up to date).

    *last_good* None: no fallback and nothing is written (tests, the command line).
    """
    source = source.strip() or DEFAULT_SOURCE
    is_path = source.endswith(".toml") or "/" in source or "\\" in source
    try:
        before = _read(policy_file(source))
        policy = load_policy(policy_file(source) if is_path else source)
    except PolicyError as exc:
        problems = tuple(exc.problems)
    except Exception as exc:  # a bug in a rule kind must not stop the app: report it like a policy problem
        log.exception("loading the policy %s failed", source)
        problems = (PolicyProblem(source, None, None, f"could not be loaded ({type(exc).__name__}: {exc})"),)
    else:
        cache_problem = None
        if last_good is not None and before is not None and _read(policy_file(source)) == before:
            cache_problem = _keep(last_good, before)
        return ActivePolicy(source, policy, cache_problem=cache_problem)

    log.warning("the policy %s cannot be used: %s", source, "; ".join(str(p) for p in problems))
    if last_good is None or not last_good.exists():
        return ActivePolicy(source, None, problems)
    try:
        policy = load_policy(last_good)
        saved = dt.datetime.fromtimestamp(last_good.stat().st_mtime)
    except PolicyError as exc:  # the copy was written by a version that read it differently, or tampered with
        log.error("the last good policy copy %s cannot be used either: %s", last_good, exc)
        return ActivePolicy(source, None, problems,
                            cache_problem=f"The last good copy ({last_good}) cannot be used either.")
    except Exception as exc:
        log.exception("loading the last good policy copy failed")
        return ActivePolicy(source, None, problems,
                            cache_problem=f"The last good copy ({last_good}) cannot be used either: {exc}")
    return ActivePolicy(source, policy, problems, fallback_saved_at=saved)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _keep(last_good: Path, text: bytes) -> str | None:
    """Save *text* as the last good policy unless it already is; a message when that fails."""
    if _read(last_good) == text:
        return None
    try:
        write_atomic(last_good, text)
    except OSError as exc:
        log.error("cannot keep the last good policy in %s: %s", last_good, exc)
        return f"Chorus could not keep a copy of this policy in {last_good} ({exc}); if the policy file breaks " \
               "later, there will be nothing to fall back on."
    return None
