"""The checkers of the perceptron chapter's exercises (docs/perceptron.md); readers call them through
`snippets.exercises.check`."""

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from snippets.checking import Wrong, ask, numbers_in, same, slips

GATE_INPUTS = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
NAND = torch.tensor([1.0, 1.0, 1.0, 0.0])


def _nand(w, b) -> str:
    """A step unit y = (w · x + b > 0) that computes NAND; w of shape (2,) or (1, 2), as nn.Linear's."""
    w = numbers_in("w", w)
    if w.numel() != 2 or w.ndim > 2:
        raise Wrong(
            f"w should hold two weights, one per input, got shape {tuple(w.shape)}"
        )
    b = numbers_in("b", b)
    if b.numel() != 1:
        raise Wrong(f"b should be one number, the bias, got shape {tuple(b.shape)}")
    out = (GATE_INPUTS.double() @ w.reshape(2) + b.reshape(()) > 0).float()
    if torch.equal(out, NAND):
        return (
            f"On (0,0), (0,1), (1,0), (1,1) your unit gives {out.int().tolist()}: NAND."
        )
    if torch.equal(out, 1 - NAND):
        raise Wrong(
            "your unit computes AND, the opposite of NAND: flip the signs of w and b"
        )
    wrong = [GATE_INPUTS[i].int().tolist() for i in range(4) if out[i] != NAND[i]]
    raise Wrong(
        f"your unit gives {out.int().tolist()} where NAND is [1, 1, 1, 0]; wrong on {wrong}"
    )


class Calls(TorchFunctionMode):
    """Within `with Calls() as calls:`, the names of the torch functions called, in calls.names."""

    def __init__(self):
        super().__init__()
        self.names = set()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.names.add(getattr(func, "__name__", ""))
        return func(*args, **(kwargs or {}))


def _bce(answer, *, seed=2, shape=(6, 3)) -> str:
    """answer(p, y) -> the mean binary cross-entropy, from its formula."""
    generator = torch.Generator().manual_seed(seed)
    p = torch.rand(shape, generator=generator, dtype=torch.float64) * 0.98 + 0.01
    y = (torch.rand(shape, generator=generator) > 0.5).double()
    right = nn.functional.binary_cross_entropy(p, y)
    with Calls() as calls:
        yours = ask(answer, p.clone(), y.clone())
    if any("binary_cross_entropy" in name for name in calls.names):
        raise Wrong("write the formula yourself; nn.BCELoss is what we compare against")
    terms = -(y * p.log() + (1 - y) * (1 - p).log())
    mistakes = [
        (
            -right,
            "your loss is the negative of BCE: the formula starts with a minus sign",
        ),
        (
            terms.sum(),
            "your loss is the sum over the examples; BCE, like nn.BCELoss, is their mean",
        ),
        (
            -(y * p.log()).mean(),
            "your loss has only the y log p term; the examples with y = 0 need (1 - y) log(1 - p)",
        ),
        (
            -((1 - y) * (1 - p).log()).mean(),
            "your loss has only the (1 - y) log(1 - p) term; the examples with y = 1 need y log p",
        ),
        (
            terms,
            (
                f"your loss has shape {tuple(terms.shape)}, expected (): one value per "
                "element; take their mean"
            ),
        ),
        *slips("loss", right),
    ]
    hint = "Compare your formula with the page's, term by term."
    same("loss", yours, right, hint, mistakes)
    size = " × ".join(map(str, shape))
    return f"Your loss equals nn.BCELoss on a {size} batch, in float64."


CHECKERS = {
    "nand": _nand,
    "bce": _bce,
}
