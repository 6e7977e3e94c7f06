"""Credentials in a post (R1): provider token formats, ``name = value`` settings, passwords in URLs.

Three sources, each labelled for the author ("a Stripe secret key", "a password"):

- the credential catalogue (:mod:`.catalogue`, ``resources/detectors/credentials*.toml``): provider
  formats as data, so IT can add one without a release;
- settings whose *name* says they hold a secret (``password=``, ``"client_secret": "…"``,
  ``api_key: …``, ``--token …``, ``Bearer …``) and whose *value* looks like one: any literal for a
  password, a machine-made string (length, character classes, entropy) for a key or token; never a
  placeholder (``<your-token>``, ``xxxx``) or a reference (``${TOKEN}``, ``process.env.API_KEY``);
- URLs with a password (``postgres://user:pass@host``, mysql, mongodb+srv, redis, amqp, http...).

Every scan is a stdlib ``re`` pass with bounded, possessive repetition, and the Python work per hit is
bounded, so a check stays linear in the post's length.
"""

from __future__ import annotations

import functools
import re

from desktop.core.policy.budget import on_time
from desktop.core.policy.detectors.catalogue import default_catalogue
from desktop.core.policy.detectors.spans import Detection
from desktop.core.policy.detectors.values import is_password_value, is_placeholder, is_reference, looks_random

# -- name = value ----------------------------------------------------------------------------------------
# Runs on the lower-cased post: a secret word, the rest of the name, an optional second word
# ("secret key", "access token"), an optional closing quote, then the assignment.
_ASSIGNMENT = re.compile(
    r"(?:pass|pwd|secret|token|key|credential|auth)[\w.-]{0,40}+(?: (?:key|token|secret))?+(?P<close>[\"'`]?)"
    r"(?P<op>[ \t]{0,3}+(?::=|=>|=|:)[ \t]{0,3}+|[ \t]{1,3}+(?:is|was)[ \t]{1,3}+|[\"'`]?,[ \t]{0,3}+(?=[\"'`]))")
_CLI_FLAG = re.compile(r"(?<![\w-])--(?P<name>[a-z][\w-]{0,40}+)(?:=|[ \t]{1,3}+)")
_BEARER = re.compile(r"bearer[ \t]{1,3}+")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_PARTS = re.compile(r"[^A-Za-z0-9]+")
# The last word of a name that holds something about a secret, not the secret ("secret_length",
# "access_token_url", "credentialsId", "passwordLabel").
_NOT_THE_SECRET = frozenset({
    "id", "ids", "sid", "name", "names", "url", "uri", "urls", "path", "file", "dir", "length", "len", "size",
    "label", "type", "field", "prefix", "suffix", "header", "env", "var", "hint", "policy", "endpoint", "version",
    "expiry", "expires", "expiration", "ttl", "timeout", "count", "format", "mode", "enabled", "required",
    "text", "title", "message", "error", "placeholder", "input", "button", "selector", "regex", "pattern",
    "rotation", "manager", "store", "vault", "ref", "arn", "location", "provider", "reset", "hash", "min", "max",
})
# Words before it that make it about a form or a public half ("forgot_password", "public_key").
_NOT_SECRET_QUALIFIERS = frozenset({"public", "publishable", "pub", "forgot", "reset", "change", "add", "show", "hide",
                                    "toggle", "new_password_label"})
_KEY_NAMES = ("apikey", "accesskey", "privatekey", "secretkey", "accountkey", "licensekey", "authkey", "masterkey",
              "signingkey", "encryptionkey", "sharedaccesskey", "servicerolekey", "clientkey", "appkey")
_LABELS = {"password": "a password", "secret": "a secret", "token": "an access token", "key": "a secret key",
           "bearer": "a bearer token"}
_MAX_VALUE = 300
_UNQUOTED = re.compile(rf"[^\s\"'`,;&)\]}}<>]{{1,{_MAX_VALUE}}}+")


@functools.lru_cache(maxsize=1024)  # a post repeats its setting names; a hostile one repeats one name
def secret_name(name: str) -> str | None:
    """What a setting's name says it holds: "password", "secret", "token", "key", or None."""
    parts = [p.lower() for chunk in _PARTS.split(name) for p in _CAMEL.split(chunk) if p]
    if not parts or parts[-1] in _NOT_THE_SECRET or any(p in _NOT_SECRET_QUALIFIERS for p in parts):
        return None
    joined = "".join(parts)
    if any(w in joined for w in ("password", "passwd", "passphrase", "passcode")) or {"pass", "pwd", "pw"} & set(parts):
        return "password"
    if any(w in joined for w in _KEY_NAMES):
        return "key"
    if "secret" in joined or "credential" in joined or "auth" in parts:
        return "secret"
    if "token" in joined:
        return "token"
    return None


def _name_before(text: str, end: int) -> tuple[int, bool]:
    """Start of the setting name ending at *end*, and whether a quote opens it."""
    start = end
    limit = max(0, end - 64)
    while start > limit and text[start - 1] in _NAME_CHARS:
        start -= 1
    return start, start > 0 and text[start - 1] in "\"'`"


def _value_at(text: str, start: int) -> tuple[int, int, bool]:
    """The value starting at *start*: (start, end, quoted); quoted values run to the closing quote."""
    if start < len(text) and text[start] in "\"'`":
        quote = text[start]
        end = text.find(quote, start + 1, start + 1 + _MAX_VALUE)
        if end == -1 or "\n" in text[start + 1:end]:
            return start + 1, start + 1, True
        return start + 1, end, True
    match = _UNQUOTED.match(text, start)
    end = match.end() if match else start
    while end > start and text[end - 1] in ".!?:":  # the end of the sentence, not of the value
        end -= 1
    return start, end, False


def _accept(kind: str, value: str, quoted: bool, prose: bool) -> bool:
    if kind == "password":
        if prose and not quoted and not (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)):
            return False  # "the password is correct"
        return is_password_value(value, quoted)
    return looks_random(value) and not is_reference(value, quoted)


def _assignments(text: str) -> list[Detection]:
    lowered = text.lower()
    if len(lowered) != len(text):  # a character whose lower case is longer: keep every index
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    found: list[Detection] = []
    consumed = 0
    for count, match in enumerate(_ASSIGNMENT.finditer(lowered)):
        if not count & 255:
            on_time("the secrets detector")  # a check's time budget
        if match.start() < consumed:
            continue
        name_end = match.start("close")
        start, opened = _name_before(text, match.start())
        # the name runs on to the quote or operator: the regex took at most 40 characters of it
        name = text[start:name_end].strip()
        op = match.group("op").strip()
        kind = secret_name(name)
        if kind is None or (opened != bool(match.group("close")) and (match.group("close") or op != "=")):
            continue  # a quoted name closes before its ':' ("Password:" is a label's text, not a name)
        value_start, value_end, quoted = _value_at(text, match.end())
        value = text[value_start:value_end]
        if value and _accept(kind, value, quoted, prose=op in ("is", "was")):
            found.append(Detection("keyword_assignment", value_start, value_end, _LABELS[kind]))
            consumed = value_end
    for match in _CLI_FLAG.finditer(lowered):
        kind = secret_name(match.group("name"))
        if kind is not None:
            value_start, value_end, quoted = _value_at(text, match.end())
            value = text[value_start:value_end]
            if value and _accept(kind, value, quoted, prose=False):
                found.append(Detection("keyword_assignment", value_start, value_end, _LABELS[kind]))
    for match in _BEARER.finditer(lowered):
        value_start, value_end, _quoted = _value_at(text, match.end())
        if looks_random(text[value_start:value_end]):
            found.append(Detection("bearer_token", value_start, value_end, _LABELS["bearer"]))
    return found


# -- passwords in URLs -----------------------------------------------------------------------------------
_URL_PASSWORD = re.compile(
    r"(?<![A-Za-z0-9+.-])(?P<scheme>[A-Za-z][A-Za-z0-9+.-]{1,19}+)://[^\s:/@?#\"'<>]{1,128}+:"
    r"(?P<password>[^\s@/?#\"'<>]{1,256}+)@(?=[\w\[])")
_DATABASES = frozenset({"postgres", "postgresql", "mysql", "mariadb", "mongodb", "mongodb+srv", "redis", "rediss",
                        "mssql", "sqlserver", "oracle", "cockroachdb", "clickhouse", "couchdb", "neo4j", "cassandra",
                        "jdbc:postgresql", "jdbc:mysql"})
_BROKERS = frozenset({"amqp", "amqps", "mqtt", "mqtts", "kafka", "nats", "stomp"})


def _url_passwords(text: str) -> list[Detection]:
    if "://" not in text:
        return []
    found: list[Detection] = []
    for count, match in enumerate(_URL_PASSWORD.finditer(text)):
        if not count & 255:
            on_time("the secrets detector")
        password = match.group("password")
        if is_placeholder(password) or is_reference(password, quoted=True):
            continue
        scheme = match.group("scheme").lower()
        label = ("a database connection string with a password" if scheme in _DATABASES else
                 "a message broker URL with a password" if scheme in _BROKERS else "a password in a URL")
        found.append(Detection("connection_string", match.start(), match.end("password") + 1, label))
    return found


def _merge(found: list[Detection]) -> list[Detection]:
    """One detection per secret: the catalogue's (listed first) wins over a generic one it overlaps."""
    order = {id(d): i for i, d in enumerate(found)}
    kept: list[Detection] = []
    for det in sorted(found, key=lambda d: (d.start, order[id(d)])):
        if kept and det.start < kept[-1].end:
            if det.end > kept[-1].end:
                last = kept[-1]
                kept[-1] = Detection(last.kind, last.start, det.end, last.label)
            continue
        kept.append(det)
    return kept


def find_secrets(text: str) -> list[Detection]:
    """Every credential in *text*, labelled; overlapping detections are reported once."""
    found = default_catalogue().find(text)
    found.extend(_url_passwords(text))
    found.extend(_assignments(text))
    return _merge(found)
