"""Every page of the built site in a real browser: Debian's chromium, driven by Playwright.

Each page must load with no console error, no failed request and no request to another host; every
image must load and every formula render as MathML, with no TeX left on the page; the light/dark toggle
must swap each figure for its other-palette version. Playwright's own browser download is not used.
"""

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from mkdocs.config import load_config
from pagecode import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
)


BASE = urlsplit(load_config(str(ROOT / "mkdocs.yml")).site_url or "/").path.rstrip("/")  # e.g. /nn-basics


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under site_url's path, as GitHub Pages does (the 404 page uses absolute links)."""

    def translate_path(self, path):
        if not path.startswith(BASE + "/"):
            return str(Path(self.directory) / "no-such-file")
        return super().translate_path(path[len(BASE) :])

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(built_site):
    handler = functools.partial(SiteHandler, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}{BASE}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def site_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.glob("**/*.html"))


# Checks run in the page ------------------------------------------------------------------------------

IMAGES = """async () => {
  const images = [...document.querySelectorAll('img')];
  images.forEach(img => { img.loading = 'eager'; });  // lazy images off screen or hidden load too
  await Promise.all(images.map(img => img.complete ? null : new Promise(r => { img.onload = img.onerror = r; })));
  return images.filter(img => !(img.naturalWidth > 0)).map(img => img.getAttribute('src'));
}"""

MATHS = """() => {
  const maths = [...document.querySelectorAll('math')];
  const flat = maths.filter(m => m.checkVisibility() && !(m.getBoundingClientRect().width > 0 && m.getBoundingClientRect().height > 0));
  const walker = document.createTreeWalker(document.querySelector('article') || document.body, NodeFilter.SHOW_TEXT);
  const tex = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('pre, code, script, style, .clipboard-copy-txt')) continue;  // code, and mkdocs-jupyter's copy of it
    if (/\\\\\\(|\\\\\\[|\\$\\$|\\$[^$\\s][^$]*\\$/.test(node.textContent)) tex.push(node.textContent.trim().slice(0, 80));
  }
  return {count: maths.length, flat: flat.map(m => m.outerHTML.slice(0, 80)), tex};
}"""

WEIGHT = """() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
  .reduce((sum, entry) => sum + (entry.encodedBodySize || 0), 0)"""

VISIBLE_FIGURES = """(palette) => [...document.querySelectorAll('img[src*="#only-"]')]
  .filter(img => img.getAttribute('src').endsWith('#only-' + palette))
  .map(img => img.checkVisibility())"""


def visit(browser, url: str):
    """Open the page; return it and what went wrong on the network or in the console."""
    context = browser.new_context(color_scheme="light", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems, requests = [], []
    host = urlsplit(url).netloc

    def on_request(request):
        requests.append(request.url)
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != host:
            problems.append(f"request to another host: {request.url}")

    page.on("request", on_request)
    page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(url, wait_until="load")
    return context, page, problems, requests


def test_every_page_loads_clean_in_chromium(built_site, server, browser):
    pages = site_pages(built_site)
    assert "perceptron/index.html" in pages and "index.html" in pages
    report, total = {}, 0
    for path in pages:
        context, page, problems, requests = visit(browser, f"{server}/{path}")
        try:
            broken = page.evaluate(IMAGES)
            problems += [f"image not loaded: {src}" for src in broken]
            maths = page.evaluate(MATHS)
            problems += [f"maths with no size: {m}" for m in maths["flat"]]
            problems += [f"TeX left on the page: {t}" for t in maths["tex"]]
            page.wait_for_load_state("networkidle")
            weight = page.evaluate(WEIGHT)
        finally:
            context.close()
        report[path] = problems
        assert requests, path
        print(f"{path}: {len(requests)} requests, {weight / 1024:.0f} KiB")
        total += len(requests)
    assert {p: v for p, v in report.items() if v} == {}
    print(f"browser: {len(pages)} pages, {total} requests checked, none to another host")


def test_chapter_maths_renders_as_mathml(built_site, server, browser):
    context, page, problems, _ = visit(browser, f"{server}/perceptron/")
    try:
        maths = page.evaluate(MATHS)
    finally:
        context.close()
    assert maths["count"] > 10 and not maths["flat"] and not maths["tex"] and not problems


def test_the_palette_toggle_swaps_every_figure(built_site, server, browser):
    for path in site_pages(built_site):
        if "#only-dark" not in (built_site / path).read_text(encoding="utf-8"):
            continue
        context, page, problems, _ = visit(browser, f"{server}/{path}")
        try:
            assert page.evaluate("document.body.dataset.mdColorScheme") == "default"
            light, dark = page.evaluate(VISIBLE_FIGURES, "light"), page.evaluate(VISIBLE_FIGURES, "dark")
            assert light and all(light) and not any(dark), path
            page.locator("form[data-md-component=palette] label:visible").first.click()
            page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
            light, dark = page.evaluate(VISIBLE_FIGURES, "light"), page.evaluate(VISIBLE_FIGURES, "dark")
            assert dark and all(dark) and not any(light), path
            assert not problems, problems
        finally:
            context.close()
