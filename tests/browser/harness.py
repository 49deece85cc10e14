"""Real-browser harness: DutyDesk served by `streamlit run`, driven by Debian's Chromium.

Fixtures (a browser test module imports the ones it uses: `from harness import live_app, page`):
- `live_app`: a fresh, migrated SQLite data directory and a Streamlit server on a free
  port; yields a LiveApp (`.url`, `.data_dir`, `.env` to run manage.py against it). A traceback in
  the server's log fails the test. Its pieces (`app_env`, `migrate`, `start_app`,
  `wait_healthy`, `stop_app`) start servers of other shapes (two instances on one database).
- `page`: a Playwright page in Chinese, 1400×900, in Debian's /usr/bin/chromium; a
  screenshot is kept when the test fails. Without /usr/bin/chromium the test skips
  locally and fails with CI=true.
Helpers: `settle(page)` waits until Streamlit has finished its script run (and fails on an
uncaught exception); `snap(page, name)` keeps a whole-page screenshot in test-artifacts/
(gitignored); `fill`, `choose`, `expand`, `press`, `submit`, `open_page` drive widgets by
their Chinese labels; `login`, `first_login`, `logout` sign in and out.

This is a plain module, not a conftest.py: a second conftest would shadow tests/conftest.py
for `from conftest import ...`.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
# Assertions wait as long as actions: `make test` runs two test files at once on two cores.
expect.set_options(timeout=15_000)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STARTUP_SECONDS = 60


# ---------------------------------------------------------------- the server

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveApp:
    url: str
    data_dir: Path
    env: dict[str, str]
    log: Path
    process: subprocess.Popen = field(repr=False)

    @property
    def database_url(self) -> str:
        return (self.env.get("DUTYDESK_DATABASE_URL")
                or f"sqlite:///{self.data_dir / 'dutydesk.sqlite'}")

    def server_errors(self) -> str:
        """Tracebacks the server logged (users only see them redacted)."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return text[text.find("Traceback"):] if "Traceback" in text else ""


def _wait_healthy(proc: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()}")
        try:
            # our own http://127.0.0.1 server
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:  # noqa: S310
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"streamlit not healthy after {STARTUP_SECONDS}s:\n{log.read_text()}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def app_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a server (and of manage.py run against it): this process's
    without any DUTYDESK_/STREAMLIT_ setting, plus the data directory and `extra`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DUTYDESK_", "STREAMLIT_"))}
    env.update(DUTYDESK_DATA_DIR=str(data_dir), DUTYDESK_BCRYPT_ROUNDS="4",
               DUTYDESK_ADDRESS="127.0.0.1", PYTHONUNBUFFERED="1", **extra)
    return env


def migrate(env: dict[str, str]) -> None:
    migrated = subprocess.run([sys.executable, "manage.py", "migrate"], cwd=ROOT, env=env,
                              capture_output=True, text=True)
    if migrated.returncode:
        pytest.fail(f"manage.py migrate failed:\n{migrated.stderr}")


def start_app(env: dict[str, str], log_name: str) -> LiveApp:
    """`streamlit run app.py` on a free port with `env`; returns at once (see wait_healthy)."""
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"{safe_name(log_name)}-streamlit.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py",
             "--server.address", "127.0.0.1", "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    return LiveApp(url=f"http://127.0.0.1:{port}", data_dir=Path(env["DUTYDESK_DATA_DIR"]),
                   env=env, log=log, process=proc)


def wait_healthy(app: LiveApp) -> None:
    _wait_healthy(app.process, app.url, app.log)


def stop_app(app: LiveApp) -> None:
    _stop(app.process)


@contextmanager
def serving(*apps: LiveApp) -> Iterator[None]:
    """Started servers, stopped afterwards whatever happened; then a test fails on any
    traceback one of them logged (users only see it redacted)."""
    try:
        yield
    finally:
        for app in apps:
            stop_app(app)
    for app in apps:
        errors = app.server_errors()
        if errors:
            pytest.fail(f"{app.url} logged an error:\n{errors[-4000:]}")


@pytest.fixture
def live_app(request, tmp_path) -> Iterator[LiveApp]:
    env = app_env(tmp_path / "data")
    migrate(env)
    app = start_app(env, request.node.name)
    with serving(app):
        wait_healthy(app)
        yield app


# ---------------------------------------------------------------- the browser

_CHROMIUM: dict = {"users": 0}


@pytest.fixture(scope="session")
def chromium_browser():
    """One Chromium for the whole run. Each test module that imports this fixture gets a
    session-scoped copy of its own, and Playwright's sync API allows one instance per
    thread, so the copies share it and the last one to finish closes it."""
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} not installed (Debian package chromium; .ci/run installs it)"
        if IN_CI:
            pytest.fail("CI=true: " + message)
        pytest.skip(message)
    if not _CHROMIUM["users"]:
        pw = sync_playwright().start()
        _CHROMIUM.update(playwright=pw, browser=pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS))
    _CHROMIUM["users"] += 1
    try:
        yield _CHROMIUM["browser"]
    finally:
        _CHROMIUM["users"] -= 1
        if not _CHROMIUM["users"]:
            _CHROMIUM["browser"].close()
            _CHROMIUM["playwright"].stop()


# Installed in every document before Streamlit loads: notes when the page last sent the
# server anything (a click, a widget value, a component value: each may start a run) and
# which component iframes have spoken (the login cookie manager reports its value only
# once its iframe has loaded, which on a busy machine can come seconds after a run ended,
# and that late run would interrupt, and so lose, a form submitted meanwhile).
ACTIVITY_WATCH = """
(() => {
  const dd = window.__dd = {lastActivity: 0, sent: 0, spoke: new WeakSet()};
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    dd.lastActivity = performance.now();
    dd.sent += 1;
    return send.call(this, data);
  };
  window.addEventListener('message', (event) => {
    for (const frame of document.querySelectorAll('iframe')) {
      if (frame.contentWindow === event.source) {
        dd.spoke.add(frame);
        dd.lastActivity = performance.now();
      }
    }
  }, true);
})();
"""


def new_context(browser, **options):
    """A browser context as the tests use it: Chinese, Beijing time, 1400×900, watched
    (see ACTIVITY_WATCH) so that `settle` knows when Streamlit has really finished."""
    context = browser.new_context(**{"locale": "zh-CN", "timezone_id": "Asia/Shanghai",
                                     "viewport": {"width": 1400, "height": 900}, **options})
    context.set_default_timeout(20_000)
    context.add_init_script(ACTIVITY_WATCH)
    return context


@pytest.fixture
def page(request, chromium_browser):
    context = new_context(chromium_browser)
    pg = context.new_page()
    failures_before = request.session.testsfailed
    yield pg
    if request.session.testsfailed > failures_before:  # this test's call just failed
        try:  # the screenshot shows the viewport; the text file has the whole page
            snap(pg, f"FAILED-{request.node.name}")
            (ARTIFACTS / f"FAILED-{safe_name(request.node.name)}.txt").write_text(
                pg.locator("body").inner_text())
        except Exception:  # noqa: S110 - the page may be gone; the failure itself matters more
            pass
    context.close()


# ---------------------------------------------------------------- helpers

def safe_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name)


def settle(page, timeout: float = 30_000, quiet_ms: int = 500) -> None:
    """Wait until Streamlit is connected and has stayed idle for `quiet_ms`: no script run,
    nothing stale, every component iframe loaded and heard from, nothing sent to the server;
    fail if the run ended in an uncaught exception (users see it redacted).

    Idle for a while, and every component heard from: a custom component (the login cookie
    manager) sends its value once its iframe has loaded, which starts another run; a form
    submitted while that run is on its way is lost (the run that carried the click is
    interrupted by one that does not).
    """
    page.wait_for_timeout(100)  # let a click's rerun begin before asking whether it ended
    page.evaluate("window.__ddIdleSince = null")
    page.wait_for_function(
        """(quiet) => {
            const app = document.querySelector('[data-testid="stApp"]');
            const dd = window.__dd;  // absent in a context not made by new_context
            const framesHeard = !dd || [...document.querySelectorAll('iframe')]
                .every((frame) => dd.spoke.has(frame));
            const idle = app && app.dataset.testConnectionState === 'CONNECTED'
                && app.dataset.testScriptState === 'notRunning'
                && !document.querySelector('[data-stale="true"]') && framesHeard;
            if (!idle) { window.__ddIdleSince = null; return false; }
            const now = performance.now();
            window.__ddIdleSince = Math.max(window.__ddIdleSince || now,
                                            dd ? dd.lastActivity : 0);
            return now - window.__ddIdleSince >= quiet;
        }""",
        arg=quiet_ms, polling=50, timeout=timeout,
    )
    crashed = page.locator('[data-testid="stException"]')
    if crashed.count():
        raise AssertionError("the app showed an uncaught exception (see the streamlit log in "
                             "test-artifacts/): " + crashed.first.inner_text())


def snap(page, name: str) -> Path:
    """Keep a screenshot of the whole page in test-artifacts/ (gitignored). Streamlit
    scrolls inside its main block, so the viewport is stretched to the content for the
    shot and put back afterwards."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{safe_name(name)}.png"
    size = page.viewport_size
    height = page.evaluate(
        "(document.querySelector('[data-testid=\"stMain\"]') || document.body).scrollHeight")
    page.set_viewport_size({"width": size["width"],
                            "height": min(max(height, size["height"]), 8000)})
    try:
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(size)
    return path


# ---------------------------------------------------------------- driving Streamlit widgets

def fill(scope, label: str, value: str) -> None:
    """Type into the text field labelled exactly `label` (within `scope`: a page or locator)."""
    scope.get_by_label(label, exact=True).fill(value)


def choose(page, label: str, option: str) -> None:
    """Pick an option in a Streamlit selectbox or multiselect. The list is opened from the
    keyboard (a mouse click may only focus the field), and again if a rerun closed it
    before the option could be clicked or redrew the field without the choice (seen under
    load: an account created without the role chosen for it) — as an officer who sees the
    field still empty picks again."""
    field = page.get_by_label(label, exact=True)
    wanted = page.get_by_role("option", name=option, exact=True)
    for _ in range(4):
        field.focus()
        if not page.get_by_role("listbox").is_visible():
            field.press("ArrowDown")
        try:
            wanted.click(timeout=3_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            settle(page)
            continue
        if page.get_by_role("listbox").count():  # a multiselect stays open for more choices
            page.keyboard.press("Escape")
        settle(page)
        if _shows(page, field, option):
            return
    raise AssertionError(f"{label}: option {option!r} never taken")


def _shows(page, field, option: str) -> bool:
    """Whether the selectbox shows `option`, or the multiselect has it among its chips."""
    multi = page.get_by_test_id("stMultiSelect").filter(has=field)
    if multi.count():
        return multi.get_by_text(option, exact=True).count() > 0
    return field.input_value() == option


def expand(page, title: str) -> None:
    """Open a Streamlit expander unless it is already open (it stays open across reruns)."""
    details = page.locator("details", has_text=title).first
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def click_and_settle(page, button) -> None:
    """Click `button` and wait for the rerun. If the page sent the server nothing, the click
    was lost: click again, as an officer who sees nothing happen does. A click that was sent
    is never repeated. (Seen once: a form left filled in, no run, no message; whether that
    click had been sent is not known.)"""
    sent = page.evaluate("window.__dd ? window.__dd.sent : null")
    button.click()
    settle(page)
    if sent is not None and page.evaluate("window.__dd.sent") == sent:
        button.click()
        settle(page)


def press(page, name: str) -> None:
    """Click the button named exactly `name` and wait for the rerun."""
    click_and_settle(page, page.get_by_role("button", name=name, exact=True))


def submit(page, name: str) -> None:
    """Press a form's submit button (an expander may carry the same words)."""
    click_and_settle(page, page.get_by_test_id("stFormSubmitButton").get_by_role("button", name=name))


def open_page(page, title: str) -> None:
    """Follow the sidebar link, unfolding a long navigation ("View N more") first."""
    sidebar = page.get_by_test_id("stSidebar")
    link = sidebar.get_by_role("link", name=title, exact=True)
    more = sidebar.get_by_text(re.compile(r"^View \d+ more$"))
    deadline = time.monotonic() + 20  # a rerun may still be drawing the navigation
    while not (link.is_visible() or more.is_visible()) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    if not link.is_visible() and more.is_visible():
        more.click()
    link.click()
    settle(page)
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()


# ---------------------------------------------------------------- signing in and out

def login(page, username: str, password: str) -> None:
    """Sign in on the login form the page shows now."""
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    fill(page, "用户名", username)
    fill(page, "密码", password)
    expect(page.get_by_label("用户名", exact=True)).to_have_value(username)
    page.get_by_role("button", name="登录").click()
    settle(page)


def first_login(page, username: str, temp_password: str, password: str,
                shot: str | None = None) -> None:
    """A new or reset account must replace its temporary password, then sign in again."""
    login(page, username, temp_password)
    expect(page.get_by_text("首次登录或密码已被重置，请先修改密码")).to_be_visible()
    fill(page, "原密码", temp_password)
    fill(page, "新密码", password)
    fill(page, "确认新密码", password)
    if shot:
        snap(page, shot)
    press(page, "修改密码")
    expect(page.get_by_text("密码已修改，请使用新密码重新登录")).to_be_visible()
    login(page, username, password)


def logout(page) -> None:
    press(page, "退出登录")
    expect(page.get_by_role("button", name="登录")).to_be_visible()
