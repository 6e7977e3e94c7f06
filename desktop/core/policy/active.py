"""The policy the app checks with: the configured one, else the last good copy, else none.

The ``policy.source`` setting names a built-in policy (``default``, ``acme-example``), a policy
file, or an ``https://`` address IT serves it from (:mod:`desktop.core.policy.remote`: downloaded
with ETags, its last valid download kept and used while the server cannot be reached or serves a
broken policy). :func:`load_active_policy` loads it; when that works, the file's text is kept in the
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
from desktop.core.hosts import shown_url
from desktop.core.policy import Policy, PolicyError, PolicyProblem, load_policy, policies_dir
from desktop.core.policy.remote import (
    CachedPolicy,
    PolicyDownloadCache,
    Refresh,
    RemotePolicy,
    is_policy_url,
    refresh,
    url_host,
)

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
    origin: str = ""  # "builtin", "file" or "url": what *configured* names
    # a URL policy: when its server last confirmed the text in use (a 200 or a 304; for a kept copy
    # used offline, when that copy was last confirmed)
    fetched_at: dt.datetime | None = None
    offline: bool = False  # a URL policy whose server could not be reached
    etag: str | None = None  # a URL policy: the ETag of the text in use

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
    def source_label(self) -> str:
        """Where the configured policy comes from, in a few words: built-in, a file path or a URL's host."""
        if self.origin == "url":
            return url_host(self.configured)
        if self.origin == "file":
            return str(policy_file(self.configured))
        return "built-in"

    def freshness(self, now: dt.datetime | None = None) -> str:
        """How fresh the policy in use is, for the status bar: "updated 5 min ago", "offline: using
        the copy from 2 Dec 14:03", "last good copy from …" ("" for a built-in policy in use)."""
        now = now or dt.datetime.now()
        if self.policy is None:
            return ""
        if self.origin == "url" and self.fetched_at is not None:
            if self.offline:
                return f"offline: using the copy from {_when(self.fetched_at, now)}"
            if self.problems:
                return f"update failed: using the copy from {_when(self.fetched_at, now)}"
            return f"updated {_ago(self.fetched_at, now)}"
        if self.fallback:
            return f"last good copy from {_when(self.fallback_saved_at, now)}" if self.fallback_saved_at \
                else "last good copy"
        if self.origin == "file":
            try:
                modified = dt.datetime.fromtimestamp(policy_file(self.configured).stat().st_mtime)
            except OSError:
                return ""
            return f"file saved {_when(modified, now)}"
        return ""

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
        if self.origin == "url":
            lines = [f"The policy at {shown_url(self.configured)} could not be "
                     f"{'downloaded' if self.policy is None or self.fetched_at is None else 'updated'}:"]
        else:
            lines = [f"The policy “{self.configured}” cannot be used:"]
        shown = self.problems[:MAX_PROBLEMS_SHOWN]
        lines.extend(f"• {problem}" for problem in shown)
        if len(self.problems) > len(shown):
            more = len(self.problems) - len(shown)
            lines.append(f"• …and {more} more problem{'s' if more != 1 else ''} "
                         "(`chorus policy validate FILE` lists them all)")
        if self.policy is not None and self.origin == "url" and self.fetched_at is not None:
            info = self.policy.info
            lines.append(f"Chorus keeps checking with the copy downloaded before: {info.name} {info.version}, "
                         f"last confirmed by the server {self.fetched_at:%d %b %Y %H:%M}.")
        elif self.policy is not None:
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


def load_active_policy(source: str, last_good: Path | None, *, remote: RemotePolicy | None = None,
                       refreshed: Refresh | None = None) -> ActivePolicy:
    """Load the policy *source* names; fall back to the copy at *last_good* (and keep it up to date).

    *last_good* None: no fallback and nothing is written (tests, the command line). A URL *source*
    needs *remote* (the downloader and the folder of the kept download); *refreshed* is a download
    already made for it (:func:`desktop.core.policy.remote.refresh`, on an I/O worker), else it is
    made here.
    """
    source = source.strip() or DEFAULT_SOURCE
    if is_policy_url(source):
        return _load_url_policy(source, last_good, remote, refreshed)
    is_path = source.endswith(".toml") or "/" in source or "\\" in source
    origin = "file" if is_path else "builtin"
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
        return ActivePolicy(source, policy, cache_problem=cache_problem, origin=origin)

    log.warning("the policy %s cannot be used: %s", source, "; ".join(str(p) for p in problems))
    return _last_good(source, last_good, problems, origin)


def _last_good(source: str, last_good: Path | None, problems: tuple[PolicyProblem, ...], origin: str,
               offline: bool = False) -> ActivePolicy:
    """The last good copy in place of the configured policy, which cannot be used for *problems*."""
    if last_good is None or not last_good.exists():
        return ActivePolicy(source, None, problems, origin=origin, offline=offline)
    try:
        policy = load_policy(last_good)
        saved = dt.datetime.fromtimestamp(last_good.stat().st_mtime)
    except PolicyError as exc:  # the copy was written by a version that read it differently, or tampered with
        log.error("the last good policy copy %s cannot be used either: %s", last_good, exc)
        return ActivePolicy(source, None, problems, origin=origin, offline=offline,
                            cache_problem=f"The last good copy ({last_good}) cannot be used either.")
    except Exception as exc:
        log.exception("loading the last good policy copy failed")
        return ActivePolicy(source, None, problems, origin=origin, offline=offline,
                            cache_problem=f"The last good copy ({last_good}) cannot be used either: {exc}")
    return ActivePolicy(source, policy, problems, fallback_saved_at=saved, origin=origin, offline=offline)


def policy_from_text(text: bytes, source: str) -> Policy:
    """A policy from the text of a policy file (a download), checked like :func:`load_policy` checks
    a file: every problem, including rules whose own examples fail, raises :class:`PolicyError`."""
    from desktop.core.policy.loader import parse_policy_document

    try:
        document = text.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PolicyError([PolicyProblem(source, None, None, f"is not UTF-8 text ({exc})")]) from None
    parsed = parse_policy_document(document, source)
    policy = Policy(parsed.info, parsed.rules)
    policy.warnings = parsed.warnings
    problems = policy.self_test()
    if problems:
        raise PolicyError(problems)
    return policy


def _load_url_policy(url: str, last_good: Path | None, remote: RemotePolicy | None,
                     refreshed: Refresh | None) -> ActivePolicy:
    """The policy at *url*: the new download when valid (kept), else the kept download of the same
    URL (saying why and how old), else the last good copy of any policy, else none."""
    where = shown_url(url)
    if remote is None:
        problem = PolicyProblem(where, None, None, "Chorus cannot download policies here; set a policy file or a "
                                "built-in policy, or start the app")
        return _last_good(url, last_good, (problem,), "url")
    outcome = refreshed if refreshed is not None and refreshed.url == url else refresh(url, remote)
    cached = outcome.cached

    def keep_using_cached(problems: tuple[PolicyProblem, ...], offline: bool = False) -> ActivePolicy:
        if cached is not None:
            try:
                policy = policy_from_text(cached.text, url)
            except PolicyError as exc:  # written by a version that read it differently, or tampered with
                log.error("the downloaded policy copy cannot be used either: %s", exc)
            else:
                return ActivePolicy(url, policy, problems, origin="url", fetched_at=cached.fetched_at,
                                    offline=offline, etag=cached.etag)
        return _last_good(url, last_good, problems, "url", offline)

    if outcome.error is not None:
        return keep_using_cached((PolicyProblem(where, None, None, outcome.error.message),), outcome.error.offline)
    download = outcome.download
    now = outcome.at or dt.datetime.now()
    assert download is not None
    if download.not_modified:
        if cached is None:
            return _last_good(url, last_good, (PolicyProblem(where, None, None, "the server answered “not modified” "
                                                             "but Chorus has no copy of the policy"),), "url")
        try:
            policy = policy_from_text(cached.text, url)
        except PolicyError as exc:
            return _last_good(url, last_good, tuple(exc.problems), "url")
        cache_problem = _confirm(remote.cache, cached, now)
        kept = _keep(last_good, cached.text) if last_good is not None else None
        return ActivePolicy(url, policy, origin="url", fetched_at=now, etag=cached.etag,
                            cache_problem=cache_problem or kept)
    try:
        policy = policy_from_text(download.body, url)
    except PolicyError as exc:
        log.warning("the policy downloaded from %s cannot be used: %s", where, "; ".join(str(p) for p in exc.problems))
        return keep_using_cached(tuple(exc.problems))
    except Exception as exc:  # a bug in a rule kind must not stop the app: report it like a policy problem
        log.exception("loading the downloaded policy %s failed", where)
        return keep_using_cached((PolicyProblem(where, None, None,
                                                f"could not be loaded ({type(exc).__name__}: {exc})"),))
    fresh = CachedPolicy(url, download.body, download.etag, download.last_modified, now)
    cache_problem = _store(remote.cache, fresh)
    kept = _keep(last_good, download.body) if last_good is not None else None
    return ActivePolicy(url, policy, origin="url", fetched_at=now, etag=download.etag,
                        cache_problem=cache_problem or kept)


def _store(cache: PolicyDownloadCache, fresh: CachedPolicy) -> str | None:
    try:
        cache.write(fresh)
    except OSError as exc:
        log.error("cannot keep the downloaded policy in %s: %s", cache.folder, exc)
        return f"Chorus could not keep a copy of the downloaded policy in {cache.folder} ({exc}); without the " \
               "network there will be nothing to fall back on."
    return None


def _confirm(cache: PolicyDownloadCache, cached: CachedPolicy, now: dt.datetime) -> str | None:
    try:
        cache.confirm(cached, now)
    except OSError as exc:
        log.error("cannot record the policy check in %s: %s", cache.folder, exc)
        return f"Chorus could not record the policy check in {cache.folder} ({exc})."
    return None


def _when(moment: dt.datetime, now: dt.datetime) -> str:
    """"14:03" today, "2 Dec 14:03" this year, "2 Dec 2025 14:03" before."""
    if moment.date() == now.date():
        return f"{moment:%H:%M}"
    if moment.year == now.year:
        return f"{moment.day} {moment:%b %H:%M}"
    return f"{moment.day} {moment:%b %Y %H:%M}"


def _ago(moment: dt.datetime, now: dt.datetime) -> str:
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        hours = int(seconds // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    return f"on {_when(moment, now)}"


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
