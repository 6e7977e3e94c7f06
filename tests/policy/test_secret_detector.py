"""The secrets detector and its credential catalogue, from providers' documented formats.

Every token here is made up for this file to fit a documented format (prefix, length, alphabet,
checksum); none is a real credential and none comes from a conformance suite. Speed on hostile input
is measured by ``python -m tests.benchmarks.secrets`` (one JSON line), not asserted here.
"""

from __future__ import annotations

import random
import string
import zlib
from pathlib import Path

import pytest

from desktop.core.policy import load_policy
from desktop.core.policy.detectors import find_secrets
from desktop.core.policy.detectors.catalogue import (
    CatalogueError,
    catalogue_paths,
    default_catalogue,
    load_catalogue,
)
from desktop.core.policy.detectors.secrets import secret_name
from desktop.core.policy.detectors.values import is_placeholder, looks_random

_RNG = random.Random(11)
_ALNUM = string.ascii_letters + string.digits
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def rand(n: int, alphabet: str = _ALNUM) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(n))


def with_crc(prefix: str) -> str:
    """A token in GitHub's documented format: 30 random characters and their CRC32 in base62."""
    body = rand(30)
    number, digits = zlib.crc32(body.encode()), ""
    while number:
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    return prefix + body + digits.rjust(6, "0")


def labels(text: str) -> list[str]:
    return [d.label for d in find_secrets(text)]


def found_text(text: str) -> list[str]:
    return [text[d.start:d.end] for d in find_secrets(text)]


HEX = "0123456789abcdef"
# (documented format built here, the label the author is shown)
TRUE_POSITIVES = [
    (f"key AKIA{rand(16, string.ascii_uppercase + '234567')} in the script", "an AWS access key ID"),
    (f"AWS_SECRET_ACCESS_KEY={rand(40, _ALNUM + '/+')}", "an AWS secret access key"),
    (f"aws_secret_access_key = '{rand(40, _ALNUM + '/+')}'", "an AWS secret access key"),
    (f"maps key AIza{rand(35, _ALNUM + '_-')} on the page", "a Google API key"),
    (f"my new key sk-proj-{rand(60, _ALNUM + '_-')} works", "an OpenAI API key"),
    (f"legacy sk-{rand(20)}T3BlbkFJ{rand(20)} still works", "an OpenAI API key"),
    (f"team key sk-ant-api03-{rand(93, _ALNUM + '_-')}AA", "an Anthropic API key"),
    (f"switched to sk_live_{rand(24)} today", "a Stripe secret key"),
    (f"vendor got rk_live_{rand(24)}", "a Stripe restricted key"),
    (f"mail works with SG.{rand(22, _ALNUM + '_-')}.{rand(43, _ALNUM + '_-')}", "a SendGrid API key"),
    (f"bot xoxb-{rand(12, string.digits)}-{rand(13, string.digits)}-{rand(24)}", "a Slack token"),
    (f"post to https://hooks.slack.com/services/T{rand(8, string.ascii_uppercase)}/B{rand(8, string.ascii_uppercase)}/{rand(24)}",
     "a Slack webhook URL"),
    (f"video key SK{rand(32, HEX)}", "a Twilio API key"),
    (f"client.run('MT{rand(22)}.{rand(6)}.{rand(30, _ALNUM + '_-')}')", "a Discord bot token"),
    (f"terraform token dop_v1_{rand(64, HEX)}", "a DigitalOcean token"),
    (f"docker login -u me -p dckr_pat_{rand(27)}", "a Docker Hub access token"),
    (f"release bot uses {with_crc('ghp_')}", "a GitHub token"),
    (f"fine-grained github_pat_{rand(22)}_{rand(59)}", "a GitHub personal access token"),
    (f"--build-arg TOKEN=glpat-{rand(20, _ALNUM + '_-')}", "a GitLab token"),
    (f"publish with {with_crc('npm_')}", "an npm access token"),
    (f"twine password pypi-AgEIcHlwaS5vcmc{rand(70, _ALNUM + '_-')}", "a PyPI API token"),
    (f"session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ{rand(30)}.{rand(43, _ALNUM + '_-')}", "a JSON Web Token"),
    (f"-----BEGIN RSA PRIVATE KEY-----\n{rand(64, _ALNUM + '+/')}\n{rand(64, _ALNUM + '+/')}\n-----END RSA PRIVATE KEY-----",
     "a private key"),
    ("our docker-compose has db_password: \"hunter-2-tuesday\" for now", "a password"),
    ('{"client_secret" : "' + rand(40, HEX) + '"}', "a secret"),
    (f"api_key: {rand(32, HEX)}", "a secret key"),
    ("the password is 'Orchid77' for the lab machines", "a password"),
    (f"postgres://app:{rand(16)}@db.example.com:5432/app", "a database connection string with a password"),
    (f"mongodb+srv://svc:{rand(16)}@cluster0.example.net/?retryWrites=true", "a database connection string with a password"),
    (f"amqp://worker:{rand(12)}@queue.example.com/", "a message broker URL with a password"),
    (f"curl -H 'Authorization: Bearer {rand(40, _ALNUM + '-_.')}' https://api.example.com", "a bearer token"),
]


@pytest.mark.parametrize(("text", "label"), TRUE_POSITIVES)
def test_documented_formats_are_found_and_named(text: str, label: str) -> None:
    assert label in labels(text), (text, find_secrets(text))


LOOK_ALIKES = [
    "Stripe secret keys start with sk_live_, so scan your repos for that prefix",
    "publishable keys are public: pk_live_" + "Ab3dK9Lm2Np7Qr4St8Uv1Wx5",
    "TASKASIAFORGOTTENWORDSHERE is a word game",
    "every HS256 JWT starts with eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
    "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\nmQENBGSVV4YBCAC" + "x" * 10,
    "The secret: consistency, every single day.",
    "I changed my password today and the password is too short",
    "secret_length = crypto.secret_length",
    "LLM_SECRET_NAME = \"PROD-GPT4-API-KEY\"",
    "access_token_url='https://example.com/oauth/access_token'",
    "credentialsId: '0c1e7a2b-8d3f-4e5a-9b6c-7d8e9f0a1b2c'",
    "clientId = \"0c1e7a2b-8d3f-4e5a-9b6c-7d8e9f0a1b2c\"",
    "public_key = \"" + "Zr4Kq8Wm2Tx6Yb1Nc5Vd9Hf3Jg7Lp0Sa" + "\"",
    "SRCREV = \"" + "4f2a9c1e7b3d5a8f0c6e2b9d1a7f3c5e8b0d4a6c" + "\"",
    "passwordLabel:\"Password:\",rememberLabel:\"Remember me\"",
    "this.addPassword = \"#add-password\";",
    "notes = \"Maven - io.jsonwebtoken:jjwt-api-0.12.5\"",
    "http://user@example.com/ and https://example.com/a:b@c",
    "postgres://app:password@localhost/app",
    "docs: redis://default:<password>@host:6379",
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes_are_not_credentials(text: str) -> None:
    assert find_secrets(text) == [], found_text(text)


PLACEHOLDERS = [
    "key = AKIAXXXXXXXXXXXXXXXX in the docs",
    "it looks like ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "Stripe: sk_live_XXXXXXXXXXXXXXXXXXXXXXXX",
    "token=<your-token>",
    "password: ${DB_PASSWORD}",
    "_authToken=${NPM_TOKEN}",
    "const password = process.env.DB_PASSWORD || 'not-set'",
    "api_key = os.environ['API_KEY']",
    "secret = settings.SECRET_KEY",
    "export PGPASSWORD=\"$db_password\"",
    "license_key: '<%= ENV[\"LICENSE_KEY\"] %>'",
    "api_key = \"\"",
    "okta_api_token: 00000000000000000000000000000000000000000a",
    "key AIzaSyabcdefghijklmnopqrstuvwxyz123456789",
    "token: 1234567890abcdef1234",
    "slack xoxb-my-bot-token",
    "client_secret=Ab12Q~" + "x" * 34,
    "\"password\": \"&lt;YOUR_PASSWORD&gt;\"",
    "password: [your password here]",
    "def login(self, user = '', password = ''):",
]


@pytest.mark.parametrize("text", PLACEHOLDERS)
def test_placeholders_and_references_are_not_credentials(text: str) -> None:
    assert find_secrets(text) == [], found_text(text)


def test_github_checksum_confirms_a_token_that_looks_like_a_placeholder() -> None:
    """A valid CRC32 tail proves a real-format token even when its body repeats (base62 of CRC32)."""
    body = "a" * 30
    number, digits = zlib.crc32(body.encode()), ""
    while number:
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    assert labels("ghp_" + body + digits.rjust(6, "0")) == ["a GitHub token"]
    assert find_secrets("ghp_" + body + "aaaaaa") == []


def test_one_finding_per_secret_with_the_providers_label() -> None:
    token = with_crc("ghp_")
    text = f"GITHUB_TOKEN={token} and api_key: \"{token}\""
    found = find_secrets(text)
    assert [(text[d.start:d.end], d.label) for d in found] == [(token, "a GitHub token"), (token, "a GitHub token")]


def test_setting_names_say_what_they_hold() -> None:
    assert secret_name("client_secret") == "secret"
    assert secret_name("CLIENTSECRET") == "secret"
    assert secret_name("PGPASSWORD") == "password"
    assert secret_name("x-api-key") == "key"
    assert secret_name("AccountKey") == "key"
    assert secret_name("credentialsId") is None
    assert secret_name("passwordLabel") is None
    assert secret_name("public_key") is None
    assert secret_name("forgot_password") is None


def test_value_rules() -> None:
    assert is_placeholder("xxxxxxxxxxxx") and is_placeholder("abcdefghijklmnop") and is_placeholder("YOUR_API_KEY")
    assert not is_placeholder("Orchid77") and not is_placeholder(rand(32))
    assert looks_random(rand(32, HEX)) and looks_random(rand(24))
    assert not looks_random("jjwt-jackson-0.11.2") and not looks_random("correcthorsebattery")


def test_the_default_policy_names_the_kind_in_its_message() -> None:
    policy = load_policy("default")
    findings = [f for f in policy.check(f"deploy key sk_live_{rand(24)}") if f.rule_id == "secret-credential"]
    assert [f.message.split(":")[0] for f in findings] == ["This looks like a Stripe secret key"]


# -- the catalogue file -----------------------------------------------------------------------------------
def test_the_installed_catalogue_loads_and_covers_the_named_providers() -> None:
    ids = {entry.id for entry in default_catalogue().entries}
    for wanted in ("openai-api-key", "anthropic-api-key", "stripe-secret-key", "google-api-key", "sendgrid-api-key",
                   "slack-bot-token", "slack-webhook", "twilio-api-key", "discord-bot-token", "digitalocean-token",
                   "docker-hub-token", "github-token", "gitlab-token", "aws-access-key", "aws-secret-key", "npm-token",
                   "pypi-token", "jwt", "private-key"):
        assert wanted in ids
    assert catalogue_paths()[0].name == "credentials.toml"


ENTRY = """
[[credential]]
id = "acme-token"
label = "an Acme token"
pattern = 'acme_[A-Za-z0-9]{20}'
literals = ["acme_"]
examples = ["acme_Zr4Kq8Wm2Tx6Yb1Nc5Vd"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "credentials.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_it_can_add_a_format(tmp_path: Path) -> None:
    catalogue = load_catalogue([write(tmp_path, ENTRY)])
    found = catalogue.find("ours: acme_Qw3Er5Ty7Ui9Op1As3Df")
    assert [(d.kind, d.label) for d in found] == [("acme-token", "an Acme token")]


@pytest.mark.parametrize(("change", "message"), [
    (("[[credential]]", "[[credential"), "not valid TOML"),
    (("pattern = 'acme_[A-Za-z0-9]{20}'", "pattern = 'acme_[A-Za-z0-9]{20'"), "example"),
    (("pattern = 'acme_[A-Za-z0-9]{20}'", "pattern = 'acme_([A-Za-z0-9]{20}'"), "not a valid regular expression"),
    (("pattern = 'acme_[A-Za-z0-9]{20}'", "pattern = 'acme_[A-Za-z0-9]+'"), "no upper bound"),
    (("pattern = 'acme_[A-Za-z0-9]{20}'", "pattern = 'acme_(?:ab|[A-Z0-9]){20,30}'"), "possessive"),
    (("pattern = 'acme_[A-Za-z0-9]{20}'", "pattern = '(a)?acme_\\1?[A-Za-z0-9]{20}'"), "back-references"),
    (('examples = ["acme_Zr4Kq8Wm2Tx6Yb1Nc5Vd"]', 'examples = ["acme_xxxxxxxxxxxxxxxxxxxx"]'), "not found by its own entry"),
    (('examples = ["acme_Zr4Kq8Wm2Tx6Yb1Nc5Vd"]', "examples = []"), "at least one made-up example"),
    (('literals = ["acme_"]\nexamples = ["acme_Zr4Kq8Wm2Tx6Yb1Nc5Vd"]',
      'literals = ["zzz"]\nexamples = ["zzz acme_Zr4Kq8Wm2Tx6Yb1Nc5Vd"]'), "prefilter"),
    (('literals = ["acme_"]', ""), "literals"),
    (('id = "acme-token"', 'id = "Acme Token"'), "'id'"),
    (('label = "an Acme token"', 'colour = "red"'), "unknown field"),
])
def test_a_broken_catalogue_says_what_to_fix(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = write(tmp_path, ENTRY.replace(*change))
    with pytest.raises(CatalogueError, match=message) as caught:
        load_catalogue([path])
    assert str(path) in str(caught.value)


def test_ids_are_unique_across_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    first, second = write(tmp_path, ENTRY), write(tmp_path / "a", ENTRY)
    with pytest.raises(CatalogueError, match="used twice"):
        load_catalogue([first, second])


def test_a_missing_catalogue_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="no credentials"):
        catalogue_paths(tmp_path)


def test_the_default_policy_still_loads_with_its_examples() -> None:
    from desktop.core.policy import policies_dir

    load_policy(policies_dir() / "default.toml")


def test_a_broken_installed_catalogue_is_a_policy_problem_not_a_crash(tmp_path, monkeypatch):
    from desktop.core.policy import load_policy
    from desktop.core.policy.detectors import catalogue
    from desktop.core.policy.fields import PolicyError

    broken = tmp_path / "credentials.toml"
    broken.write_text('[[credential]]\nid = "Bad Id"\n', encoding="utf-8")
    monkeypatch.setattr(catalogue, "catalogue_paths", lambda directory=None: [broken])
    catalogue.default_catalogue.cache_clear()
    try:
        with pytest.raises(PolicyError, match="credentials.toml, entry 1"):
            load_policy("default")
    finally:
        catalogue.default_catalogue.cache_clear()


def test_a_value_with_a_letter_whose_lower_case_is_two_characters_is_judged_not_crashed_on() -> None:
    """"İ".lower() is two characters (i + combining dot): found by Hypothesis in a password value."""
    assert is_placeholder("İİİİİİİİ")  # one character repeated
    assert not is_placeholder("hunter22İqZ7")
    findings = load_policy("default").check("password=hunter22İ", "bluesky")
    assert all(0 <= f.start <= f.end <= len("password=hunter22İ") for f in findings)
