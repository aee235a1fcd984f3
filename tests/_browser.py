"""The headless browser of every browser test: Debian's chromium driven by Playwright.

One place for how the browser is started (its flags), closed, and where screenshots go. The
browser is never downloaded: the ``chromium`` fixture (``tests/conftest.py``) has
``tests/_system.py`` install Debian's package when it is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser

#: Chromium's flags: headless, no sandbox (a container), and nothing that reaches the
#: network (updates, sync, QUIC), which the test machine cannot.
ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: Screenshots and downloads of the browser tests, kept for a person to look at.
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def artifacts(folder: str = "") -> Path:
    """The screenshot folder ``test-artifacts/<folder>``, created when missing."""
    path = ARTIFACTS / folder if folder else ARTIFACTS
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def launched(chromium: str) -> Iterator[Browser]:
    """A headless chromium at path ``chromium``, closed (with Playwright) on leaving."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path=chromium, args=list(ARGS), headless=True)
        try:
            yield browser
        finally:
            browser.close()
