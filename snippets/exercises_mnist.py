"""The checkers of the MNIST chapter's exercises (docs/mnist.md); readers call them through
`snippets.exercises.check`."""

import numbers
from collections.abc import Iterator

import torch
from torch import nn

from snippets.checking import Calls, Raised, Wrong, ask, kind, matches, same


def index_lists(pairs, n: int, k: int) -> list[tuple[list, list]]:
    """The reader's folds as (train, val) lists of ints, once they are k pairs of 1-D index tensors."""
    if isinstance(pairs, Iterator):
        pairs = list(pairs)
    if not isinstance(pairs, (list, tuple)):
        raise Wrong(
            f"return a list of k (train_index, val_index) pairs, got {kind(pairs)}"
        )
    if len(pairs) == 2 and all(isinstance(part, torch.Tensor) for part in pairs):
        raise Wrong(
            "you returned a single pair (train_index, val_index); return a list of k pairs, "
            "one per fold"
        )
    if len(pairs) != k:
        raise Wrong(
            f"for n = {n}, k = {k} you returned {len(pairs)} pairs; k-fold needs k"
        )
    for i, pair in enumerate(pairs):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise Wrong(
                f"fold {i} should be a pair (train_index, val_index), got {kind(pair)}"
            )
        for name, part in zip(("train_index", "val_index"), pair):
            if not isinstance(part, torch.Tensor):
                raise Wrong(
                    f"fold {i}'s {name} is {kind(part)}; make it a tensor of indices, as "
                    "torch.randperm gives"
                )
            if part.ndim != 1 or part.is_floating_point() or part.dtype == torch.bool:
                raise Wrong(
                    f"fold {i}'s {name} should be a 1-D tensor of integer indices, got "
                    f"{part.dtype} of shape {tuple(part.shape)}"
                )
            if len(part) and (part.min() < 0 or part.max() >= n):
                raise Wrong(f"fold {i}'s {name} holds indices outside 0 … {n - 1}")
            if len(set(part.tolist())) != len(part):
                raise Wrong(f"fold {i}'s {name} holds an example more than once")
    return [(train.tolist(), val.tolist()) for train, val in pairs]


def once(parts: list[list], n: int) -> bool:
    """Whether the parts hold each of 0 … n-1 exactly once."""
    return sum(map(len, parts)) == n and set().union(*map(set, parts)) == set(range(n))


def cyclic_range(fold: frozenset, n=100) -> bool:
    """Whether a fold is a range of consecutive indices of 0 … n-1, one that may wrap from n-1 to 0: the
    fold of unshuffled indices, rotated."""
    inside = sorted(fold)
    gaps = sum((b - a) % n != 1 for a, b in zip(inside, inside[1:] + inside[:1]))
    return len(fold) == n or gaps == 1


def _folds(answer, *, seed=0) -> str:
    """answer(n, k, seed) -> a list of k (train_index, val_index) pairs of tensors, for k-fold validation:
    shuffled with the seed, the same for the same seed."""
    for n, k in ((100, 5), (103, 4), (10, 4), (10, 6)):
        lists = index_lists(ask(answer, n, k, seed), n, k)
        everything = set(range(n))
        firsts, vals = [t for t, _ in lists], [v for _, v in lists]
        if k > 2 and once(firsts, n) and not once(vals, n):
            raise Wrong(
                "each pair is (train_index, val_index), in that order; yours look swapped: "
                "the first part of each pair holds one fold, the second the rest"
            )
        for i, (train, val) in enumerate(lists):
            if set(train) & set(val):
                raise Wrong(
                    f"fold {i}: some examples are in both its training and its validation part"
                )
            if set(train) | set(val) != everything:
                raise Wrong(
                    f"fold {i}: its training and validation parts together must hold every example"
                )
        sizes = sorted(map(len, vals))
        if not once(vals, n):
            raise Wrong(
                "each example must be validated exactly once: the validation parts must not overlap"
            )
        if sizes[-1] - sizes[0] > 1:
            raise Wrong(
                f"the validation parts have sizes {sizes}; make them as equal as possible"
            )
        if n == 100 and all(
            sorted(v) == list(range(min(v), min(v) + len(v))) for v in vals
        ):
            raise Wrong(
                "your folds are blocks of consecutive indices, not shuffled: split "
                "torch.randperm(n, generator=torch.Generator().manual_seed(seed)), "
                "not torch.arange(n)"
            )

    def validation_folds(seed):
        return {
            frozenset(val) for _, val in index_lists(ask(answer, 100, 5, seed), 100, 5)
        }

    if all(map(cyclic_range, validation_folds(seed) | validation_folds(seed + 1))):
        raise Wrong(
            f"for seeds {seed} and {seed + 1} the folds are contiguous ranges of 0 … n-1, "
            "not shuffled: shuffle the indices with the seed first (torch.randperm)"
        )
    if validation_folds(seed) != validation_folds(seed):
        raise Wrong(
            f"two calls with seed {seed} gave different folds: draw the permutation with "
            "generator=torch.Generator().manual_seed(seed), not from the global random state"
        )
    if validation_folds(seed) == validation_folds(seed + 1):
        raise Wrong(
            f"seeds {seed} and {seed + 1} give the same folds: your function ignores its seed"
        )
    return "k disjoint validation folds that cover every example, each trained on the rest."


INPUTS = (
    "(inputs: to_inputs(images, mean, std) with the training split's mean and std, flattened "
    "to 784)"
)
# validation above test by more: the model has seen the validation images. On full MNIST a model
# trained on the 55,000-image split does about 0.3 points worse on validation than on test; one that
# also saw the validation images does 0.5 to 1.2 points better. The 1,000-image sample is noisier.
FITTED_GAP = {"full": 0.005, "sample": 0.03}


def _budget(model) -> str:
    """A trained MNIST model with at most 50,000 parameters and at least 96 % accuracy on the validation
    images and on the test images (85 % on the offline sample)."""
    from snippets.mnist import pixel_stats, split, to_inputs
    from snippets.mnist_data import load_mnist

    if isinstance(model, tuple) and any(isinstance(part, nn.Module) for part in model):
        raise Wrong(
            "you passed a tuple, such as fit's (model, history); pass the model alone: "
            "model, history = fit(...), then check('budget', model)"
        )
    if not isinstance(model, nn.Module):
        raise Wrong(f"pass your trained model, an nn.Module, got {kind(model)}")
    parameters = list(model.parameters())
    n_params = sum(p.numel() for p in parameters)
    if n_params > 50_000:
        raise Wrong(f"your model has {n_params:,} parameters; the budget is 50,000")
    data = load_mnist()
    train_images, _, val_images, val_labels = split(
        data.train_images, data.train_labels
    )
    mean, std = pixel_stats(train_images)
    device = parameters[0].device if parameters else torch.device("cpu")

    def accuracy_on(images, labels, which) -> float:
        """The share right, counted in integers: 4,800 of 5,000 is 96 % exactly."""
        try:
            with torch.no_grad():
                model.eval()
                logits = model(to_inputs(images, mean, std).to(device))
            right = (logits.argmax(dim=1).cpu() == labels).sum().item()
        except Exception as error:
            raise Wrong(
                f"your model fails on the {which} images ({type(error).__name__}: {error}); "
                "it should map float rows (batch, 784) to 10 logits"
            ) from error
        return right / len(labels)

    # the offline sample: 4,000 training digits
    bar = 0.96 if data.source == "full" else 0.85
    accuracy = accuracy_on(val_images, val_labels, "validation")
    if round(accuracy * len(val_labels)) < round(bar * len(val_labels)):
        raise Wrong(
            f"{accuracy:.1%} of the validation images right, with {n_params:,} parameters; "
            f"the bar is {bar:.0%} {INPUTS}"
        )
    test = accuracy_on(data.test_images, data.test_labels, "test")
    if accuracy - test > FITTED_GAP[data.source]:  # the only use of the test images
        raise Wrong(
            "your model does clearly worse on images it never saw than on the validation "
            "images: it looks fitted to the validation images; train on the training split"
        )
    return (
        f"{n_params:,} parameters and at least {bar:.0%} of the validation images right; "
        "about as many of the test images."
    )


TOPK_DIM0 = (
    "your topk runs over dim=0, down the examples; each row is one example: take the k "
    "largest logits of each row, topk(k, dim=1)"
)


def topk_over_examples(calls: Calls, shape: torch.Size) -> bool:
    """Whether topk was called along the first dimension of a tensor of the logits' shape, (n, 10): down
    the examples."""
    for name, args, kwargs in calls.made:
        if name != "topk" or not args or getattr(args[0], "shape", None) != shape:
            continue
        dim = kwargs.get("dim", args[2] if len(args) > 2 else -1)
        if dim in (0, -2):
            return True
    return False


def _top_k(answer, *, seed=0, n=50) -> str:
    """answer(logits, labels, k) -> the fraction of the n examples whose label is among the k largest
    logits of its row, for k = 1 and k = 3."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(10, (n,), generator=generator)
    logits = torch.randn(n, 10, generator=generator)
    logits[torch.arange(n), labels] += 1.5  # a model that is often, not always, right
    for k in (1, 3):
        best = logits.topk(k, dim=1).indices  # each row's k best classes
        hits = (best == labels.unsqueeze(1)).any(dim=1).double()
        right = hits.mean()
        with Calls() as calls:
            try:
                yours = ask(answer, logits.clone(), labels.clone(), k)
            except Raised:
                if topk_over_examples(calls, logits.shape):
                    raise Wrong(TOPK_DIM0) from None
                raise
        if isinstance(yours, numbers.Real) and not isinstance(yours, bool):
            yours = float(yours)  # a count as an int, a numpy float
        if topk_over_examples(calls, logits.shape) and not matches(yours, right):
            raise Wrong(TOPK_DIM0)
        count = round(n * right.item())
        top1 = (logits.argmax(dim=1) == labels).double().mean()
        worst = logits.topk(k, dim=1, largest=False).indices
        smallest = (worst == labels.unsqueeze(1)).any(dim=1).double().mean()
        mistakes = [
            (
                torch.zeros((), dtype=torch.float64),
                (
                    f"your fraction is 0 for k = {k}: no label was counted. Take the indices "
                    "(.indices, not .values) of the k largest logits (not the smallest), and "
                    "divide as floats (not //)"
                ),
            ),
            (
                n * right,
                (
                    f"for k = {k} you return the count of examples, {count}, not the "
                    f"fraction: divide by n = {n}"
                ),
            ),
            (
                100 * right,
                "you return a percentage; return the fraction, from 0 to 1",
            ),
            (
                smallest,
                (
                    f"for k = {k} your fraction counts the labels among the k smallest "
                    "logits; the k largest are the model's best guesses"
                ),
            ),
            (
                hits,
                (
                    f"your fraction has shape ({n},), one hit or miss per example; take "
                    "their mean"
                ),
            ),
        ]
        if k > 1:
            mistakes.insert(
                0,
                (
                    top1,
                    (
                        f"for k = {k} your fraction is the top-1 accuracy: the label may be "
                        "any of the k largest logits of its row"
                    ),
                ),
            )
        hint = "Count the rows whose label is among their k largest logits, over n."
        same(f"fraction for k = {k}", yours, right, hint, mistakes)
    return "Your fractions for k = 1 and k = 3 equal those of topk(k, dim=1)."


CHECKERS = {
    "folds": _folds,
    "budget": _budget,
    "top-k": _top_k,
}
