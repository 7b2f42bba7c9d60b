"""The MathML the build makes from TeX is set as TeX would set it in Chromium, carries a line of plain text for
the search index, and the maths font served is cut down to the glyphs the formulas use."""

import re

import pytest
from fontTools.ttLib import TTFont
from latex2mathml.exceptions import MissingEndError, NoAvailableTokensError
from maths import characters, italic, subset_font, tex_to_mathml


def mathml(tex: str, display: bool = False) -> str:
    return re.sub(r"<span class=\"nn-search-text\".*?</span>", "", tex_to_mathml(tex, display))


def searched(tex: str, display: bool = False) -> str:
    return re.search(r'<span class="nn-search-text" hidden>(.*?)</span>', tex_to_mathml(tex, display))[1]


THIN = '<mspace width="0.1667em" />'


def test_a_function_name_is_followed_by_a_thin_space_unless_a_bracket_follows():
    assert f"<mi>sin</mi>{THIN}<mi>x</mi>" in mathml(r"\sin x")
    assert f"<mi>log</mi>{THIN}<msub><mi>a</mi>" in mathml(r"\log a_j")
    assert "<mi>log</mi><mo stretchy=\"false\">(</mo>" in mathml(r"\log(1 - p)")
    assert f"</msub>{THIN}<mi>log</mi>{THIN}<msub>" in mathml(r"y_i \log p_i")  # and preceded, after an operand


def test_operator_names_are_names_not_operators():
    assert "<mi>MSE</mi><mo" in mathml(r"\operatorname{MSE}(x)")  # not <mo>MSE</mo>, spaced like `=`
    assert "<mi>softmax</mi>" in mathml(r"\mathrm{softmax}(z)")  # one name, not seven letters
    assert "<mi>max</mi>" in mathml(r"\max(z, 0)")


def test_a_minus_after_a_bracket_comma_or_operator_is_unary():
    assert '<mo stretchy="false">(</mo><mo form="prefix">−</mo><mn>1</mn>' in mathml(r"(-1, 1)")
    assert '<mo>=</mo><mo form="prefix">−</mo>' in mathml(r"a = -b")
    assert '<mrow><mo form="prefix">−</mo>' in mathml(r"-\frac{1}{N}")
    assert "<mo>−</mo>" in mathml(r"a - b") and "prefix" not in mathml(r"a - b")
    assert "prefix" not in mathml(r"|r| - 1") and "prefix" not in mathml(r"(a) - b")


def test_a_prime_follows_its_base_instead_of_being_raised_again():
    out = mathml(r"\sigma'(z) = f''(x)")
    assert "<mrow><mi>σ</mi><mo>′</mo></mrow>" in out and "<mrow><mi>f</mi><mo>″</mo></mrow>" in out
    assert "msup" not in out


def test_sums_and_limits_in_display_maths_take_their_limits_under_and_over():
    assert "<munderover><mo>∑</mo>" in mathml(r"\left[ \sum_{i=1}^N x_i \right]", display=True)
    assert "<munder><mi>max</mi>" in mathml(r"m = \max_k z_k", display=True)
    assert "<msubsup><mo>∑</mo>" in mathml(r"\sum_{i=1}^N x_i")  # inline: at the side, as in TeX


def test_symbols_latex2mathml_misclassifies():
    assert "<mo>∼</mo>" in mathml(r"y \sim \mathcal{N}(0, 1)")
    assert '<mi mathvariant="normal">∞</mi>' in mathml(r"[0, \infty)")  # not spaced like an operator
    assert '<mi mathvariant="normal">∂</mi><mi>L</mi>' in mathml(r"\partial L")
    assert '<mo stretchy="false" lspace="0" rspace="0">|</mo><mi>r</mi>' in mathml(r"|r|")
    assert "<mtext>fan_in</mtext>" in mathml(r"\sqrt{\text{fan\_in}}")


def test_the_search_index_gets_a_line_of_text_and_not_the_mathml():
    out = tex_to_mathml(r"\sigma(z) = \frac{1}{1 + e^{-z}}", display=True)
    assert out.startswith('<div class="arithmatex"><math display="block" data-search-exclude>')
    assert searched(r"\sigma(z) = \frac{1}{1 + e^{-z}}") == "σ(z) = 1/(1 + e^(−z))"
    assert searched(r"\sigma'(z) = \sigma(z)(1 - \sigma(z))") == "σ′(z) = σ(z)(1 − σ(z))"
    assert searched(r"\frac{1}{N} \sum_{i=1}^{N} (\hat y_i - y_i)^2") == "1/N ∑_(i=1)^N (ŷ_i − y_i)^2"
    assert searched(r"x < y") == "x &lt; y"


def test_the_font_keeps_the_characters_and_the_italic_letters_chromium_draws():
    assert italic("x") == "𝑥" and italic("h") == "ℎ" and italic("σ") == "𝜎" and italic("Φ") == "𝛷"
    assert italic("2") == "2" and italic("𝐰") == "𝐰"  # not a letter, or already a maths letter
    found = characters("<p>x</p>" + mathml(r"\sqrt{x} + \sin y_i"))
    assert {"s", "i", "n", "𝑥", "𝑦", "𝑖", "+", "√"} <= found and "p" not in found


def test_the_font_subset_keeps_the_math_table_and_is_cached(tmp_path):
    font = subset_font(set("∑()x"), tmp_path)
    assert font.read_bytes()[:4] == b"wOF2" and font.stat().st_size < 30_000
    subset = TTFont(font)
    assert "MATH" in subset and {ord(c) for c in "∑()x"} <= set(subset.getBestCmap())
    variants = subset["MATH"].table.MathVariants
    coverage = variants.VertGlyphCoverage.glyphs
    sigma = variants.VertGlyphConstruction[coverage.index(subset.getBestCmap()[ord("∑")])]
    assert sigma.VariantCount > 1  # the display-size sum is there
    stamp = font.stat().st_mtime_ns
    assert subset_font(set("x()∑"), tmp_path) == font and font.stat().st_mtime_ns == stamp  # not redone


@pytest.mark.parametrize(
    "tex, error", [(r"\frac{1}{", NoAvailableTokensError), (r"\begin{aligned} a \end{aligned", MissingEndError)]
)
def test_bad_tex_still_fails(tex, error):
    with pytest.raises(error):
        tex_to_mathml(tex, display=True)
