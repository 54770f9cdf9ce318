"""The status page in Chromium as people use it: read it on a laptop and a phone, in light and
dark, with no console error and no serious accessibility violation; subscribe with the form
and get the mail; see the banner on a customer's own page during a P1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, ViewportSize, expect

from execflow.access.roles import Role
from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from execflow.respond.maintenance import service as maintenance
from execflow.respond.maintenance.schemas import MaintenanceCreate
from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import TokenFactory, auth
from tests.respond.factories import ADMIN
from tests.server import free_port, serve
from tests.smtp import Mailbox
from tests.tell.helpers import component, link_in

SERIOUS = {"serious", "critical"}


def _open(browser: Browser, url: str, **context: Any) -> tuple[Page, list[str]]:
    page = browser.new_context(**context).new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    return page, errors


def _serious(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


def _seed(db: Database, clock: ManualClock) -> str:
    now = clock.now()
    with db.write() as session:
        api = component(session, now, "API", group="Platform").id
        component(session, now, "Dashboard", group="Platform")
        component(session, now, "Payments")
        maintenance.create(
            session,
            data=MaintenanceCreate(
                title="Database upgrade",
                body="Read-only for ten minutes.",
                component_ids=[api],
                starts_at=now + timedelta(days=400),
                ends_at=now + timedelta(days=400, hours=1),
            ),
            actor=ADMIN,
            now=now,
        )
    return api


@pytest.mark.parametrize(
    ("viewport", "scheme"), [(DESKTOP, "light"), (PHONE, "light"), (PHONE, "dark")]
)
def test_the_page_reads_well_everywhere_without_errors_or_serious_violations(
    *,
    browser: Browser,
    settings: Settings,
    db: Database,
    clock: ManualClock,
    make_token: TokenFactory,
    viewport: ViewportSize,
    scheme: str,
) -> None:
    api = _seed(db, clock)
    headers = auth(make_token(Role.RESPONDER))
    with serve(settings) as server:
        made = httpx.post(
            f"{server.url}/api/v1/incidents",
            json={"title": "API errors", "severity": "P2", "component_ids": [api]},
            headers=headers,
        ).json()
        httpx.post(
            f"{server.url}/api/v1/incidents/{made['id']}/updates",
            json={
                "status": "identified",
                "body": "A bad deploy; rolling back.",
                "component_statuses": {api: "partial_outage"},
            },
            headers=headers,
        )
        page, errors = _open(
            browser, f"{server.url}/status.html", viewport=viewport, color_scheme=scheme
        )
        expect(page.get_by_role("heading", name="Partial System Outage")).to_be_visible()
        expect(page.get_by_text("A bad deploy; rolling back.")).to_be_visible()
        expect(page.get_by_role("heading", name="Components")).to_be_visible()
        bars = page.get_by_role("img", name="API, last 90 days")
        expect(bars).to_have_count(1)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], "nothing overflows sideways"
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
        assert _serious(page) == []
        assert errors == []
        page.screenshot(path=str(settings.data_dir / f"status-{viewport['width']}-{scheme}.png"))


def test_subscribe_with_the_form_confirm_and_get_the_p1_mail(
    *,
    browser: Browser,
    mail_settings: Settings,
    db: Database,
    clock: ManualClock,
    mailbox: Mailbox,
    make_token: TokenFactory,
) -> None:
    api = _seed(db, clock)
    headers = auth(make_token(Role.RESPONDER))
    with serve(mail_settings) as server:
        page, errors = _open(browser, f"{server.url}/status.html", viewport=PHONE)
        page.get_by_label("E-mail address").fill("reader@example.test")
        page.get_by_role("checkbox", name="API").check()
        page.get_by_role("button", name="Subscribe").click()
        expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
        confirmation = mailbox.wait_for(1)[0]
        assert confirmation.to == ["reader@example.test"]
        page.goto(link_in(confirmation))
        expect(page.get_by_role("heading", name="Subscription confirmed")).to_be_visible()
        made = httpx.post(
            f"{server.url}/api/v1/incidents",
            json={"title": "Everything is down", "severity": "P1", "component_ids": [api]},
            headers=headers,
        ).json()
        httpx.post(
            f"{server.url}/api/v1/incidents/{made['id']}/updates",
            json={"status": "investigating", "body": "Nothing loads; we are on it."},
            headers=headers,
        )
        update = mailbox.wait_for(2)[1]
        assert update.to == ["reader@example.test"]
        assert "Nothing loads; we are on it." in update.body
        assert errors == []


class _CustomerApp:
    """A customer's own web app on another loopback origin, including banner.js with one tag."""

    def __init__(self) -> None:
        self.port = free_port()
        self.html = b""
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(app.html)))
                self.end_headers()
                self.wfile.write(app.html)

            def log_message(self, *_args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def origin(self) -> str:
        """Its origin, as EXECFLOW_BANNER_ORIGINS names it."""
        return f"http://127.0.0.1:{self.port}"

    def include(self, server_url: str) -> None:
        """Serve a page that includes the status server's banner.js."""
        self.html = (
            "<!doctype html><html lang='en'><head><title>Customer app</title>"
            f"<script src='{server_url}/banner.js' defer></script></head>"
            "<body><main><h1>Customer app</h1></main></body></html>"
        ).encode()


@pytest.fixture
def customer_app() -> Iterator[_CustomerApp]:
    """A customer's web app on loopback."""
    app = _CustomerApp()
    yield app
    app.httpd.shutdown()


def test_the_banner_shows_on_a_customer_page_during_a_p1_and_goes_after(
    browser: Browser,
    settings: Settings,
    make_token: TokenFactory,
    customer_app: _CustomerApp,
) -> None:
    headers = auth(make_token(Role.RESPONDER))
    conf = settings.model_copy(update={"banner_origins": customer_app.origin})
    with serve(conf) as server:
        customer_app.include(server.url)
        page, errors = _open(browser, customer_app.origin + "/", viewport=DESKTOP)
        banner = page.locator("#execflow-banner")
        page.wait_for_function("window.ExecFlowBanner !== undefined")
        expect(banner).to_have_count(0)
        made = httpx.post(
            f"{server.url}/api/v1/incidents",
            json={"title": "Logins fail", "severity": "P1"},
            headers=headers,
        ).json()
        httpx.post(
            f"{server.url}/api/v1/incidents/{made['id']}/updates",
            json={"status": "investigating", "body": "Sign-in is failing for everyone."},
            headers=headers,
        )
        page.wait_for_timeout(1100)  # the banner JSON is kept for a second on the server
        page.evaluate("window.ExecFlowBanner.refresh()")
        expect(banner).to_be_visible()
        expect(page.get_by_role("alert")).to_contain_text("Sign-in is failing for everyone.")
        expect(page.get_by_role("button", name="Dismiss this notice")).to_be_visible()
        httpx.post(f"{server.url}/api/v1/incidents/{made['id']}/resolve", headers=headers)
        page.wait_for_timeout(1100)
        page.evaluate("window.ExecFlowBanner.refresh()")
        expect(banner).to_have_count(0)
        assert errors == []
