"""`wirewatch serve`'s page needs nothing from outside the machine that serves it."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent


def _get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            body: bytes = response.read()
            return body
    except OSError:
        return None


@contextmanager
def _served(tmp_path: Path, *options: str) -> Iterator[tuple[int, bytes]]:
    """`wirewatch serve` on a free port with these options: the port and its page."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "--data-dir", str(tmp_path / "data"), "serve"]
        + [*options, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = None
        deadline = time.monotonic() + 20
        while page is None and time.monotonic() < deadline:
            page = _get(f"http://127.0.0.1:{port}/")
            time.sleep(0.1)
        assert page is not None, "serve did not answer"
        yield port, page
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_served_page_loads_its_fonts_from_the_server(tmp_path: Path) -> None:
    with _served(tmp_path) as (port, page):
        base = f"http://127.0.0.1:{port}/"
        html = page.decode()
        assert "googleapis" not in html
        links = re.findall(r"""(?:href|src)\s*=\s*["']([^"']+)""", html)
        links += re.findall(r"""url\(\s*["']?([^"')]+)""", html)
        fonts = [link for link in links if "fonts/" in link]
        assert fonts, "the page names no font of its own"
        for link in links:
            url = urljoin(base, link)
            assert urlsplit(url).netloc == f"127.0.0.1:{port}", f"the page loads {url}"
        for font in fonts:
            body = _get(urljoin(base, font))
            assert body is not None and len(body) > 10_000, f"{font} is not served"


def test_the_page_names_its_scripts_as_the_browser_asked_for_it(tmp_path: Path) -> None:
    """Bound to 0.0.0.0 (for a desk that cannot SSH), the page named its scripts and its
    websocket at http://0.0.0.0:PORT, which no browser elsewhere can load: a blank page.
    They are named by the address the browser asked for."""
    with _served(tmp_path, "--host", "0.0.0.0") as (port, page):
        html = page.decode()
        assert "0.0.0.0" not in html
        assert f"ws://127.0.0.1:{port}/ws" in html
        assert f"http://127.0.0.1:{port}/static/" in html


def test_pages_opened_from_a_tab_get_no_opener(tmp_path: Path) -> None:
    """textual.js opens an article (`o`) with window.open(url, "_blank"): the article's page
    got window.opener and could navigate the dashboard's tab to a page of its own (a fake
    sign-in). The page replaces window.open, before textual.js runs, with one that opens
    every page without an opener or a Referer."""
    with _served(tmp_path) as (_, page):
        html = page.decode()
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
        textual = next(
            i for i, (attrs, _) in enumerate(scripts) if re.search(r"js/textual\.js", attrs)
        )
        before = [re.sub(r"^\s*//.*$", "", body, flags=re.M) for _, body in scripts[:textual]]
        wrapping = [body for body in before if re.search(r"window\.open\s*=", body)]
        assert wrapping, "window.open is left as textual.js finds it"
        body = wrapping[0]
        # a page of an address (`o`, F8) opens without an opener or a Referer; a blank one
        # (xterm's handler of a link clicked in the terminal, which clears its opener itself
        # and then sends it to the link) is let through: made without one, it stayed blank
        assert 'open(url, "_blank", "noopener,noreferrer")' in body, body
        blank = re.search(r"if \(!url\) \{[^}]*?return open\(url, \.\.\.rest\);\s*\}", body)
        assert blank, "a blank tab (a link clicked in the terminal) is not let through"
        opens = re.findall(r"\bopen\(([^;]*)\);", body.replace(blank.group(0), ""))
        assert opens and all('"noopener,noreferrer"' in call for call in opens), opens


def test_why_a_session_ended_is_shown_as_plain_text(tmp_path: Path) -> None:
    """The dashboard's error (which quotes the config, and feed text may reach it) is put
    in the "Session ended." dialog as text, never parsed as HTML."""
    with _served(tmp_path) as (_, page):
        html = page.decode()
        assert 'id="ended-detail"' in html, "the dialog has no place for the reason"
        scripts = "".join(re.findall(r"<script[^>]*>(.*?)</script>", html, re.S))
        assert re.search(r"detail\.textContent\s*=", scripts)
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", scripts)


def test_the_terminal_takes_the_keys_once_the_dashboard_is_there(tmp_path: Path) -> None:
    """textual-serve's page left the focus on the page's body: keys did nothing until the
    terminal was clicked. The page focuses the terminal once the dashboard draws."""
    with _served(tmp_path) as (_, page):
        scripts = "".join(re.findall(r"<script[^>]*>(.*?)</script>", page.decode(), re.S))
        assert re.search(r"""querySelector\("#terminal textarea"\)\??\.focus\(\)""", scripts)
