"""No credential is committed: every tracked file is scanned for the shapes real keys have.

Placeholders (REPLACE_ME, <...>, ${VAR}) and the test settings' obviously fake key are fine;
anything that looks like a live key fails the build with its file and line.
"""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PATTERNS = {
    "private key block": re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "DigitalOcean token": re.compile(r"\bdo[opr]_v1_[a-f0-9]{64}\b"),
    "GitHub token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "Stripe key": re.compile(r"\b[rs]k_live_[0-9A-Za-z]{16,}"),
    "password in a URL": re.compile(
        r"\b[a-z][a-z0-9+.-]*://[^\s:/@'\"]+:(?P<value>[^\s@/'\"]{8,})@"
    ),
    "assigned secret": re.compile(
        r"(?i)\b[A-Z_]*(?:SECRET_KEY|VAPID_PRIVATE_KEY|PASSWORD|SASL_PASSWORD|METRICS_TOKEN|API_KEY|TOKEN)"
        r"\b\s*[:=]\s*[\"']?(?P<value>[A-Za-z0-9_+/=-]{32,})"
    ),
}
# A matched value made of these is a placeholder, not a key.
PLACEHOLDER = re.compile(
    r"(?i)replace|example|changeme|placeholder|dummy|fake|test|insecure|password|x{8,}|\$\{|<"
)
BINARY_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".ico", ".woff", ".woff2", ".webp", ".pdf"}


def tracked_files() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [ROOT / name for name in out.split("\0") if name]


def findings(text: str) -> list[tuple[int, str]]:
    found = []
    for lineno, line in enumerate(text.splitlines(), 1):
        for kind, pattern in PATTERNS.items():
            for match in pattern.finditer(line):
                value = match.groupdict().get("value") or match.group(0)
                if PLACEHOLDER.search(value):
                    continue
                found.append((lineno, kind))
    return found


def test_no_tracked_file_contains_a_credential():
    files = tracked_files()
    problems = []
    for path in files:
        if path.suffix.lower() in BINARY_SUFFIXES or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        problems += [f"{path.relative_to(ROOT)}:{n}: {kind}" for n, kind in findings(text)]

    assert len(files) > 100  # the scan saw the repository, not an empty list
    assert problems == []


# The detector itself: live-looking keys are caught, placeholders are not. The samples are built
# at run time so this file holds no key-shaped literal.
LIVE = {
    "private key block": "-----BEGIN " + "PRIVATE KEY-----",
    "AWS access key": "AKIA" + "Q3EGRIB5MZLKHJ7D",
    "DigitalOcean token": "dop_v1_" + "9f" * 32,
    "GitHub token": "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5",
    "password in a URL": "DATABASE_URL=postgres://app:" + "Tr0ub4dor-and-3@db.neon.tech/app",
    "assigned secret": "DJANGO_SECRET_KEY=" + "k3J9xQ2mZ7vB4nW8pL5tR1yH6gF0dS3aE9cU2iO7",
}
PLACEHOLDERS = [
    "DJANGO_SECRET_KEY: REPLACE_ME_WITH_50_RANDOM_CHARACTERS_FROM_A_GENERATOR",
    "DATABASE_URL=postgres://app:${DB_PASSWORD}@db/app",
    'SECRET_KEY = "test-only-not-a-secret"',
    "VAPID_PRIVATE_KEY=<output of manage.py vapid_keys>",
    "DJANGO_SECRET_KEY: ${DJANGO_SECRET_KEY:-insecure-compose-only-secret-key-never-use-it}",
]


@pytest.mark.parametrize("kind", sorted(LIVE))
def test_the_scanner_catches_a_live_looking(kind):
    assert [k for _, k in findings(LIVE[kind])] == [kind]


@pytest.mark.parametrize("line", PLACEHOLDERS)
def test_the_scanner_lets_placeholders_through(line):
    assert findings(line) == []
