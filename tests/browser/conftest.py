"""Real-browser fixtures: Playwright driving Debian's Chromium against Django's live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _serveur_sequentiel() -> None:
    """The live server answers one request at a time. The tests' database is an in-memory SQLite
    shared between threads, where two requests at once (a member's page and a handler's, or the
    browser's parallel connections) can meet "database table is locked". Django closes each
    connection of a non-threaded server, so Chromium simply queues."""
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class ServeurSequentiel(WSGIServer):
        # The live-server thread already uses the test's database connections; requests run in it.
        def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.connections_override = connections_override

    LiveServerThread.server_class = ServeurSequentiel  # type: ignore[attr-defined]


_serveur_sequentiel()
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run `make test`, which installs it.")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the tests
    # themselves happen outside it, so the async-safety guard can be lifted for these tests.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    yield page
    context.close()
    assert not violations, f"the page broke its Content Security Policy: {violations}"


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.1 A/AA rules) on the page; return the serious and critical violations.

    The script is evaluated through the DevTools protocol, which the page's Content Security Policy
    does not govern: the page itself keeps refusing inline scripts."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `make test`, which installs it (npm ci).")
    from playwright.sync_api import Error

    # A test often clicks a link and audits at once: the click returns before the next document
    # replaces the current one, so axe may start on a page being torn down. Wait for the document
    # in place to be loaded, and start again when a navigation pulled it away mid-run.
    for essai in range(5):
        page.wait_for_load_state("load")
        try:
            if not page.evaluate("() => typeof window.axe !== 'undefined'"):
                page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
            result = page.evaluate(
                """async () => {
                    const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
                    const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
                    return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
                }"""
            )
        except Error as erreur:
            if essai == 4:
                raise
            if "documentElement" not in str(erreur) and "context was destroyed" not in str(erreur):
                raise
            page.wait_for_timeout(200)
            continue
        return [v for v in result if v["impact"] in ("serious", "critical")]
    raise AssertionError("unreachable")
