"""The checkers of the activation-functions chapter's exercises (docs/activations.md); readers call them through
`snippets.exercises.check`."""

import math
import numbers

import torch

from snippets.checking import (
    Calls,
    Raised,
    Wrong,
    ask,
    by_hand,
    kind,
    matches,
    same,
    slips,
)


def _sigmoid_derivative(answer, *, seed=0, shape=(4, 7)) -> str:
    """answer(x) -> sigmoid'(x), without autograd: on a grid from -6 to 6, then on a random batch."""
    for x in grid_and_batch(6, 4, shape, seed):
        right = autograd_derivative(torch.sigmoid, x)
        yours = by_hand(answer, x)
        s = torch.sigmoid(x)
        mistakes = [
            (
                s * (1 + s),
                (
                    "your derivative is σ(x)(1 + σ(x)); differentiate 1 / (1 + e^-x) again: "
                    "it is σ(x)(1 − σ(x))"
                ),
            ),
            (s, "you returned σ(x) itself, not its derivative"),
            (
                x * (1 - x),
                "your derivative is x(1 − x); the formula is in σ(x), not x: σ(x)(1 − σ(x))",
            ),
            *slips("derivative", right),
        ]
        hint = "At x = 0 it should be 0.25, its largest value."
        same("derivative", yours, right, hint, mistakes, lambda i, x=x: at_x(x[i]))
    return "It matches autograd's derivative from −6 to 6, with its maximum 0.25 at 0."


def at_x(value: torch.Tensor) -> str:
    return f"at x = {round(value.item(), 3) + 0.0:g}"  # + 0.0: no "-0"


KEEPDIM = (
    "sum(dim=1) (or amax(dim=1)) without keepdim=True has shape (batch,), which broadcasts "
    "against the wrong axis, the classes: on a {size} batch your softmax fails, on a square one "
    "it divides by the wrong sums. Use keepdim=True"
)


WHOLE_BATCH_SUM = (
    "you divide by the sum over the whole batch; each row must sum to 1: "
    "sum(dim=1, keepdim=True)"
)
SPREAD = (
    "your softmax gives {what} in row 1, whose scores spread from −1000 to 1000: subtract each "
    "row's maximum: the minimum or the mean still leaves exp(≈1000)"
)


def _softmax(answer, *, seed=0, shapes=((4, 3), (2, 5))) -> str:
    """answer(z) -> softmax over each row of z (batch, classes), stable for large scores, written without
    torch.softmax. The batches are not square, their rows differ, and row 1 holds scores near 1000; then
    a batch whose row 1 spreads from -1000 to 1000."""
    from snippets.activations import softmax as page_softmax

    code = getattr(answer, "__code__", None)
    if answer is page_softmax or "softmax" in getattr(code, "co_names", ()):
        raise Wrong(
            "write it yourself; a softmax you call, torch's or the page's, is what we "
            "compare against"
        )
    generator = torch.Generator().manual_seed(seed)
    for shape in (*shapes, None):
        spread = shape is None
        rows, classes = (3, 5) if spread else shape
        z = 2 * torch.randn(rows, classes, generator=generator, dtype=torch.float64)
        if spread:  # its minimum, mean and median leave exp(1000) to overflow
            z[1] = torch.linspace(-1000, 1000, classes, dtype=torch.float64)
        else:
            z[1] += 1000  # exp(1000) overflows, even in float64
        try:
            with Calls() as calls:
                yours = ask(answer, z.clone())
        except Raised as raised:
            square = torch.randn(3, 3, generator=generator, dtype=torch.float64)
            if "must match the size" in str(raised.error) and wrong_but_runs(
                answer, square
            ):
                raise Wrong(KEEPDIM.format(size=f"{rows} × {classes}")) from None
            raise
        if any("softmax" in name for name in calls.names):
            raise Wrong("write it yourself; torch.softmax is what we compare against")
        if isinstance(yours, torch.Tensor) and yours.shape == z.shape:
            bad = [i for i in range(rows) if not torch.isfinite(yours[i]).all()]
            what = "nan" if yours.isnan().any() else "inf"
            if spread and 1 in bad:
                raise Wrong(SPREAD.format(what=what))
            if bad == [1]:
                raise Wrong(
                    f"your softmax gives {what} in row 1, whose scores are near 1000: "
                    "exp(1000) overflows; subtract each row's maximum first"
                )
            if bad and 1 not in bad:
                raise Wrong(
                    f"your softmax gives {what} in rows {bad}, not in row 1, whose scores are "
                    "near 1000: exp underflows to 0 in every other row and 0 / 0 is nan: you "
                    "subtract one number for the whole batch; subtract each row's own maximum, "
                    "z.amax(dim=1, keepdim=True)"
                )
            if bad:
                raise Wrong(
                    f"your softmax gives {what} in rows {bad}; subtract each row's maximum first"
                )
        e = torch.exp(z - z.amax(dim=1, keepdim=True))
        mistakes = [
            (
                torch.softmax(z, dim=0),
                "your softmax normalises each column (dim=0); each row (one example) must sum to 1",
            ),
            (e / e.sum(), WHOLE_BATCH_SUM),
            (torch.softmax(z.flatten(), dim=0).reshape(z.shape), WHOLE_BATCH_SUM),
        ]
        hint = "Each row should be positive and sum to 1."
        same("softmax", yours, torch.softmax(z, dim=1), hint, mistakes)
    return "Each row sums to 1, and the row of scores near 1000 comes out right."


def wrong_but_runs(answer, z: torch.Tensor) -> bool:
    """Whether the answer runs on z but does not give its softmax."""
    try:
        return not matches(ask(answer, z.clone()), torch.softmax(z, dim=1))
    except Wrong:
        return False


def _dying_relu(lr) -> str:
    """A learning rate at which Adam, in 300 steps on the spirals, kills at least 30 % of a ReLU network's
    hidden units; the same LeakyReLU network's are counted too (their slope is never 0: none die)."""
    from snippets.activations import dead_share, fit, small_mlp, two_spirals

    if isinstance(lr, torch.Tensor) and lr.numel() == 1:
        lr = lr.item()
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise Wrong(
            f"lr should be a number, a learning rate such as 0.01, got {kind(lr)}"
        )
    lr = float(lr)
    if not (math.isfinite(lr) and lr > 0):
        raise Wrong(f"lr should be a positive learning rate, got {lr:g}")
    X, y = two_spirals()
    shares = {}
    for name in ("ReLU", "LeakyReLU"):
        model = small_mlp(name, width=64)
        losses = fit(model, X, y, lr=lr)
        finite = all(p.isfinite().all() for p in model.parameters())
        if not (finite and math.isfinite(losses[-1])):
            raise Wrong(
                f"at lr {lr:g} the {name} network's training diverged (inf or nan); "
                "try a smaller learning rate"
            )
        shares[name] = dead_share(model, X)
        if name == "ReLU" and shares[name] < 0.3:
            raise Wrong(
                f"at lr {lr:g} only {shares[name]:.0%} of the ReLU units died; "
                "try a larger learning rate"
            )
    leaky = "none" if shares["LeakyReLU"] == 0 else f"{shares['LeakyReLU']:.0%}"
    return (
        f"At lr {lr:g}, {shares['ReLU']:.0%} of the ReLU units died and {leaky} of the "
        "LeakyReLU units."
    )


def grid_and_batch(end: float, scale: float, shape, seed: int) -> tuple:
    """Where a derivative checker tries the answer: a float64 grid from -end to end (10 points a
    unit), then a random batch of the given shape and spread."""
    generator = torch.Generator().manual_seed(seed)
    grid = torch.linspace(-end, end, 20 * end + 1, dtype=torch.float64)
    return grid, scale * torch.randn(shape, generator=generator, dtype=torch.float64)


def autograd_derivative(f, x: torch.Tensor) -> torch.Tensor:
    """f'(x), element by element, by autograd."""
    xg = x.clone().requires_grad_()
    (derivative,) = torch.autograd.grad(f(xg).sum(), xg)
    return derivative


def _tanh_derivative(answer, *, seed=0, shape=(4, 7)) -> str:
    """answer(x) -> tanh'(x), without autograd: on a grid from -5 to 5, then on a random batch."""
    for x in grid_and_batch(5, 3, shape, seed):
        right = autograd_derivative(torch.tanh, x)
        yours = by_hand(answer, x)
        t, s = torch.tanh(x), torch.sigmoid(x)
        mistakes = [
            (t, "you returned tanh(x) itself, not its derivative"),
            (
                1 - t,
                "your derivative is 1 − tanh(x); the tanh is squared: 1 − tanh(x)²",
            ),
            (
                s * (1 - s),
                (
                    "that is the sigmoid's derivative σ(x)(1 − σ(x)), copied; tanh's is "
                    "1 − tanh(x)²"
                ),
            ),
            (
                t * (1 - t),
                (
                    "your derivative is tanh(x)(1 − tanh(x)), the sigmoid's formula with tanh "
                    "in it; tanh's own is 1 − tanh(x)²"
                ),
            ),
            (
                1 + t**2,
                "your derivative is 1 + tanh(x)²; with a minus: 1 − tanh(x)²",
            ),
            (
                right / 2,
                (
                    "your derivative is half the right one; with tanh(x) = 2σ(2x) − 1 the "
                    "chain rule gives 2 · σ′(2x) · 2 = 4σ(2x)(1 − σ(2x))"
                ),
            ),
            *slips("derivative", right),
        ]
        hint = "At x = 0 it should be 1, its largest value."
        same("derivative", yours, right, hint, mistakes, lambda i, x=x: at_x(x[i]))
    return "It matches autograd's derivative from −5 to 5, with its maximum 1 at 0."


def _silu_derivative(answer, *, seed=0, shape=(4, 7)) -> str:
    """answer(x) -> SiLU'(x), SiLU(x) = x σ(x), without autograd: on a grid from -6 to 6, then on a random
    batch."""
    for x in grid_and_batch(6, 3, shape, seed):
        right = autograd_derivative(torch.nn.functional.silu, x)
        yours = by_hand(answer, x)
        s = torch.sigmoid(x)
        mistakes = [
            (
                s,
                (
                    "your derivative is σ(x) alone: the product rule's second term is "
                    "missing, d/dx [x σ(x)] = σ(x) + x σ′(x)"
                ),
            ),
            (
                x * s * (1 - s),
                (
                    "your derivative is x σ′(x) alone: the product rule's first term, σ(x) "
                    "(the derivative of x times σ(x)), is missing"
                ),
            ),
            (
                s * (1 - s),
                (
                    "that is the sigmoid's derivative σ(x)(1 − σ(x)); SiLU is x σ(x), a "
                    "product: differentiate it with the product rule"
                ),
            ),
            (x * s, "you returned SiLU(x) = x σ(x) itself, not its derivative"),
            *slips("derivative", right),
        ]
        hint = "SiLU(x) = x σ(x) is a product: (uv)′ = u′v + uv′. At x = 0 it is 0.5."
        same("derivative", yours, right, hint, mistakes, lambda i, x=x: at_x(x[i]))
    return "It matches autograd's derivative of F.silu from −6 to 6, its dip below 0 included."


CHECKERS = {
    "sigmoid-derivative": _sigmoid_derivative,
    "softmax": _softmax,
    "dying-relu": _dying_relu,
    "tanh-derivative": _tanh_derivative,
    "silu-derivative": _silu_derivative,
}
