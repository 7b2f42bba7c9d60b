"""Every page of the built site in a real browser: Debian's chromium, driven by Playwright.

One visit per page, palette (light, dark) and screen (desktop 1280x800, phone 390x844) does every check:
no console error, no failed request, no request to another host; every image loaded and sized; every
formula rendered as MathML with no TeX left; the page's weight, as bytes sent by a server that compresses
like GitHub Pages; an axe-core accessibility audit (axe-playwright-python's copy, offline); nothing wider than
the screen outside a box that scrolls; the size of the smallest text inside each figure. On the way, the
light/dark toggle must swap every figure and the lightbox must open the palette's figure. The real search
answers three queries with the right section first. Playwright's own browser download is not used.
"""

import functools
import gzip
import http.server
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from mkdocs.config import load_config
from pagecode import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PALETTES = {"light": "default", "dark": "slate"}  # the emulated colour scheme -> material's palette
SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
WEIGHT_LIMIT = {"index.html": 300_000}  # bytes sent for one visit, figures of the page's palette included
DEFAULT_WEIGHT_LIMIT = 1_000_000  # a chapter, with its figures
FIGURE_TEXT_PX = {"desktop": 12, "phone": 11}  # the smallest text inside a figure, as shown
COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml", ".ipynb", ".map"}  # what GitHub Pages gzips
SEARCHES = {  # query -> the section material's search must list first
    "softmax": "activations/#softmax-done-right",
    "cross-entropy": "losses/#cross-entropy-for-classes",
    "sigmoid derivative": "activations/#the-functions-and-their-derivatives",
}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
)

BASE = urlsplit(load_config(str(ROOT / "mkdocs.yml")).site_url or "/").path.rstrip("/")  # e.g. /nn-basics


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under site_url's path as GitHub Pages does (the 404 page uses absolute links), text
    gzipped; never to be cached, so that each visit weighs what a first one does."""

    def translate_path(self, path):
        if not path.startswith(BASE + "/"):
            return str(Path(self.directory) / "no-such-file")
        return super().translate_path(path[len(BASE) :])

    def do_GET(self):
        path = Path(self.translate_path(urlsplit(self.path).path))
        path = path / "index.html" if path.is_dir() else path
        if path.suffix in COMPRESSED and path.is_file() and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(path.read_bytes())
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            super().do_GET()

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(built_site):
    handler = functools.partial(SiteHandler, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def address(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{BASE}"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def site_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.glob("**/*.html"))


# What one visit measures, in the page ------------------------------------------------------------------

MEASURE = """async () => {
  const images = [...document.querySelectorAll('img')];
  images.forEach(img => { img.loading = 'eager'; });  // lazy images off screen or hidden load too
  await Promise.all(images.map(img => img.complete ? null : new Promise(r => { img.onload = img.onerror = r; })));
  await document.fonts.ready;
  const src = img => img.getAttribute('src');
  const maths = [...document.querySelectorAll('math')];
  const walker = document.createTreeWalker(document.querySelector('article') || document.body, NodeFilter.SHOW_TEXT);
  const tex = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('pre, code, script, style')) continue;
    if (/\\\\\\(|\\\\\\[|\\$\\$|\\$[^$\\s][^$]*\\$/.test(node.textContent)) tex.push(node.textContent.trim().slice(0, 80));
  }
  // Nothing wider than the screen, unless a box that scrolls (code, maths, table, output) holds it
  const width = document.documentElement.clientWidth;
  const scrolled = el => { for (let box = el.parentElement; box; box = box.parentElement)
    if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(box).overflowX)) return true;
    return false; };
  const wide = [...document.querySelectorAll('.md-header *, .md-main *, .md-footer *')].filter(el => {
    const r = el.getBoundingClientRect();
    return r.width && (r.right > width + 1 || r.left < -1) && !el.closest('.md-sidebar') && !scrolled(el);
  }).map(el => el.outerHTML.slice(0, 100));
  return {
    broken: images.filter(img => !(img.naturalWidth > 0)).map(src),
    unsized: images.filter(img => !img.getAttribute('width') || !img.getAttribute('height')).map(src),
    maths: maths.length,
    flat: maths.filter(m => m.checkVisibility() && !(m.getBoundingClientRect().width > 0)).map(m => m.outerHTML.slice(0, 80)),
    tex,
    wide: document.documentElement.scrollWidth > width ? ['the page scrolls sideways', ...wide] : wide,
    hidden: images.filter(img => src(img).includes('#only-') && !img.checkVisibility()).map(img => new URL(img.src).pathname),
    figures: images.filter(img => img.dataset.textPt !== undefined && img.checkVisibility()).map(img => ({
      src: src(img).split('#')[0], pt: +img.dataset.textPt,
      px: +img.dataset.textPt * 4 / 3 * img.clientWidth / +img.getAttribute('width')})),
  };
}"""

# axe-core, all its rules in one run. To keep it fast (its cost grows with the number of elements), maths is left
# out (it takes the colour of the text around it, which is checked) and in code only the first token of each
# highlighting class keeps its element: the others become plain text, checked as the code block's own colour.
AXE = """async () => {
  const seen = new Set();
  for (const token of document.querySelectorAll('pre span[class]'))
    if (seen.has(token.className)) token.replaceWith(token.textContent); else seen.add(token.className);
  const result = await axe.run({exclude: [['math']]}, {resultTypes: ['violations']});
  return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
    .map(v => `${v.id} (${v.impact}): ${v.help}: ` + v.nodes.slice(0, 3).map(n => n.html.slice(0, 90)).join('; '));
}"""

VISIBLE_FIGURES = """(palette) => [...document.querySelectorAll('img[src*="#only-"]')]
  .filter(img => img.getAttribute('src').endsWith('#only-' + palette))
  .map(img => img.checkVisibility())"""


def toggle_palette(page, scheme: str) -> None:
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function(f"document.body.dataset.mdColorScheme === '{scheme}'")


def check_the_toggle(page) -> list[str]:
    """Light palette: every light figure shown, none dark; after the toggle, the other way round; back."""
    problems = []
    light, dark = page.evaluate(VISIBLE_FIGURES, "light"), page.evaluate(VISIBLE_FIGURES, "dark")
    if not (light and all(light) and not any(dark)):
        problems.append(f"light palette shows light figures {light}, dark {dark}")
    toggle_palette(page, "slate")
    light, dark = page.evaluate(VISIBLE_FIGURES, "light"), page.evaluate(VISIBLE_FIGURES, "dark")
    if not (dark and all(dark) and not any(light)):
        problems.append(f"after the toggle: light figures {light}, dark {dark}")
    toggle_palette(page, "default")
    return problems


def check_the_lightbox(page, palette: str) -> list[str]:
    """A click on a figure opens it full screen, in the palette's version."""
    page.locator("a.glightbox:visible").first.click()
    slide = page.locator(".glightbox-container .gslide.current img")
    slide.wait_for(state="visible", timeout=5000)
    shown = slide.get_attribute("src")
    page.keyboard.press("Escape")
    return [] if f".{palette}.svg" in shown else [f"the lightbox shows {shown}"]


def watch(page, host: str) -> tuple[list, list]:
    """The page's problems (errors, failed requests, requests to another host) and requests, as they come."""
    problems, requests = [], []

    def on_request(request):
        requests.append(request)
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != host:
            problems.append(f"request to another host: {request.url}")

    page.on("request", on_request)
    page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return problems, requests


def visit_every_page(site: Path, root: str, palette: str) -> dict:
    """Each page in one palette, on each screen: what went wrong and what was measured. Runs in its own thread,
    with its own Playwright (one per thread), so that the two palettes use the two cores."""
    from axe_playwright_python.base import AXE_SCRIPT
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        for screen, viewport in SCREENS.items():
            context = browser.new_context(color_scheme=palette, viewport=viewport)
            context.add_init_script(AXE_SCRIPT)
            page = context.new_page()
            problems, requests = watch(page, urlsplit(root).netloc)
            for path in site_pages(site):
                problems.clear()
                requests.clear()
                start = time.perf_counter()
                page.goto(f"{root}/{path}", wait_until="domcontentloaded")  # MEASURE waits for images and fonts
                loaded = time.perf_counter()
                assert page.evaluate("document.body.dataset.mdColorScheme") == PALETTES[palette], path
                measured = page.evaluate(MEASURE)
                hidden = set(measured.pop("hidden"))  # the other palette's figures: loaded by MEASURE, not by readers
                measured_at = time.perf_counter()
                measured["axe"] = page.evaluate(AXE)
                for _ in range(3):  # a real violation stays; one seen mid-transition (CSS, 150-250 ms) goes
                    if not measured["axe"]:
                        break
                    page.wait_for_timeout(1000)
                    measured["axe"] = page.evaluate(AXE)
                audited = time.perf_counter()
                if (palette, screen) == ("light", "desktop") and "#only-dark" in (site / path).read_text():
                    problems += check_the_toggle(page)
                if path == "perceptron/index.html":
                    problems += check_the_lightbox(page, palette)
                while not any(r.url.endswith("/search_index.json") for r in requests):  # material loads it on each page
                    page.wait_for_timeout(20)
                sent = {r.url: r for r in requests if r.response() and urlsplit(r.url).path not in hidden}
                measured["weight"] = sum(int(r.response().headers.get("content-length", 0)) for r in sent.values())
                times = [loaded - start, measured_at - loaded, audited - measured_at, time.perf_counter() - audited]
                results[path, palette, screen] = {**measured, "problems": list(problems), "seconds": times}
            context.close()
        browser.close()
    return results


@pytest.fixture(scope="module")
def visits(built_site, server):
    """Every page, palette and screen, visited once (the two palettes side by side)."""
    started = time.perf_counter()
    with ThreadPoolExecutor(len(PALETTES)) as pool:
        runs = [pool.submit(visit_every_page, built_site, address(server), palette) for palette in PALETTES]
        results = {key: value for run in runs for key, value in run.result().items()}
    pages = len(site_pages(built_site))
    assert pages > 10 and ("perceptron/index.html", "light", "phone") in results
    print(f"\nbrowser: {len(results)} visits ({pages} pages, 2 palettes, 2 screens) in {time.perf_counter() - started:.0f} s")
    return results


def failures(visits, key: str) -> dict:
    return {f"{path} {palette} {screen}": v[key] for (path, palette, screen), v in visits.items() if v[key]}


def test_every_page_loads_clean(visits):
    assert failures(visits, "problems") == {}
    assert failures(visits, "broken") == {}, "images not loaded"
    assert failures(visits, "unsized") == {}, "images without width and height"


def test_every_formula_renders_as_mathml_with_no_tex_left(visits):
    assert failures(visits, "flat") == {}, "maths with no size"
    assert failures(visits, "tex") == {}, "TeX left on the page"
    assert visits["perceptron/index.html", "light", "desktop"]["maths"] > 10


def test_no_page_is_heavier_than_its_limit(visits):
    heavy = {}
    for (path, palette, screen), v in sorted(visits.items()):
        if screen == "desktop":
            print(f"{path} {palette}: {v['weight'] / 1000:.0f} kB")
        if v["weight"] > WEIGHT_LIMIT.get(path, DEFAULT_WEIGHT_LIMIT):
            heavy[f"{path} {palette} {screen}"] = v["weight"]
    assert heavy == {}


def test_no_serious_accessibility_violation(visits):
    assert failures(visits, "axe") == {}


def test_nothing_is_wider_than_the_screen_outside_a_scrolling_box(visits):
    assert failures(visits, "wide") == {}


def test_the_text_in_every_figure_is_large_enough(visits):
    small = {}
    for (path, palette, screen), v in sorted(visits.items()):
        for figure in v["figures"]:
            if figure["pt"] and figure["px"] < FIGURE_TEXT_PX[screen] and palette == "light":
                small[f"{figure['src']} {screen}"] = round(figure["px"], 1)
    print("figure text below the limit (px):", small)
    assert small == {}


@pytest.fixture(scope="module")
def searched(server, browser) -> dict:
    """The first section material's search lists for each query, typed into the search box of the home page."""
    page = browser.new_page(viewport=SCREENS["desktop"])
    try:
        page.goto(f"{address(server)}/", wait_until="networkidle")
        found, box = {}, page.locator("input.md-search__input")
        for query in SEARCHES:
            box.click()
            box.fill("")
            box.press_sequentially(query)
            page.wait_for_timeout(400)  # the results of the whole query, not of its first letters
            first = urlsplit(page.locator(".md-search-result__item a[href*='#']").first.get_attribute("href"))
            found[query] = f"{first.path[len(BASE) + 1 :]}#{first.fragment}"
    finally:
        page.close()
    print("search, first section:", found)
    return found


@pytest.mark.parametrize("query", SEARCHES)
def test_the_search_lists_the_right_section_first(searched, query):
    assert searched[query] == SEARCHES[query]


def test_a_quiz_answers_right_and_wrong_in_the_browser(server, browser):
    """mkdocs-quiz's script, served by the site: a wrong choice is called wrong, the right one right and its
    explanation shown; no console error and no request to another host on the way."""
    page = browser.new_page(viewport=SCREENS["phone"])
    problems, _ = watch(page, urlsplit(address(server)).netloc)
    try:
        page.goto(f"{address(server)}/gradient-descent/", wait_until="networkidle")
        quiz = page.locator("div.quiz").first
        explanation = quiz.locator("section.content")
        assert not explanation.is_visible()
        quiz.locator("fieldset > div", has=page.locator("input:not([data-correct])")).first.locator("label").click()
        assert quiz.locator(".quiz-feedback").inner_text() == "Incorrect answer."
        quiz = page.locator("div.quiz").nth(1)
        quiz.locator("fieldset > div", has=page.locator("input[data-correct]")).locator("label").click()
        assert quiz.locator(".quiz-feedback").inner_text() == "Correct answer!"
        assert quiz.locator("section.content").is_visible()
    finally:
        page.close()
    assert problems == []
