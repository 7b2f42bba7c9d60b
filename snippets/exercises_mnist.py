"""The checkers of the MNIST chapter's exercises (docs/mnist.md); readers call them through
`snippets.exercises.check`."""

from collections.abc import Iterator

import torch
from torch import nn

from snippets.checking import Wrong, ask, kind


def index_lists(pairs, n: int, k: int) -> list[tuple[list, list]]:
    """The reader's folds as (train, val) lists of ints, once they are k pairs of 1-D index tensors."""
    if isinstance(pairs, Iterator):
        pairs = list(pairs)
    if not isinstance(pairs, (list, tuple)):
        raise Wrong(
            f"return a list of k (train_index, val_index) pairs, got {kind(pairs)}"
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


def _budget(model) -> str:
    """A trained MNIST model with at most 50,000 parameters and at least 96 % validation accuracy."""
    from snippets.mnist import evaluate, pixel_stats, split, to_inputs
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
    try:
        accuracy = evaluate(
            model, to_inputs(val_images, mean, std).to(device), val_labels.to(device)
        )["accuracy"]
    except Exception as error:
        raise Wrong(
            f"your model fails on the validation images ({type(error).__name__}: {error}); "
            "it should map float rows (batch, 784) to 10 logits"
        ) from error
    bar = (
        0.96 if data.source == "full" else 0.85
    )  # the offline sample: 4,000 training digits
    if accuracy < bar:
        raise Wrong(
            f"{accuracy:.1%} of the validation images right, with {n_params:,} parameters; the bar is {bar:.0%}"
        )
    return f"{n_params:,} parameters and at least {bar:.0%} of the validation images right."


CHECKERS = {
    "folds": _folds,
    "budget": _budget,
}
