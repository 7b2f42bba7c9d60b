"""The checkers of the loss-functions chapter's exercises (docs/losses.md); readers call them through
`snippets.exercises.check`."""

import torch
from torch import nn

from snippets.checking import (
    Calls,
    Raised,
    Wrong,
    a_tensor,
    ask,
    matches,
    same,
    slips,
    without,
)

IGNORE = (
    "your function fails on the examples whose target is ignore_index ({index}): drop the "
    "examples whose target equals ignore_index before indexing (kept = target != ignore_index)"
)
LENGTHS = (
    "your function fails once some targets are ignore_index ({index}): your tensors then "
    "have different lengths ({error}). You drop the ignored examples from some of them only: "
    "drop them from the logsumexp as well as from the picked logits (logits[kept].logsumexp(dim=1))"
)
BELOW_ZERO = (
    "with ignore_index={index}, a real class, your loss is not right: your answer ignores the "
    "targets below 0 (or not above ignore_index), not those equal to ignore_index: compare with "
    "==/!=, kept = target != ignore_index"
)


LIBRARY_CE = {"cross_entropy", "nll_loss"}
WRITE_CE = (
    "write it with torch.logsumexp yourself; nn.CrossEntropyLoss(ignore_index=...) is what "
    "we compare against"
)
WRITE_HUBER = "write it from the formula; nn.HuberLoss is what we compare against"
OVERFLOW = (
    "your loss is {value} once one logit is 1000 and another −1000: log(softmax(z)) "
    "overflows/underflows for logits like 1000: use logsumexp, log p = z_target − logsumexp(z)"
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
        yours = without(
            LIBRARY_CE, WRITE_CE, answer, logits.clone(), target.clone(), -100
        )
    except Raised as raised:
        try:  # the same examples, none ignored
            ask(answer, logits.clone(), torch.where(kept, target, 0), -100)
        except Wrong:
            raise raised from None
        if "must match the size" in str(raised.error):
            error = str(raised.error).strip().splitlines()[0]
            raise Wrong(LENGTHS.format(index=-100, error=error)) from None
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
    yours = a_tensor("loss", yours)
    same("loss", yours, right, hint, mistakes)
    extreme_logits(answer, logits, target, kept, hint)
    other = torch.where(kept, target, -1)  # the same examples ignored, now marked -1
    try:
        yours = without(LIBRARY_CE, WRITE_CE, answer, logits.clone(), other, -1)
    except Raised:
        yours = None
    if not matches(yours, nn.CrossEntropyLoss(ignore_index=-1)(logits, other)):
        raise Wrong(
            "with ignore_index=-1 your loss is not right: compare the target with the "
            "ignore_index argument, not with -100"
        )
    real_class_ignored(answer, logits, target, kept, classes)
    return (
        "Your loss equals nn.CrossEntropyLoss(ignore_index=-100), "
        f"with {n - k} of {n} examples ignored."
    )


def extreme_logits(answer, logits, target, kept, hint) -> None:
    """Refuse an answer that overflows or underflows, -log(softmax(z)) for one: the same batch with a logit
    of 1000 off the target in one kept row and of −1000 on the target in another."""
    extreme = logits.clone()
    first, second = kept.nonzero().flatten()[:2].tolist()
    classes = logits.shape[1]
    # a 1000 off the target leaves the target p = e^(−1000 − ...), 0 in floats
    extreme[first, (target[first] + 1) % classes] = 1000.0
    extreme[second, target[second]] = -1000.0
    right = nn.CrossEntropyLoss(ignore_index=-100)(extreme, target)
    yours = without(LIBRARY_CE, WRITE_CE, answer, extreme.clone(), target.clone(), -100)
    if isinstance(yours, (float, torch.Tensor)):
        value = torch.as_tensor(yours).detach().flatten()
        if value.is_floating_point() and not value.isfinite().all():
            raise Wrong(OVERFLOW.format(value=value[~value.isfinite()][0].item()))
    same("loss with logits of ±1000", yours, right, hint)


def real_class_ignored(answer, logits, target, kept, classes) -> None:
    """Refuse an answer that ignores the wrong examples when ignore_index is a real class, 0 or more:
    one that keeps target >= 0, or target > ignore_index, passes with -100 and -1."""
    index = min(2, classes - 1)  # a real class, 1 or 2
    marked = torch.where(
        kept, target, index
    )  # the same examples ignored, now marked with a class
    marked[kept.nonzero()[0]] = (
        0  # one kept target below ignore_index, so that > and != differ
    )
    right = nn.CrossEntropyLoss(ignore_index=index)(logits, marked)
    try:
        yours = without(
            LIBRARY_CE, WRITE_CE, answer, logits.clone(), marked.clone(), index
        )
    except Raised:
        yours = None
    if matches(yours, right):
        return
    above = marked > index
    below_zero = nn.functional.cross_entropy(
        logits, marked
    )  # kept = target >= 0: all kept
    not_above = nn.functional.cross_entropy(
        logits[above], marked[above]
    )  # nan if none above
    if isinstance(yours, float):
        yours = torch.tensor(yours, dtype=torch.float64)
    nan = isinstance(yours, torch.Tensor) and yours.numel() == 1 and yours.isnan().all()
    if (
        matches(yours, below_zero)
        or matches(yours, not_above)
        or (nan and not above.any())
    ):
        raise Wrong(BELOW_ZERO.format(index=index))
    raise Wrong(
        f"with ignore_index={index}, a real class, your loss is not right: leave out exactly "
        "the examples whose target equals ignore_index, kept = target != ignore_index"
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
            yours = without(
                {"huber_loss"},
                WRITE_HUBER,
                answer,
                prediction.clone(),
                target.clone(),
                delta,
            )
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
            yours = a_tensor("loss", yours)
            same(f"loss for delta = {delta}", yours, right, hint, mistakes)
    return "Your loss equals nn.HuberLoss for delta 0.5, 1 and 2.5."


ONE_HOT = (
    "pass num_classes=C to one_hot: without it, one_hot makes only as many columns as the "
    "largest target + 1 ({columns} here, for C = {classes}: this batch has no class {top})"
)
CLASSES_FROM_TARGETS = (
    "your function fails on a batch without class {top}, the last of the C = {classes}: take "
    "C from logits.shape[1], not from the targets"
)


def one_hot_short(calls, classes) -> int | None:
    """The number of columns of a one_hot call that makes other than `classes` (None if none does):
    one_hot(target) without num_classes, or with one taken from the targets."""
    for name, args, kwargs in calls.made:
        if name == "one_hot":
            columns = args[1] if len(args) > 1 else kwargs.get("num_classes", -1)
            try:
                columns = int(columns)
            except (TypeError, ValueError, RuntimeError):
                continue
            if columns == -1:
                columns = int(args[0].max()) + 1 if args and args[0].numel() else 0
            if columns != classes:
                return columns
    return None


def too_few_columns(calls, classes, passed_before: bool) -> None:
    """Name why an answer fails on a batch without class C - 1: a one_hot too narrow for the C classes,
    or, if the batches with every class passed, C taken from the targets some other way."""
    top = classes - 1
    columns = one_hot_short(calls, classes)
    if columns is not None:
        raise Wrong(ONE_HOT.format(columns=columns, classes=classes, top=top))
    if passed_before:
        raise Wrong(CLASSES_FROM_TARGETS.format(top=top, classes=classes))


def _label_smoothing(answer, *, seed=5, n=6, classes=4) -> str:
    """answer(logits, target, eps) -> mean cross-entropy against the target smoothed by eps, like
    nn.CrossEntropyLoss(label_smoothing=eps): (1 - eps) one-hot + eps / C on every class. The last
    batch's targets leave out class C - 1, which one_hot(target) without num_classes misses."""
    generator = torch.Generator().manual_seed(seed)
    top = classes - 1
    for number, (eps, drawn) in enumerate(((0.1, classes), (0.3, classes), (0.3, top))):
        logits = 2 * torch.randn(n, classes, generator=generator, dtype=torch.float64)
        target = torch.randint(drawn, (n,), generator=generator)
        right = nn.CrossEntropyLoss(label_smoothing=eps)(logits, target)
        lacks_top = int(target.max()) < top
        with Calls() as calls:
            try:
                yours = ask(answer, logits.clone(), target.clone(), eps)
            except Raised:
                if lacks_top:
                    too_few_columns(calls, classes, passed_before=number > 0)
                raise
        if any(
            name == "cross_entropy" and kwargs.get("label_smoothing")
            for name, _, kwargs in calls.made
        ):
            raise Wrong(
                "write it yourself; nn.CrossEntropyLoss(label_smoothing=...) is what we "
                "compare against"
            )
        yours = a_tensor(f"loss for eps = {eps}", yours)
        if lacks_top and not matches(yours, right):
            too_few_columns(calls, classes, passed_before=number > 0)
        log_p = logits.log_softmax(dim=1)
        true = -log_p.gather(1, target.unsqueeze(1)).squeeze(1)  # plain cross-entropy
        uniform = -log_p.mean(dim=1)  # against eps / C on every class, over eps
        others = (-log_p.sum(dim=1) - true) / (classes - 1)
        each = (1 - eps) * true + eps * uniform
        mistakes = [
            (
                ((1 - eps) * true + eps * others).mean(),
                (
                    "you spread eps over the C − 1 other classes; PyTorch spreads eps over "
                    "all C classes, the true one included: eps / C each"
                ),
            ),
            (
                true.mean(),
                (
                    "your loss ignores eps: it is plain cross-entropy; smooth the target to "
                    "(1 − eps) one-hot + eps / C"
                ),
            ),
            (
                (true + eps * uniform).mean(),
                (
                    "your true class keeps its weight 1; the one-hot part is scaled by 1 − eps "
                    "before eps / C is added to every class"
                ),
            ),
            (
                ((1 - eps) * true + eps * classes * uniform).mean(),
                (
                    "your uniform part puts eps on every class; it is eps / C on each, so that "
                    "the target sums to 1"
                ),
            ),
            (
                each,
                f"your loss has shape ({n},), one value per example; take their mean",
            ),
            *slips(f"loss for eps = {eps}", right, count=n),
        ]
        hint = (
            "The loss is −Σ target · log_softmax(logits) over the classes, averaged over "
            "the examples."
        )
        same(f"loss for eps = {eps}", yours, right, hint, mistakes)
    return (
        "Your loss equals nn.CrossEntropyLoss(label_smoothing=eps) for eps 0.1 and 0.3."
    )


UNSTABLE = (
    "your loss is {value}: for z = ±1000, σ(z) rounds to 0 or 1 even in float64, so "
    "log(sigmoid(z)) or log(1 − sigmoid(z)) is log(0) = −inf. Use "
    "nn.functional.logsigmoid(z), and log(1 − σ(z)) = logsigmoid(−z)"
)


def _pos_weight_bce(answer, *, seed=6, n=6, classes=3) -> str:
    """answer(logits, y, pos_weight) -> mean BCE on logits with one weight per class for the positive
    examples, like nn.BCEWithLogitsLoss(pos_weight=pos_weight); four logits are ±1000."""
    generator = torch.Generator().manual_seed(seed)
    logits = 3 * torch.randn(n, classes, generator=generator, dtype=torch.float64)
    y = (torch.rand(n, classes, generator=generator) > 0.5).double()
    extreme = torch.tensor([1000.0, -1000.0, 1000.0, -1000.0], dtype=torch.float64)
    logits.view(-1)[:4], y.view(-1)[:4] = extreme, torch.tensor([1.0, 0.0, 0.0, 1.0])
    pos_weight = 1 + 4 * torch.rand(classes, generator=generator, dtype=torch.float64)
    right = nn.BCEWithLogitsLoss(pos_weight=pos_weight)(logits, y)
    with Calls() as calls:
        yours = ask(answer, logits.clone(), y.clone(), pos_weight.clone())
    if "binary_cross_entropy_with_logits" in calls.names:
        raise Wrong(
            "write it yourself; nn.BCEWithLogitsLoss(pos_weight=...) is what we compare "
            "against"
        )
    yours = a_tensor("loss", yours)
    if yours.is_floating_point() and not yours.detach().isfinite().all():
        value = yours.detach().flatten()[~yours.detach().flatten().isfinite()][0]
        raise Wrong(UNSTABLE.format(value=value.item()))
    log_p = nn.functional.logsigmoid(logits)  # log σ(z)
    log_q = nn.functional.logsigmoid(-logits)  # log(1 − σ(z))
    positive, negative = -y * log_p, -(1 - y) * log_q
    each = pos_weight * positive + negative
    clamped = -(
        pos_weight * y * log_p.clamp(min=-100) + (1 - y) * log_q.clamp(min=-100)
    )
    mistakes = [
        (
            (positive + pos_weight * negative).mean(),
            (
                "you weighted the negative term; pos_weight multiplies y · log σ(z), the "
                "positive examples' term"
            ),
        ),
        (
            (positive + negative).mean(),
            (
                "your loss ignores pos_weight: it is plain BCE; multiply the y · log σ(z) "
                "term by pos_weight"
            ),
        ),
        (
            (pos_weight * (positive + negative)).mean(),
            (
                "you multiplied both terms by pos_weight; only the positive term, "
                "y · log σ(z), gets it"
            ),
        ),
        (
            (3.0 * positive + negative).mean(),  # the page's example, pos_weight = 3.0
            (
                "your loss weights the positive term by 3.0: use the pos_weight argument, one "
                "weight per class, not a number copied from the page"
            ),
        ),
        (
            (pos_weight.mean() * positive + negative).mean(),
            (
                "your loss weights every positive by pos_weight.mean(): pos_weight holds one "
                "weight per class: multiply element-wise, it broadcasts over the rows"
            ),
        ),
        (
            clamped.mean(),
            (
                "your logs stop at −100, as nn.BCELoss clamps them; for z = ±1000 the loss "
                "needs the logs themselves: logsigmoid(z) and logsigmoid(−z)"
            ),
        ),
        (
            each,
            (
                f"your loss has shape {tuple(each.shape)}, one value per element; take "
                "their mean"
            ),
        ),
        *slips("loss", right, count=each.numel(), over="elements"),
    ]
    hint = (
        "Write log σ(z) as nn.functional.logsigmoid(z) and log(1 − σ(z)) as "
        "logsigmoid(−z)."
    )
    same("loss", yours, right, hint, mistakes)
    return "Your loss equals nn.BCEWithLogitsLoss(pos_weight=...), logits of ±1000 included."


CHECKERS = {
    "cross-entropy": _cross_entropy,
    "huber": _huber,
    "label-smoothing": _label_smoothing,
    "pos-weight-bce": _pos_weight_bce,
}
