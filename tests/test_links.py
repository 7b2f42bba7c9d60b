"""Every internal link of the built site resolves: each href and src to a file, each #anchor to an id there.

Links to other hosts are not followed (the tests run offline); the browser tests check that pages
request nothing from another host.
"""

from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from mkdocs.config import load_config
from pagecode import ROOT

BASE = urlsplit(load_config(str(ROOT / "mkdocs.yml")).site_url or "/").path.rstrip("/")
LINKS = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src", "iframe": "src"}


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, address)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attrs[key])
        if tag in LINKS and attrs.get(LINKS[tag]):
            self.links.append((tag, attrs[LINKS[tag]]))


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def target(site: Path, page: str, address: str) -> tuple[str | None, str]:
    """The site file an internal address points to (None when it leaves the site) and its fragment."""
    parts = urlsplit(address)
    if parts.scheme or parts.netloc or address.startswith("//"):
        return None, ""
    path = unquote(parts.path)
    if path.startswith("/"):
        assert path.startswith(BASE + "/"), f"{page}: {address} is outside the site's path {BASE}/"
        resolved = PurePosixPath(path[len(BASE) + 1 :])
    elif path:
        resolved = PurePosixPath(page).parent / path
    else:
        resolved = PurePosixPath(page)
    name = "/".join(p for p in _normal(resolved.parts))
    if not name or (site / name).is_dir() or address.split("#")[0].endswith("/"):
        name = f"{name}/index.html".lstrip("/")
    return name, parts.fragment


def _normal(parts):
    out = []
    for part in parts:
        if part == "..":
            assert out, "a link climbs out of the site"
            out.pop()
        elif part not in (".", ""):
            out.append(part)
    return out


def test_every_internal_link_and_anchor_resolves(built_site):
    pages = {p.relative_to(built_site).as_posix(): parse(p) for p in built_site.glob("**/*.html")}
    broken, checked, anchors = [], 0, 0
    for name, page in pages.items():
        for tag, address in page.links:
            file, fragment = target(built_site, name, address)
            if file is None:
                continue
            checked += 1
            if not (built_site / file).is_file():
                broken.append(f"{name}: <{tag}> {address} -> {file} does not exist")
            elif fragment and tag == "a" and file.endswith(".html"):
                anchors += 1
                if fragment not in pages[file].ids:
                    broken.append(f"{name}: <a> {address} -> no id {fragment!r} in {file}")
    assert not broken, "\n".join(broken)
    assert checked > 50 and anchors > 10, (checked, anchors)
    print(f"links: {len(pages)} pages, {checked} internal links, {anchors} anchors, all resolve")


def test_the_checker_finds_a_missing_file_and_a_missing_anchor(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<h1 id="top">A</h1><a href="../b/">b</a><a href="#nope">x</a>')
    assert target(tmp_path, "a/index.html", "../b/") == ("b/index.html", "")
    assert target(tmp_path, "a/index.html", "#nope") == ("a/index.html", "nope")
    assert target(tmp_path, "a/index.html", "https://example.com/") == (None, "")
    assert "nope" not in parse(tmp_path / "a" / "index.html").ids
