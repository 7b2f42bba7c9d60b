"""The checkers of the loss-functions chapter's exercises (docs/losses.md); readers call them through
`snippets.exercises.check`."""

import torch
from torch import nn

from snippets.checking import Raised, Wrong, ask, matches, same, slips

IGNORE = (
    "your function fails on the examples whose target is ignore_index ({index}): drop the "
    "examples whose target equals ignore_index before indexing (kept = target != ignore_index)"
)


def _cross_entropy(answer, *, seed=3, n=8, classes=5) -> str:
    """answer(logits, target, ignore_index) -> mean cross-entropy over the examples whose target is not
    ignore_index, like nn.CrossEntropyLoss(ignore_index=...)."""
    generator = torch.Generator().manual_seed(seed)
    logits = 3 * torch.randn(n, classes, generator=generator, dtype=torch.float64)
    target = torch.randint(classes, (n,), generator=generator)
    target[torch.randperm(n, generator=generator)[: max(1, n // 4)]] = -100
    kept = target != -100
    right = nn.CrossEntropyLoss(ignore_index=-100)(logits, target)
    try:
        yours = ask(answer, logits.clone(), target.clone(), -100)
    except Raised as raised:
        try:  # the same examples, none ignored
            ask(answer, logits.clone(), torch.where(kept, target, 0), -100)
        except Wrong:
            raise raised from None
        raise Wrong(IGNORE.format(index=-100)) from None
    per_example = nn.functional.cross_entropy(
        logits[kept], target[kept], reduction="none"
    )
    k = len(per_example)
    mistakes = [
        (
            per_example.sum() / n,
            (
                f"you divide by all {n} examples; ignored examples do not count in the mean "
                f"either ({k} here)"
            ),
        ),
        (
            -right,
            "your loss has the wrong sign: cross-entropy is minus the log-probability",
        ),
        (
            per_example,
            f"your loss has shape ({k},), one value per kept example; take their mean",
        ),
        *slips("loss", right, count=k, over="kept examples"),
    ]
    hint = (
        "Use logsumexp(logits) − logit of the target class, for the kept examples only."
    )
    same("loss", yours, right, hint, mistakes)
    other = torch.where(kept, target, -1)  # the same examples ignored, now marked -1
    try:
        yours = ask(answer, logits.clone(), other, -1)
    except Raised:
        yours = None
    if not matches(yours, nn.CrossEntropyLoss(ignore_index=-1)(logits, other)):
        raise Wrong(
            "with ignore_index=-1 your loss is not right: compare the target with the "
            "ignore_index argument, not with -100"
        )
    return (
        "Your loss equals nn.CrossEntropyLoss(ignore_index=-100), "
        f"with {n - k} of {n} examples ignored."
    )


def _huber(answer, *, seed=0, shape=(5, 7)) -> str:
    """answer(prediction, target, delta) -> mean Huber loss, like nn.HuberLoss(delta=delta): on residuals
    from -4 to 4, then on a random batch."""
    generator = torch.Generator().manual_seed(seed)
    r = torch.linspace(-4, 4, 81, dtype=torch.float64)
    batch = [
        3 * torch.randn(shape, generator=generator, dtype=torch.float64) for _ in "pt"
    ]
    for delta in (2.5, 1.0, 0.5):  # at 0.5, SmoothL1Loss (Huber / delta) is twice Huber
        for prediction, target in ((r, torch.zeros_like(r)), batch):
            right = nn.HuberLoss(delta=delta)(prediction, target)
            yours = ask(answer, prediction.clone(), target.clone(), delta)
            each = nn.HuberLoss(delta=delta, reduction="none")(prediction, target)
            mistakes = [
                (
                    nn.SmoothL1Loss(beta=delta)(prediction, target),
                    "that is SmoothL1Loss, which divides Huber's loss by delta: drop the division",
                ),
                (
                    2 * right,
                    (
                        "your loss is twice Huber's: it is r²/2 inside |r| <= delta and "
                        "delta (|r| - delta/2) outside"
                    ),
                ),
                (
                    each,
                    (
                        f"your loss has shape {tuple(each.shape)}, one value per element: no "
                        "reduction; take their mean, as nn.HuberLoss does"
                    ),
                ),
                (
                    nn.HuberLoss(delta=1.0)(prediction, target),
                    (
                        f"your loss is Huber's for delta = 1, not for delta = {delta}: use the "
                        "delta argument"
                    ),
                ),
                *slips("loss", right, count=each.numel(), over="elements"),
            ]
            hint = "Quadratic inside |r| <= delta, linear outside."
            same(f"loss for delta = {delta}", yours, right, hint, mistakes)
    return "Your loss equals nn.HuberLoss for delta 0.5, 1 and 2.5."


CHECKERS = {
    "cross-entropy": _cross_entropy,
    "huber": _huber,
}
