"""MkDocs hook: turn the TeX that pymdownx.arithmatex marks into MathML when the page is built.

Browsers render MathML natively, so the site needs no maths script, no font download and no request
to another host. TeX that latex2mathml cannot read fails the build, naming the page and the formula.
"""

import html
import re
from importlib.util import find_spec
from pathlib import Path

from latex2mathml.converter import convert
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

# An OpenType maths font, served by the site: without one, browsers set MathML in whatever font they have.
MATH_FONT = "assets/fonts/STIXTwoMath-Regular.ttf"

INLINE = re.compile(r'<span class="arithmatex">\\\((?P<tex>.+?)\\\)</span>', re.DOTALL)
DISPLAY = re.compile(r'<div class="arithmatex">\\\[(?P<tex>.+?)\\\]</div>', re.DOTALL)


def tex_to_mathml(tex: str, display: bool) -> str:
    mathml = convert(html.unescape(tex).strip(), display="block" if display else "inline")
    return f'<div class="arithmatex">{mathml}</div>' if display else mathml


def on_files(files, config):
    """Serve STIX Two Math from the ziamath package installed at setup (never committed)."""
    package = Path(find_spec("ziamath").submodule_search_locations[0])
    files.append(File.generated(config, MATH_FONT, abs_src_path=str(package / "fonts" / Path(MATH_FONT).name)))
    return files


def on_page_content(content, page, config, files):
    def replace(match: re.Match, display: bool) -> str:
        try:
            return tex_to_mathml(match["tex"], display)
        except Exception as error:
            raise PluginError(f"{page.file.src_uri}: cannot render the maths {match['tex']!r}: {error}")

    content = DISPLAY.sub(lambda m: replace(m, True), content)
    return INLINE.sub(lambda m: replace(m, False), content)
