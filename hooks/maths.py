"""MkDocs hook: turn the TeX that pymdownx.arithmatex marks into MathML when the page is built.

Browsers render MathML natively, so the site needs no maths script and no request to another host.
TeX that latex2mathml cannot read fails the build, naming the page and the formula. Its MathML is then
set the way TeX would set it in Chromium (`typeset`), and each formula carries a line of plain text for
the search index (`linear`), which skips the MathML itself. The site serves STIX Two Math, cut down to the
glyphs its formulas use.
"""

import hashlib
import html
import re
import unicodedata
from importlib.util import find_spec
from pathlib import Path
from xml.etree.ElementTree import Element, tostring

from latex2mathml.converter import convert_to_element
from mkdocs.exceptions import PluginError

# An OpenType maths font, served by the site (extra.css names it): without one, browsers set MathML in
# whatever font they have. Subset to the characters of this build's formulas, cached by that set.
MATH_FONT = "assets/fonts/STIXTwoMath.woff2"
CACHE = Path(".cache") / "fonts"

INLINE = re.compile(r'<span class="arithmatex">\\\((?P<tex>.+?)\\\)</span>', re.DOTALL)
DISPLAY = re.compile(r'<div class="arithmatex">\\\[(?P<tex>.+?)\\\]</div>', re.DOTALL)
MATH = re.compile(r"<math\b.*?</math>", re.DOTALL)
SINGLE_MI = re.compile(r"<mi>([^<])</mi>")  # Chromium draws these in mathematical italic (math-auto)

ROWS = {"math", "mrow", "mstyle", "mtd", "msqrt", "mpadded", "mphantom", "menclose"}
SCRIPTS = {"msub", "msup", "msubsup", "munder", "mover", "munderover"}
LIMITS = {"msub": "munder", "msup": "mover", "msubsup": "munderover"}  # in display maths
LARGE_OPERATORS = set("∑∏∐⋃⋂⨁⨂")
LIMIT_WORDS = {"lim", "max", "min", "sup", "inf", "argmax", "argmin"}
PRIMES = set("′″‴")
SIGNS = set("−+±∓")
OPERAND_OPS = set(")]}|‖⟩…!∞") | PRIMES  # an operator after one of these is binary: a − b, f′ − g
AS_OPERATOR = {"~": "∼", "±": "±", "∓": "∓", ";": ";"}  # latex2mathml makes these identifiers
AS_IDENTIFIER = {"∂", "∞"}  # and these operators, which Chromium then spaces like `=`
ACCENTS = {"^": "\u0302", "~": "\u0303", "¯": "\u0304", "˙": "\u0307", "→": "\u20d7"}
SPACED = set("=<>≤≥≈∼∈→←+−±×·⊙")


def _word(el: Element) -> bool:
    """A function or operator name set upright: sin, log, MSE, softmax."""
    return el.tag == "mi" and len(el.text or "") > 1 and (el.text or "").replace("\u2009", "").isalpha()


def typeset(math: Element, display: bool) -> Element:
    """Fix what latex2mathml's MathML looks like in Chromium, in place."""
    for el in list(math.iter()):
        text = el.text or ""
        if el.tag == "mrow" and len(el) > 1 and all(k.tag == "mi" and k.get("mathvariant") == "normal" for k in el):
            el.tag, el.text, el.attrib = "mi", "".join(k.text or "" for k in el), {}  # \mathrm{softmax}: one name
            el[:] = []
        elif el.tag == "mo" and len(text) > 1 and text.replace("\u2009", "").isalpha():
            el.tag = "mi"  # \operatorname{MSE}, \max: a name, not an operator with `=`'s spacing
        elif el.tag == "mo" and text in AS_IDENTIFIER:
            el.tag, el.attrib = "mi", {"mathvariant": "normal"}
        elif el.tag == "mi" and text in AS_OPERATOR:
            el.tag, el.text = "mo", AS_OPERATOR[text]
        elif el.tag == "mo" and text in "|‖" and el.get("stretchy") != "true":
            el.set("lspace", "0")  # |r|: bars, not the infix operator `a | b` with its spacing
            el.set("rspace", "0")
        elif el.tag == "mtext":
            el.text = re.sub(r"\\([_%&$#{}])", r"\1", text)  # \text{fan\_in}
    for el in list(math.iter()):
        if el.tag == "msup" and set(el[1].text or "-") <= PRIMES and not len(el[1]):
            el.tag, el[1].tag, el[1].attrib = "mrow", "mo", {}  # f′: the prime glyph is already raised
        elif display and el.tag in LIMITS and (el[0].tag == "mo" and el[0].text in LARGE_OPERATORS or el[0].text in LIMIT_WORDS):
            el.tag = LIMITS[el.tag]  # limits under and over, as TeX sets them in display
    for row in [el for el in math.iter() if el.tag in ROWS]:
        children, previous = [], None
        for n, el in enumerate(row):
            if el.tag == "mo" and el.text in SIGNS and (previous is None or previous.tag == "mo" and previous.text not in OPERAND_OPS):
                el.set("form", "prefix")  # unary: (−1, 1), not ( − 1, 1)
            # A function name gets a thin space from an operand on either side, as in TeX: y log p, sin x
            name = _word(el) or el.tag in SCRIPTS and _word(el[0])
            following = row[n + 1] if n + 1 < len(row) else None
            if name and previous is not None and (previous.tag != "mo" or previous.text in OPERAND_OPS):
                children.append(Element("mspace", width="0.1667em"))
            children.append(el)
            if name and following is not None and following.tag not in ("mo", "mspace"):
                children.append(Element("mspace", width="0.1667em"))
            if el.tag != "mspace":
                previous = el
        row[:] = children
    return math


def linear(el: Element) -> str:
    """A formula as one line of plain text, as a reader types it: σ′(z) = σ(z)(1 − σ(z)), 1/(1 + e^(−z))."""
    parts = [linear(k) for k in el]

    def group(text: str) -> str:
        return text if len(text) == 1 or text.isalnum() else f"({text})"

    if el.tag in ("mi", "mn", "mtext"):
        return el.text or ""
    if el.tag == "mo":
        spaced = el.text in SPACED and el.get("form") != "prefix"
        return f" {el.text} " if spaced else f"{el.text} " if el.text in (",", ";") else el.text or ""
    if el.tag == "mspace":
        return " "
    if el.tag == "mfrac":
        return f"{group(parts[0].strip())}/{group(parts[1].strip())} "
    if el.tag == "msqrt":
        return f"√{group(''.join(parts).strip())}"
    if el.tag == "mover" and el.get("accent") == "true":
        return parts[0] + ACCENTS.get(parts[1], "")
    if el.tag in SCRIPTS:
        below = el.tag in ("msub", "msubsup", "munder", "munderover")
        marks = ["_"] * below + ["^"] * (el.tag not in ("msub", "munder"))
        return parts[0] + "".join(mark + group(part.replace(" ", "")) for mark, part in zip(marks, parts[1:])) + " " * (
            el[0].text in LARGE_OPERATORS
        )
    if el.tag == "mtr":
        return ", ".join(p.strip() for p in parts)
    if el.tag == "mtable":
        return "; ".join(parts)
    return re.sub(r"  +", " ", "".join(parts))


def tex_to_mathml(tex: str, display: bool) -> str:
    math = convert_to_element(html.unescape(tex).strip(), display="block" if display else "inline")
    for el in math.iter():
        el.text = html.unescape(el.text) if el.text else el.text  # latex2mathml keeps entities as text
    math.attrib = {"display": "block"} if display else {}
    typeset(math, display)
    text = html.escape(unicodedata.normalize("NFC", linear(math).strip()), quote=False)
    math.set("data-search-exclude", "")  # the index gets the line of text instead
    mathml = tostring(math, encoding="unicode").replace(' data-search-exclude=""', " data-search-exclude")
    mathml += f'<span class="nn-search-text" hidden>{text}</span>'
    return f'<div class="arithmatex">{mathml}</div>' if display else mathml


def on_page_content(content, page, config, files):
    def replace(match: re.Match, display: bool) -> str:
        try:
            return tex_to_mathml(match["tex"], display)
        except Exception as error:
            raise PluginError(f"{page.file.src_uri}: cannot render the maths {match['tex']!r}: {error}") from error

    content = DISPLAY.sub(lambda m: replace(m, True), content)
    return INLINE.sub(lambda m: replace(m, False), content)


# The maths font, cut down to what the formulas use ----------------------------------------------------

_characters: set[str] = set()


def italic(char: str) -> str:
    """The mathematical italic letter Chromium draws for a one-letter <mi> (CSS text-transform: math-auto)."""
    name = re.fullmatch(r"(?:LATIN|GREEK) (SMALL|CAPITAL) LETTER (\w+)", unicodedata.name(char, ""))
    try:
        return unicodedata.lookup(f"MATHEMATICAL ITALIC {name[1]} {name[2]}") if name else char
    except KeyError:
        return "\u210e" if char == "h" else char  # italic h is the Planck constant's code point


def characters(page_html: str) -> set[str]:
    found = {"\u221a"}  # the radical sign, which <msqrt> draws without it being in the text
    for mathml in MATH.findall(page_html):
        found |= set(html.unescape(re.sub(r"<[^>]+>", "", mathml)))
        found |= {italic(html.unescape(c)) for c in SINGLE_MI.findall(mathml)}
    return found


def subset_font(chars: set[str], cache: Path) -> Path:
    """STIX Two Math as WOFF2 with only these characters, with their MATH table variants and assemblies."""
    from fontTools import subset

    key = hashlib.sha256("".join(sorted(chars)).encode()).hexdigest()[:16]
    target = cache / f"STIXTwoMath.{key}.woff2"
    if not target.exists():
        options = subset.Options(flavor="woff2")
        source = Path(find_spec("ziamath").submodule_search_locations[0]) / "fonts" / "STIXTwoMath-Regular.ttf"
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(map(ord, chars)))
        subsetter.subset(font)  # keeps the MATH table, the glyphs it references included
        target.parent.mkdir(parents=True, exist_ok=True)
        subset.save_font(font, str(target.with_suffix(".tmp")), options)
        target.with_suffix(".tmp").replace(target)
    return target


def on_pre_build(config):
    _characters.clear()


def on_post_page(output, page, config):
    _characters.update(characters(output))
    return output


def on_post_build(config):
    font = Path(config.site_dir) / MATH_FONT
    font.parent.mkdir(parents=True, exist_ok=True)
    cached = subset_font(_characters, Path(config.config_file_path).parent / CACHE)
    font.write_bytes(cached.read_bytes())
