"""The console in Chromium as responders use it: signing in by mailed link and by token,
live updates across browsers, command and public updates, overrides, proofs checked in
the browser (and the warning after tampering), the keyboard, a phone, axe on every screen."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect
from sqlalchemy import select, update

from execflow.access.roles import Role
from execflow.config import Settings
from execflow.db import Database
from execflow.prove.log.checkpoint import Checkpoint
from execflow.prove.log.models import LogEntry, LogHead, LogTree
from execflow.prove.log.note import Signer
from execflow.respond.incidents.models import Incident
from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import TokenFactory
from tests.respond.factories import make_incident, make_person, make_schedule
from tests.server import Server, serve
from tests.smtp import Mailbox

SERIOUS = {"serious", "critical"}
LINK = re.compile(r"http://\S+/login/[\w.\-]+")


@dataclass
class Console:
    """A running server with seeded people, a schedule and incidents."""

    server: Server
    admin: str
    responder_email: str
    incident: str
    schedule: str


@pytest.fixture
def console(mail_settings: Settings, db: Database, make_token: TokenFactory) -> Iterator[Console]:
    """`execflow serve` (with its workers) on the seeded database, mail to the test server."""
    now = datetime.now(UTC)
    with db.write() as session:
        rita = make_person(session, now, "Rita Responder", role=Role.RESPONDER)
        sam = make_person(session, now, "Sam Second")
        schedule = make_schedule(session, now, [sam.id])
        incident = make_incident(session, now, None, severity="P2", title="Checkout errors")
        make_incident(session, now, None, severity="P3", title="Slow dashboard")
        ids = (rita.email, incident.id, schedule.id)
    admin = make_token(Role.ADMIN)
    with serve(mail_settings) as server:
        yield Console(server, admin, ids[0], ids[1], ids[2])


def _context(browser: Browser, viewport: ViewportSize = DESKTOP) -> BrowserContext:
    return browser.new_context(viewport=viewport)


def _errors(page: Page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: found.append(str(e)))
    return found


def _token_sign_in(context: BrowserContext, console: Console) -> Page:
    page = context.new_page()
    page.goto(f"{console.server.url}/login")
    page.get_by_label("API token").fill(console.admin)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Incidents", exact=True)).to_be_visible()
    return page


def _serious(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}" for v in results.response["violations"] if v["impact"] in SERIOUS
    ]


def test_sign_in_by_mailed_link_and_by_token(
    browser: Browser, console: Console, mailbox: Mailbox
) -> None:
    context = _context(browser)
    page = context.new_page()
    page.goto(f"{console.server.url}/")
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_label("Your e-mail address").fill(console.responder_email)
    page.get_by_role("button", name="Mail me a link").click()
    expect(page.get_by_role("status")).to_contain_text("sign-in link is on its way")
    mail = mailbox.wait_for(1)[0]
    assert mail.to == [console.responder_email]
    link = LINK.search(mail.body.replace("=\n", ""))
    assert link is not None
    page.goto(link.group(0))
    expect(page.get_by_role("button", name="Sign out Rita Responder")).to_be_visible()
    page.goto(link.group(0))
    expect(page.get_by_role("alert")).to_contain_text("used already")
    context.close()
    other = _context(browser)
    _token_sign_in(other, console)
    other.close()


def test_an_acknowledgement_shows_in_another_browser_without_reload(
    browser: Browser, console: Console
) -> None:
    watcher, actor = _context(browser), _context(browser)
    watching = _token_sign_in(watcher, console)
    errors = _errors(watching)
    acting = _token_sign_in(actor, console)
    row = watching.locator(f"[data-incident='{console.incident}']")
    expect(row.locator(".status")).to_have_text("triggered")
    acting.get_by_role("button", name="Acknowledge Checkout errors").click()
    expect(acting.get_by_role("status").first).to_contain_text("Acknowledged")
    expect(row.locator(".status")).to_have_text("acknowledged", timeout=5000)
    assert errors == []
    watcher.close()
    actor.close()


def test_take_command_post_an_update_and_verify_the_timeline(
    browser: Browser, console: Console, db: Database
) -> None:
    context = _context(browser)
    page = _token_sign_in(context, console)
    page.goto(f"{console.server.url}/incidents/{console.incident}")
    page.get_by_label("Assign command").select_option(label="Rita Responder")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("commander: Rita Responder")).to_be_visible()
    page.get_by_label("What customers read").fill("We found a bad deploy and are rolling back.")
    page.get_by_role("button", name="Post update").click()
    expect(page.get_by_role("status").first).to_contain_text("Public update posted")
    first = page.locator("[data-verify]").first
    index = first.get_attribute("data-verify")
    result = page.locator(f"[data-verified='{index}']")
    expect(
        page.get_by_text("update published (identified)").or_(
            page.get_by_text("update published (investigating)")
        )
    ).to_be_visible()
    _wait_signed(page, console, int(index or 0))
    first.click()
    expect(result).to_contain_text("verified in your browser against signed checkpoint")
    with db.write() as session:
        session.execute(
            update(LogEntry).where(LogEntry.idx == int(index or 0)).values(data=b'{"forged":true}')
        )
    first.click()
    expect(result).to_contain_text("VERIFICATION FAILED")
    context.close()


def _wait_signed(page: Page, console: Console, index: int) -> None:
    """Until the workers have signed a checkpoint that covers entry index."""
    page.wait_for_function(
        f"""async () => {{
            const r = await fetch('/audit/proof/{index}');
            return r.ok;
        }}""",
        timeout=10000,
    )


def _settled(db: Database) -> tuple[int, bytes, str | None]:
    """The signed tree once it covers every appended entry (the workers keep signing)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with db.read() as session:
            row = session.execute(select(LogTree)).scalar_one()
            head = session.execute(select(LogHead.size)).scalar_one()
            if row.checkpoint is not None and row.size == head:
                return row.size, row.root, row.checkpoint
        time.sleep(0.05)
    raise AssertionError("the workers did not sign every entry within 10 s")


def test_the_audit_page_warns_when_the_log_rewrote_its_history(
    browser: Browser, console: Console, db: Database, signer: Signer
) -> None:
    context = _context(browser)
    page = _token_sign_in(context, console)
    before = _settled(db)
    page.goto(f"{console.server.url}/audit")
    box = page.locator("[data-consistency]")
    expect(box).to_contain_text("remembered")
    page.goto(f"{console.server.url}/incidents/{console.incident}")
    page.get_by_role("button", name="Acknowledge").first.click()
    expect(page.get_by_role("status").first).to_contain_text("Acknowledged")
    size, _, _ = _settled(db)
    assert size > before[0]
    page.goto(f"{console.server.url}/audit")
    expect(box).to_contain_text("Log unchanged since")
    # The log's operator (holding the key) signs a different history of the same size.
    forged_root = bytes(32)
    note = signer.sign(Checkpoint(signer.verifier.name, size, forged_root).body())
    with db.write() as session:
        session.execute(update(LogTree).values(root=forged_root, checkpoint=note))
    page.goto(f"{console.server.url}/audit")
    expect(box).to_contain_text("WARNING")
    expect(page.get_by_role("alert")).to_contain_text("does not extend")
    context.close()


def test_keyboard_only_acknowledge_on_a_phone(
    browser: Browser, console: Console, db: Database, settings: Settings
) -> None:
    context = _context(browser, PHONE)
    page = _token_sign_in(context, console)
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.get_by_role("status").first).to_contain_text("Acknowledged")
    with db.read() as session:
        statuses = {i.title: i.status for i in session.execute(select(Incident)).scalars()}
    assert "acknowledged" in statuses.values()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    page.screenshot(path=str(settings.data_dir / "console-phone.png"), full_page=True)
    context.close()


def test_every_screen_has_no_serious_accessibility_violation(
    browser: Browser, console: Console
) -> None:
    context = _context(browser)
    page = _token_sign_in(context, console)
    errors = _errors(page)
    screens = (
        "/",
        f"/incidents/{console.incident}",
        "/oncall",
        "/services",
        "/monitors",
        "/audit",
        "/admin",
        "/docs",
    )
    for path in screens:
        page.goto(f"{console.server.url}{path}")
        assert _serious(page) == [], path
    phone = _token_sign_in(_context(browser, PHONE), console)
    for path in screens:
        phone.goto(f"{console.server.url}{path}")
        wide = phone.evaluate("document.documentElement.scrollWidth")
        assert wide <= PHONE["width"], f"{path} is {wide} px wide on a phone"
    phone.context.close()
    page.goto(f"{console.server.url}/oncall")
    page.get_by_role("button", name="Cover this shift").first.click()
    expect(page.get_by_role("status").first).to_contain_text("Override added")
    expect(page.locator(".tag", has_text="override")).to_be_visible()
    assert errors == []
    context.close()
    anonymous = _context(browser).new_page()
    anonymous.goto(f"{console.server.url}/login")
    assert _serious(anonymous) == []


def test_times_are_shown_in_the_viewers_zone_across_daylight_saving(
    browser: Browser, console: Console, db: Database
) -> None:
    # 2026-11-01 01:30 happens twice in New York: first in EDT (05:30 UTC), then in EST.
    with db.write() as session:
        for title, at in (
            ("Before the clocks went back", datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
            ("After the clocks went back", datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),
        ):
            made = make_incident(session, at, None, severity="P3", title=title)
            made.created_at = at
    context = browser.new_context(viewport=DESKTOP, timezone_id="America/New_York")
    page = _token_sign_in(context, console)
    for title, shown in (
        ("Before the clocks went back", "01:30 AM EDT"),
        ("After the clocks went back", "01:30 AM EST"),
    ):
        row = page.locator("[data-row]", has_text=title)
        moment = row.locator("time").first
        expect(moment).to_contain_text(shown)
        assert "UTC" in (moment.get_attribute("title") or "")
    context.close()
