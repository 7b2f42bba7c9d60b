"""The checkers of the gradient-descent chapter's exercises (docs/gradient-descent.md); readers call them through
`snippets.exercises.check`."""

import torch

from snippets.checking import Wrong, ask, kind, matches, same, slips


def _mae_gradients(answer, *, seed=1, n=30) -> str:
    """answer(x, y, w, b) -> (dL/dw, dL/db) for L = mean(|w x + b - y|)."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, generator=generator, dtype=torch.float64)
    y = 2 * x + 1 + torch.randn(n, generator=generator, dtype=torch.float64)
    w = torch.randn((), generator=generator, dtype=torch.float64).requires_grad_()
    b = torch.randn((), generator=generator, dtype=torch.float64).requires_grad_()
    (w * x + b - y).abs().mean().backward()
    yours = ask(answer, x.clone(), y.clone(), w.detach().clone(), b.detach().clone())
    if not isinstance(yours, (tuple, list)):
        raise Wrong(
            f"you returned one value ({kind(yours)}) instead of two: return dL/dw, dL/db"
        )
    if len(yours) != 2:
        raise Wrong(f"you returned {len(yours)} values; return two: dL/dw, dL/db")
    if matches(yours[0], b.grad) and matches(yours[1], w.grad):
        raise Wrong("your two derivatives are swapped: return dL/dw first, then dL/db")
    error = (w * x + b - y).detach()
    for name, mine, right, de in (
        ("dL/dw", yours[0], w.grad, x),
        ("dL/db", yours[1], b.grad, torch.ones_like(x)),
    ):
        sign = error.sign() * de
        mistakes = [
            (
                2 * (error * de).mean(),
                (
                    f"your {name} is the squared error's gradient, copied from the page; "
                    "the derivative of |e| is sign(e), not 2e"
                ),
            ),
            (
                (error * de).mean(),
                f"your {name} uses the error itself; the derivative of |e| is sign(e), not e",
            ),
            (-right, f"your {name} has the wrong sign: descent would climb"),
            (
                sign,
                (
                    f"your {name} has shape ({n},), expected (): one value per point; L is "
                    "their mean, so take the mean"
                ),
            ),
            *slips(name, right, count=n, over="points"),
        ]
        hint = "Check the chain rule: d|e|/de = sign(e), then de/dw = x and de/db = 1."
        same(name, mine, right, hint, mistakes)
    return "Both derivatives equal autograd's."


CHECKERS = {
    "mae-gradients": _mae_gradients,
}
