"""Helpers shared by the end-to-end tests (fixtures are in conftest.py)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from todo_project.testing.waiting import wait_until

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
TIMEZONE = "America/New_York"
DESKTOP = {"width": 1280, "height": 820}
PHONE = {"width": 375, "height": 812}
PASSWORD = "correct horse battery staple"


def screenshot(page, name: str) -> Path:
    """Saved under frontend/e2e/screenshots/ (kept by CI, linked from frontend/README.md)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.wait_for_timeout(400)  # let transitions settle so the picture is not mid-animation
    page.screenshot(path=str(path))
    return path


def sign_up(page, username: str | None = None) -> str:
    from playwright.sync_api import expect

    username = username or f"e2e{uuid.uuid4().hex[:8]}"
    page.goto("/")
    page.get_by_role("button", name="Create account").first.click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Chat", exact=True)).to_be_visible()
    return username


def api(page, method: str, path: str, body: dict | None = None):
    """Call the API as the signed-in page does (session cookie, CSRF token)."""
    return page.evaluate(
        """async ([method, path, body]) => {
          const csrf = await (await fetch("/api/auth/csrf/")).json();
          const response = await fetch(path, {
            method,
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrf.csrf_token },
            body: body === null ? undefined : JSON.stringify(body),
          });
          const json = response.status === 204 ? null : await response.json();
          return { status: response.status, body: json };
        }""",
        [method, path, body],
    )
