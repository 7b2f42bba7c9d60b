"""The checkers of the perceptron chapter's exercises (docs/perceptron.md); readers call them through
`snippets.exercises.check`."""

import torch
from torch import nn

from snippets.checking import Calls, Wrong, ask, by_hand, numbers_in, same, slips

GATE_INPUTS = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
NAND = torch.tensor([1.0, 1.0, 1.0, 0.0])
NOR = torch.tensor([1.0, 0.0, 0.0, 0.0])


def unit_outputs(w, b) -> torch.Tensor:
    """What the step unit y = (w · x + b > 0) gives on the four GATE_INPUTS; w of shape (2,) or (1, 2), as
    nn.Linear's."""
    w = numbers_in("w", w)
    if w.numel() != 2 or w.ndim > 2:
        raise Wrong(
            f"w should hold two weights, one per input, got shape {tuple(w.shape)}"
        )
    b = numbers_in("b", b)
    if b.numel() != 1:
        raise Wrong(f"b should be one number, the bias, got shape {tuple(b.shape)}")
    return (unit_sums(w, b) > 0).float()


def unit_sums(w, b) -> torch.Tensor:
    """w · x + b on the four GATE_INPUTS, in float64."""
    w, b = numbers_in("w", w), numbers_in("b", b)
    return GATE_INPUTS.double() @ w.reshape(2) + b.reshape(())


def _nand(w, b) -> str:
    """A step unit y = (w · x + b > 0) that computes NAND; w of shape (2,) or (1, 2), as nn.Linear's."""
    out = unit_outputs(w, b)
    if torch.equal(out, NAND):
        return (
            f"On (0,0), (0,1), (1,0), (1,1) your unit gives {out.int().tolist()}: NAND."
        )
    if torch.equal(out, 1 - NAND):
        on_line = [
            GATE_INPUTS[i].int().tolist()
            for i, s in enumerate(unit_sums(w, b).tolist())
            if s == 0
        ]
        raise Wrong(
            "your unit computes AND, the opposite of NAND: flip the signs of w and b"
            + (
                ", and keep every input off the line (w · x + b ≠ 0 on all four inputs): "
                f"{on_line} lie on it, where the step gives 0"
                if on_line
                else ""
            )
        )
    wrong = [GATE_INPUTS[i].int().tolist() for i in range(4) if out[i] != NAND[i]]
    raise Wrong(
        f"your unit gives {out.int().tolist()} where NAND is [1, 1, 1, 0]; wrong on {wrong}"
    )


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
        (
            terms.sum() / shape[0],
            (
                "you divided by the number of rows; the mean is over all elements, "
                f"{terms.numel()} here: .mean(), or the sum over numel()"
            ),
        ),
        (
            -(y * (1 - p).log() + (1 - y) * p.log()).mean(),
            (
                "you swapped log p and log(1 − p): y multiplies log p, the probability of "
                "class 1, and (1 − y) multiplies log(1 − p)"
            ),
        ),
        *slips("loss", right),
    ]
    hint = "Compare your formula with the page's, term by term."
    same("loss", yours, right, hint, mistakes)
    size = " × ".join(map(str, shape))
    return f"Your loss equals nn.BCELoss on a {size} batch, in float64."


def _nor_rosenblatt(w, b) -> str:
    """The w and b that Rosenblatt's rule finds for NOR (1 only for the input (0, 0)); any w and b whose step
    unit computes NOR are right."""
    out = unit_outputs(w, b)
    if torch.equal(out, NOR):
        return (
            f"On (0,0), (0,1), (1,0), (1,1) your unit gives {out.int().tolist()}: NOR."
        )
    targets = "train on the targets [1, 0, 0, 0]"
    for outputs, message in (
        (
            1 - NOR,
            (
                f"OR, the opposite of NOR, which is 1 only for (0, 0): {targets}, "
                "not OR's [0, 1, 1, 1]"
            ),
        ),
        (NAND, f"NAND, 0 only for (1, 1); NOR is 1 only for (0, 0): {targets}"),
        (
            torch.tensor([0.0, 0.0, 0.0, 1.0]),
            (
                "AND, 1 only for (1, 1); NOR is 1 only for (0, 0), the first of "
                f"GATE_INPUTS: {targets}, in that order"
            ),
        ),
    ):
        if torch.equal(out, outputs):
            raise Wrong(f"your unit computes {message}")
    wrong = [GATE_INPUTS[i].int().tolist() for i in range(4) if out[i] != NOR[i]]
    raise Wrong(
        f"your unit gives {out.int().tolist()} where NOR is [1, 0, 0, 0]; wrong on {wrong}. "
        "Rosenblatt's rule is done once an epoch makes no mistake: if the last one made "
        "some, train for more epochs"
    )


def _bce_logit_gradient(answer, *, seed=2, shape=(5, 4)) -> str:
    """answer(z, y) -> dL/dz for L = the mean BCE of sigmoid(z) against the labels y, without autograd."""
    generator = torch.Generator().manual_seed(seed)
    z = 3 * torch.randn(shape, generator=generator, dtype=torch.float64)
    y = (torch.rand(shape, generator=generator) > 0.5).double()
    zg = z.clone().requires_grad_()
    (right,) = torch.autograd.grad(
        nn.functional.binary_cross_entropy(torch.sigmoid(zg), y), zg
    )
    yours = by_hand(answer, z, y)
    p, n = torch.sigmoid(z), z.numel()
    mistakes = [
        (
            (p - y) / z.shape[0],
            (
                f"you divided by the number of rows ({z.shape[0]}); N counts all "
                f"{n} elements: z.numel()"
            ),
        ),
        (
            p - y,
            (
                f"your gradient is {n} times too large: the loss is a mean over N "
                f"elements (N = {n} here): divide by N"
            ),
        ),
        (
            (y - p) / n,
            (
                "your gradient has the wrong sign: raising z raises the loss where σ(z) is "
                "above the label y, so dL/dz is positive there"
            ),
        ),
        (
            p * (1 - p) * (p - y) / n,
            (
                "your gradient has an extra σ′(z) = σ(z)(1 − σ(z)): the σ′ from the chain "
                "rule cancels against the 1/(p(1 − p)) of BCE's derivative"
            ),
        ),
        (
            (p - y) / (p * (1 - p)) / n,
            (
                "that is dL/dp, the derivative with respect to p = σ(z); multiply it by "
                "dp/dz = p(1 − p)"
            ),
        ),
        *slips("gradient", right),
    ]
    hint = "dL/dp = (p − y) / (p(1 − p)) / N, then the chain rule through p = σ(z)."
    same("gradient", yours, right, hint, mistakes)
    return "It equals autograd's dL/dz of the mean BCE, in float64."


CHECKERS = {
    "nand": _nand,
    "bce": _bce,
    "nor-rosenblatt": _nor_rosenblatt,
    "bce-logit-gradient": _bce_logit_gradient,
}
