import logging

import pytest

from desktop.core.logs import REDACTED, configure_logging, redact, register_secret

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkaWQ6cGxjOmFiYyJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


@pytest.mark.parametrize(
    "line, secret",
    [
        ("Authorization: Bearer abcDEF123456", "abcDEF123456"),
        ("headers={'Authorization': 'Bearer tok-998877'}", "tok-998877"),
        ('{"access_token": "ZXhhbXBsZS10b2tlbg", "token_type": "Bearer"}', "ZXhhbXBsZS10b2tlbg"),
        ('{"accessJwt":"aaa.bbb.ccc","refreshJwt":"ddd.eee.fff"}', "ddd.eee.fff"),
        ("POST /oauth/token grant_type=authorization_code&code=qwerty12345&client_secret=s3cr3tvalue", "s3cr3tvalue"),
        ("POST /oauth/token grant_type=authorization_code&code=qwerty12345&client_secret=s3cr3tvalue", "qwerty12345"),
        (f"session refreshed: {JWT}", JWT),
        ("password=hunter2hunter2 user=alice", "hunter2hunter2"),
        ("Proxy-Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
    ],
)
def test_redact_removes_token_shapes(line, secret):
    cleaned = redact(line)
    assert secret not in cleaned
    assert REDACTED in cleaned


def test_redact_leaves_ordinary_text_alone():
    text = "Saved draft 3f2a in 4 ms; 12 drafts; the token bucket is a rate-limiting idea"
    assert redact(text) == text


def test_registered_secret_never_reaches_the_log_file(tmp_path):
    secret = "app-pass-xyzw-1234-abcd"
    register_secret(secret)
    log_file = tmp_path / "logs" / "chorus.log"
    configure_logging(log_file, "debug")
    logger = logging.getLogger("test.redaction")
    logger.info("linking with %s", secret)
    try:
        raise RuntimeError(f"server rejected {secret}")
    except RuntimeError:
        logger.exception("failure while linking")
    for handler in logging.getLogger().handlers:
        handler.flush()
    content = log_file.read_text()
    assert secret not in content
    assert content.count(REDACTED) == 2  # the %s argument and the exception message
    assert "failure while linking" in content
    assert (log_file.stat().st_mode & 0o777) == 0o600
    configure_logging(None)  # detach the file handler
