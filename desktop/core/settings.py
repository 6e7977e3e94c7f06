"""Settings: each declared once (key, type, default, help), read through one layered lookup.

Levels, lowest first (Chrome's model): the built-in defaults < *recommended* values IT sets (a
default the user may change) < the user's own settings file < *mandatory* values IT sets (locked:
shown as "Managed by your organisation" with their origin). The managed levels come from the
places IT writes (:mod:`desktop.core.managed`, read by :mod:`desktop.adapters.managed_settings`);
:meth:`Settings.origin` names where each value in force came from.

A value of the wrong type, in any layer, is reported as a :class:`SettingsProblem` and ignored,
never a crash. A settings file that is not valid JSON is moved aside (nothing is overwritten) and
reported. Values Chorus does not understand are kept in the file as they were, so a newer Chorus
sharing the profile loses nothing. Secret settings (``SettingSpec.secret``) are taken only from the
mandatory level: never from, nor written to, the user's file.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from desktop.core.atomic import write_atomic
from desktop.core.managed import ManagedState, ManagedValue, SourceReport
from desktop.core.networks import DISPLAY_NAMES, NETWORKS, REGISTRY
from desktop.core.setting_spec import Kind, SettingSpec

SCHEMA_VERSION = 1

# Ordered upgrades of the user's settings file: (version it produces, function of the old values).
# Version 1 is the first format ({"schema_version": 1, "values": {...}}); a file without a version
# is read as version 1 (hand-written by IT or a person). Add a step here, with a test reading a
# real file of the older version (tests/data/settings-v*.json), whenever a key changes meaning.
MIGRATIONS: tuple[tuple[int, Callable[[dict[str, Any]], dict[str, Any]]], ...] = ()


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "appearance.theme",
        Kind.CHOICE,
        "system",
        "Colour scheme",
        "Follow the operating system's light or dark mode, or force one.",
        "Appearance",
        choices=(("system", "Same as the system"), ("light", "Light"), ("dark", "Dark")),
    ),
    SettingSpec(
        "editor.font_size",
        Kind.INT,
        12,
        "Editor font size",
        "Point size of the text in the composer.",
        "Appearance",
        minimum=8,
        maximum=36,
    ),
    SettingSpec(
        "composer.networks",
        Kind.NETWORKS,
        NETWORKS,
        "Length counters",
        "Networks whose length limits the composer counts as you type.",
        "Composer",
        choices=tuple(DISPLAY_NAMES.items()),
    ),
    SettingSpec(
        "policy.source",
        Kind.TEXT,
        "default",
        "Social-media policy",
        "The policy your posts are checked against: a built-in policy by name (default, acme-example) or "
        "the path of a policy file (.toml), or the https:// address IT serves it from (downloaded at start and "
        "every few hours; plain http:// is refused except to this computer). If it is broken or cannot be "
        "downloaded, Chorus keeps checking with the last good one and says so.",
        "Policy",
    ),
    SettingSpec(
        "policy.refresh_hours",
        Kind.INT,
        4,
        "Policy update interval (hours)",
        "How often Chorus asks the policy server whether the policy changed, when the policy is an https:// "
        "address. An unchanged policy costs one small request (ETag, 304 Not Modified).",
        "Policy",
        minimum=1,
        maximum=168,
    ),
    SettingSpec(
        "network.proxy",
        Kind.TEXT,
        "",
        "Proxy",
        "The proxy for every connection Chorus makes (networks, policy download). Empty: the system's proxy "
        "(HTTPS_PROXY/NO_PROXY, else the operating system's manual proxy setting; auto-config/WPAD is not "
        "detected). \"direct\": no proxy. An address such as http://proxy.example.com:3128 (user:password@ "
        "allowed): used for every server. pac+https://intranet.example.com/proxy.pac: a proxy auto-config "
        "script, downloaded directly and evaluated per server (first PROXY or DIRECT answer; if the script "
        "cannot be downloaded, Chorus connects directly, as browsers do).",
        "Network",
    ),
    SettingSpec(
        "network.ca_certificates",
        Kind.TEXT,
        "",
        "Extra CA certificates",
        "The path of a PEM file of root certificates Chorus trusts for HTTPS in addition to the operating "
        "system's trust store, e.g. the root of a TLS-inspecting proxy or of the intranet's own certificate "
        "authority. Empty: the operating system's trust store only. An unreadable file stops every connection "
        "with a message naming it.",
        "Network",
    ),
    SettingSpec(
        "logging.level",
        Kind.CHOICE,
        "info",
        "Log detail",
        "How much Chorus writes to its log file. Tokens are always removed from the log.",
        "Support",
        choices=(("warning", "Problems only"), ("info", "Normal"), ("debug", "Everything (for support)")),
    ),
    # what IT manages for accounts (desktop.core.accounts.linking.LinkRules enforces them)
    SettingSpec(
        "accounts.linking_allowed",
        Kind.BOOL,
        True,
        "Allow linking accounts",
        "Whether people may link their social-media accounts to Chorus. Off: Chorus still checks posts "
        "against the policy, but no account can be linked (accounts linked before stay linked).",
        "Accounts",
    ),
    SettingSpec(
        "accounts.allowed_networks",
        Kind.NETWORKS,
        NETWORKS,
        "Networks that may be linked",
        "The networks whose accounts people may link. A network left out is not offered in Link account….",
        "Accounts",
        choices=tuple(DISPLAY_NAMES.items()),
    ),
    SettingSpec(
        "tips.folder",
        Kind.TEXT,
        "",
        "Tips folder",
        "A folder of your organisation's own writing tips shown beside policy findings (a local or network "
        "path). Empty: only the tips that come with Chorus.",
        "Policy",
    ),
    SettingSpec(
        "tips.show_at_start",
        Kind.BOOL,
        True,
        "Show tips at start",
        "Show a tip of the day when Chorus starts: a short lesson on posting well, a different one each day.",
        "Policy",
    ),
    SettingSpec(
        "demo.available",
        Kind.BOOL,
        True,
        "Demo mode available",
        "Whether Chorus offers its demo mode (sample accounts that publish nowhere). Turn off where a demo "
        "could be mistaken for real publishing.",
        "Support",
    ),
    # training (issue 13, desktop.core.training): the check of understanding before the first publish
    SettingSpec(
        "training.quiz_required",
        Kind.BOOL,
        False,
        "Require the policy check before publishing",
        "Whether each person must pass the short check of understanding of the company policy (questions built "
        "from the policy's own examples) before they can publish under a new policy version. Off: the check is "
        "offered, not required; acknowledging the policy's summary is always required.",
        "Policy",
    ),
    # the audit trail (issue 15, desktop.core.audit): whether each publish's record keeps the post's text
    SettingSpec(
        "audit.include_text",
        Kind.BOOL,
        False,
        "Keep each post's text in the audit trail",
        "Whether the audit trail records the full text of every post published, not only its SHA-256 fingerprint "
        "(which already proves which text was sent: compare it with the post). Off by default: the trail is made "
        "to be handed over on request, and keeping every post's words in it copies more personal data than the "
        "proof needs. Turn on where your compliance rules require the words themselves.",
        "Policy",
    ),
    # the guided tour (desktop.ui.tour): on at first start, turned off once the tour has been shown
    SettingSpec(
        "tour.show_at_start",
        Kind.BOOL,
        True,
        "Show the guided tour at the next start",
        "A short tour of the window (drafts, editor, findings, ideas, tips, accounts, publishing) shown once, on the "
        "first start; it turns itself off once shown. Help → Take the tour shows it any time. IT can turn it "
        "off where people are trained otherwise.",
        "Support",
    ),
    # publish later (desktop.core.publishing.schedule, desktop.ui.publishing.scheduled)
    SettingSpec(
        "publishing.time_zone",
        Kind.TEXT,
        "",
        "Time zone for scheduled posts",
        "The IANA time zone (for example Europe/Paris or America/New_York) in which you choose when a scheduled "
        "post goes out. Empty: this computer's time zone. Each post keeps the zone it was scheduled in.",
        "Publishing",
    ),
    SettingSpec(
        "publishing.keep_running",
        Kind.CHOICE,
        "ask",
        "When the window is closed with scheduled posts waiting",
        "Scheduled posts go out only while Chorus runs. Keep running in the system tray (the posts go out on "
        "time), quit (they are offered again at the next start, never sent without asking), or ask the first time.",
        "Publishing",
        choices=(("ask", "Ask the first time"), ("tray", "Keep running in the tray"), ("quit", "Quit")),
    ),
    # ideas to write about (issue 15, desktop.core.ideas, desktop.ui.ideas)
    SettingSpec(
        "ideas.feeds",
        Kind.TEXTS,
        (),
        "Idea feeds",
        "Your organisation's news, release and blog feeds shown in the Ideas panel: RSS, Atom or JSON Feed "
        "addresses (https://, or http:// for intranet feeds: Chorus sends no sign-in to them) or paths of feed "
        "files. Read in the background through the proxy, at most 2 MB each; the last items are kept for "
        "offline use. IT can set or lock this list.",
        "Ideas",
    ),
    SettingSpec(
        "ideas.folders",
        Kind.TEXTS,
        (),
        "Idea folders",
        "Folders of your own notes, release notes or changelogs (Markdown or text) that the Ideas panel lists "
        "as ideas: each note, and each section of a CHANGELOG. Read on this computer only; nothing is uploaded.",
        "Ideas",
    ),
    SettingSpec(
        "ideas.refresh_minutes",
        Kind.INT,
        60,
        "Idea feeds update interval (minutes)",
        "How often Chorus asks the feeds for new items while it runs. An unchanged feed costs one small "
        "request (ETag or Last-Modified, 304 Not Modified).",
        "Ideas",
        minimum=5,
        maximum=1440,
    ),
    # each network's own settings (its limit, its app), declared in its registry entry
    *(spec for network in REGISTRY for spec in network.settings),
)

NETWORK_LABELS = DISPLAY_NAMES


@dataclass(frozen=True)
class SettingsProblem:
    source: str  # a file path or the name of a layer
    key: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}: {self.key}" if self.key else self.source
        return f"{where}: {self.message}"


class SettingLockedError(PermissionError):
    pass


SettingLevel = Literal["default", "recommended", "user", "mandatory"]
LEVELS: tuple[SettingLevel, ...] = ("default", "recommended", "user", "mandatory")  # lowest first


@dataclass
class _Layer:
    name: str
    values: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)


class Settings:
    """The layered settings lookup. The GUI thread changes it; any thread may read it (:meth:`get`
    takes a lock) or take an immutable :meth:`snapshot` of every value in force."""

    def __init__(
        self,
        user_file: Path | None,
        managed: Mapping[str, Any] | None = None,
        managed_source: str = "managed settings",
        specs: Iterable[SettingSpec] = SPECS,
        *,
        recommended: Mapping[str, Any] | None = None,
        recommended_source: str = "recommended settings",
        state: ManagedState | None = None,
    ) -> None:
        """*managed* and *recommended* are plain mappings of mandatory and recommended values (their
        origin *managed_source*, *recommended_source*); *state* is what the managed sources gave
        (:func:`desktop.core.managed.read_all`), values already checked, each with its own origin."""
        self.specs: dict[str, SettingSpec] = {spec.key: spec for spec in specs}
        self.user_file = Path(user_file) if user_file else None
        self.problems: list[SettingsProblem] = []
        self._lock = threading.RLock()
        self.file_version = SCHEMA_VERSION  # the user file's format; newer than ours: never written over
        self._raw_user: dict[str, Any] = {}
        self._user = _Layer("user")
        self._mandatory = _Layer("mandatory")
        self._recommended = _Layer("recommended")
        self.managed_sources: list[SourceReport] = list(state.sources) if state else []
        if self.user_file is not None:
            self._raw_user = self._read_user_file(self.user_file)
        self._user.values = self._validated(self._raw_user, str(self.user_file), allow_secrets=False)
        for key in [key for key in self._raw_user if key in self.specs and self.specs[key].secret]:
            del self._raw_user[key]  # not written back either
        self._user.origins = {key: str(self.user_file) for key in self._user.values}
        for layer, values, source in ((self._mandatory, managed, managed_source),
                                      (self._recommended, recommended, recommended_source)):
            layer.values = self._validated(dict(values or {}), source, allow_secrets=layer is self._mandatory)
            layer.origins = {key: source for key in layer.values}
        if state is not None:
            self._take(self._mandatory, state.mandatory)
            self._take(self._recommended, state.recommended)
            self.problems.extend(SettingsProblem(p.origin, p.key, p.message) for p in state.problems)

    @staticmethod
    def _take(layer: _Layer, values: Mapping[str, ManagedValue]) -> None:
        for key, entry in values.items():
            layer.values[key] = entry.value
            layer.origins[key] = entry.origin

    # -- reading -------------------------------------------------------------------------------
    def get(self, key: str) -> Any:
        spec = self._spec(key)
        with self._lock:
            for layer in (self._mandatory, self._user, self._recommended):
                if key in layer.values:
                    return layer.values[key]
        return spec.default

    def snapshot(self) -> Mapping[str, Any]:
        """Every setting's value in force now, as an immutable mapping (for worker threads)."""
        with self._lock:
            return MappingProxyType({key: self.get(key) for key in self.specs})

    def source(self, key: str) -> SettingLevel:
        """The level the value :meth:`get` returns comes from: 'mandatory', 'user', 'recommended' or 'default'."""
        self._spec(key)
        with self._lock:
            if key in self._mandatory.values:
                return "mandatory"
            if key in self._user.values:
                return "user"
            if key in self._recommended.values:
                return "recommended"
        return "default"

    def origin(self, key: str) -> str:
        """Where the value in force comes from: a file path, a registry key, a plist; '' for the default."""
        level = self.source(key)
        layer = {"mandatory": self._mandatory, "user": self._user, "recommended": self._recommended}.get(level)
        return layer.origins.get(key, "") if layer is not None else ""

    def fallback(self, key: str) -> Any:
        """The value the user's own goes back to when reset: IT's recommended value, else the built-in default."""
        spec = self._spec(key)
        with self._lock:
            return self._recommended.values.get(key, spec.default)

    def is_locked(self, key: str) -> bool:
        return self.source(key) == "mandatory"

    # -- writing -------------------------------------------------------------------------------
    def set(self, key: str, value: Any) -> None:
        """Change the user's value in memory (call :meth:`save` to write it)."""
        spec = self._spec(key)
        if self.is_locked(key):
            raise SettingLockedError(f"{spec.label} is set by your organisation and cannot be changed")
        if spec.secret:
            raise SettingLockedError(f"{spec.label} can only be set by your organisation (IT)")
        canonical = spec.coerce(value)
        with self._lock:
            self._user.values[key] = canonical
            self._raw_user[key] = list(canonical) if isinstance(canonical, tuple) else canonical

    def reset(self, key: str) -> None:
        self._spec(key)
        with self._lock:
            self._user.values.pop(key, None)
            self._raw_user.pop(key, None)

    def save(self) -> None:
        """Write the user's layer atomically. Safe to call from a worker thread. A file written by a
        newer Chorus is never written over (its format may mean something this version cannot say)."""
        if self.user_file is None or self.file_version > SCHEMA_VERSION:
            return
        with self._lock:
            document = {"schema_version": SCHEMA_VERSION, "values": dict(sorted(self._raw_user.items()))}
        write_atomic(self.user_file, (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode())

    # -- internals -----------------------------------------------------------------------------
    def _spec(self, key: str) -> SettingSpec:
        try:
            return self.specs[key]
        except KeyError:
            raise KeyError(f"no setting named {key!r}") from None

    def _read_user_file(self, path: Path) -> dict[str, Any]:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as exc:
            self.problems.append(SettingsProblem(str(path), None, f"cannot be read ({exc}); using defaults"))
            return {}
        try:
            document = json.loads(text)
            if not isinstance(document, dict) or not isinstance(document.get("values", {}), dict):
                raise ValueError("expected an object with a 'values' object")
        except ValueError as exc:
            kept = self._move_aside(path)
            self.problems.append(
                SettingsProblem(str(path), None, f"is not a valid settings file ({exc}); using defaults. "
                                f"The file was kept as {kept.name}")
            )
            return {}
        values = dict(document.get("values", {}))
        version = document.get("schema_version", 1)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self.problems.append(SettingsProblem(str(path), "schema_version",
                                                 f"{version!r} is not a settings format version; read as version 1"))
            version = 1
        self.file_version = version
        if version > SCHEMA_VERSION:
            self.problems.append(SettingsProblem(
                str(path), None, f"was written by a newer version of Chorus (settings format {version}; this version "
                f"understands {SCHEMA_VERSION}). Settings it understands are used; changes made here are not saved, "
                "so the newer version keeps its settings."))
            return values
        for number, migrate in MIGRATIONS:
            if number > version:
                values = migrate(values)
                self.file_version = number
        return values

    @staticmethod
    def _move_aside(path: Path) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = path.with_name(f"{path.name}.broken-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = path.with_name(f"{path.name}.broken-{stamp}-{n}")
        path.rename(target)
        return target

    def _validated(self, raw: Mapping[str, Any], source: str, *, allow_secrets: bool) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key, value in raw.items():
            spec = self.specs.get(key)
            if spec is None:
                self.problems.append(SettingsProblem(source, key, "is not a setting this version knows; ignored"))
                continue
            if spec.secret and not allow_secrets:
                self.problems.append(SettingsProblem(source, key, "is a secret that only your organisation's "
                                                     "mandatory managed settings may set; ignored"))
                continue
            try:
                values[key] = spec.coerce(value)
            except ValueError as exc:
                self.problems.append(SettingsProblem(source, key, f"{exc}; ignored, using the default"))
        return values
