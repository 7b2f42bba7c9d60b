"""Checkers for the exercises at the end of each chapter.

In a chapter's notebook (or anywhere):

    from snippets.exercises import check
    check("nand", w, b)

prints whether the answer is right and, if not, what differs and the likely cause. An answer left as
`...` is "not answered yet". Checkers compare with tolerances against a reference computed afresh,
never against numbers copied from a run.
"""

import torch
from torch import nn


class Wrong(Exception):
    """An answer that is not right yet; its message says what differs, in the reader's terms."""


class NotAnswered(Exception):
    """The answer, or what it returns, is still the `...` of the exercise."""


def ask(answer, *args):
    """Call the reader's function; a `...` it returns (alone or in a tuple) means not answered yet."""
    result = answer(*args)
    if result is ... or (
        isinstance(result, tuple) and any(part is ... for part in result)
    ):
        raise NotAnswered
    return result


def check(exercise: str, *answer) -> None:
    """Check your answer to an exercise; print whether it is right and, if not, what differs."""
    if exercise not in CHECKERS:
        raise ValueError(
            f"there is no exercise {exercise!r}; the exercises are {', '.join(CHECKERS)}"
        )
    try:
        if any(part is ... for part in answer):
            raise NotAnswered
        confirmation = CHECKERS[exercise](*answer)
    except NotAnswered:
        print(
            f"{exercise}: not answered yet; replace each ... with your answer and run the cell again"
        )
    except Wrong as wrong:
        print(f"{exercise}: not yet. {wrong}")
    else:
        print(f"{exercise}: right. {confirmation}")


def same(
    name: str, yours, expected: torch.Tensor, hint: str = "", rtol=1e-5, atol=1e-8
) -> None:
    """Refuse `yours` unless it is a tensor of the expected shape close to `expected`, naming where not."""
    if not isinstance(yours, torch.Tensor):
        raise Wrong(f"{name} should be a tensor, got {type(yours).__name__}")
    if yours.shape != expected.shape:
        raise Wrong(
            f"{name} has shape {tuple(yours.shape)}, expected {tuple(expected.shape)}"
        )
    if not yours.is_floating_point():
        raise Wrong(
            f"{name} has dtype {yours.dtype}; it should hold floats, like {expected.dtype}"
        )
    yours = yours.detach().to(expected.dtype)
    if not torch.allclose(yours, expected, rtol=rtol, atol=atol):
        difference = (yours - expected).abs()
        where = [
            i.item() for i in torch.unravel_index(difference.argmax(), difference.shape)
        ]
        at = f" at {where}" if where else ""
        raise Wrong(
            f"your {name} differs from the right one by {difference.max():.3g}{at}. {hint}".rstrip()
        )


def matches(yours: torch.Tensor, candidate: torch.Tensor) -> bool:
    """Whether an answer equals a known wrong answer (to name the mistake)."""
    return yours.shape == candidate.shape and torch.allclose(
        yours.detach().to(candidate.dtype), candidate
    )


# Gradient descent -------------------------------------------------------------------------------------


def _mae_gradients(answer) -> str:
    """answer(x, y, w, b) -> (dL/dw, dL/db) for L = mean(|w x + b - y|)."""
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(30, generator=generator, dtype=torch.float64)
    y = 2 * x + 1 + torch.randn(30, generator=generator, dtype=torch.float64)
    w = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(-0.2, dtype=torch.float64, requires_grad=True)
    (w * x + b - y).abs().mean().backward()
    dw, db = ask(answer, x, y, w.detach(), b.detach())
    error = w.detach() * x + b.detach() - y
    for name, yours, right, forgot_sign in (
        ("dL/dw", dw, w.grad, (error * x).mean()),
        ("dL/db", db, b.grad, error.mean()),
    ):
        if isinstance(yours, torch.Tensor) and matches(yours, forgot_sign):
            raise Wrong(
                f"your {name} uses the error itself; the derivative of |e| is sign(e), not e"
            )
        if isinstance(yours, torch.Tensor) and matches(yours, -right):
            raise Wrong(f"your {name} has the wrong sign: descent would climb")
        same(
            name,
            yours,
            right,
            "Check the chain rule: d|e|/de = sign(e), then de/dw = x and de/db = 1.",
        )
    return "Both derivatives equal autograd's."


# The perceptron ---------------------------------------------------------------------------------------

GATE_INPUTS = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
NAND = torch.tensor([1.0, 1.0, 1.0, 0.0])


def _nand(w, b) -> str:
    """A step unit y = (w · x + b > 0) that computes NAND."""
    w = torch.as_tensor(w, dtype=torch.float32)
    if w.shape != (2,):
        raise Wrong(
            f"w should hold two weights, one per input, got shape {tuple(w.shape)}"
        )
    out = (GATE_INPUTS @ w + float(b) > 0).float()
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


def _bce(answer) -> str:
    """answer(p, y) -> the mean binary cross-entropy."""
    generator = torch.Generator().manual_seed(2)
    p = torch.rand(6, 3, generator=generator, dtype=torch.float64) * 0.98 + 0.01
    y = (torch.rand(6, 3, generator=generator) > 0.5).double()
    right = nn.functional.binary_cross_entropy(p, y)
    yours = ask(answer, p, y)
    terms = -(y * p.log() + (1 - y) * (1 - p).log())
    if isinstance(yours, torch.Tensor) and matches(yours, -right):
        raise Wrong(
            "your loss is the negative of BCE: the formula starts with a minus sign"
        )
    if isinstance(yours, torch.Tensor) and matches(yours, terms.sum()):
        raise Wrong(
            "your loss is the sum over the examples; BCE, like nn.BCELoss, is their mean"
        )
    if isinstance(yours, torch.Tensor) and matches(yours, -(y * p.log()).mean()):
        raise Wrong(
            "your loss has only the y log p term; the examples with y = 0 need (1 - y) log(1 - p)"
        )
    same("loss", yours, right, "Compare your formula with the page's, term by term.")
    return "Your loss equals nn.BCELoss on a 6 × 3 batch, in float64."


# Activation functions ---------------------------------------------------------------------------------


def _sigmoid_derivative(answer) -> str:
    """answer(x) -> sigmoid'(x), without autograd."""
    x = torch.linspace(-6, 6, 121, dtype=torch.float64)
    xg = x.clone().requires_grad_()
    (right,) = torch.autograd.grad(torch.sigmoid(xg).sum(), xg)
    yours = ask(answer, x)
    s = torch.sigmoid(x)
    if isinstance(yours, torch.Tensor) and matches(yours, s * (1 + s)):
        raise Wrong(
            "your derivative is σ(x)(1 + σ(x)); differentiate 1 / (1 + e^-x) again: it is σ(x)(1 − σ(x))"
        )
    if isinstance(yours, torch.Tensor) and matches(yours, s):
        raise Wrong("you returned σ(x) itself, not its derivative")
    same("derivative", yours, right, "At x = 0 it should be 0.25, its largest value.")
    return "It matches autograd's derivative from −6 to 6, with its maximum 0.25 at 0."


def _softmax(answer) -> str:
    """answer(z) -> softmax over each row of z (batch, classes), stable for large scores."""
    z = torch.tensor(
        [[2.0, 1.0, 0.5], [0.5, 2.0, 1.0], [1000.0, 999.0, 998.5]], dtype=torch.float64
    )
    yours = ask(answer, z)
    if (
        isinstance(yours, torch.Tensor)
        and yours.shape == z.shape
        and torch.isnan(yours).any()
    ):
        raise Wrong(
            "your softmax gives nan for the row [1000, 999, 998.5]: exp(1000) overflows; "
            "subtract each row's maximum first"
        )
    if isinstance(yours, torch.Tensor) and matches(yours, torch.softmax(z, dim=0)):
        raise Wrong(
            "your softmax normalises each column (dim=0); each row (one example) must sum to 1"
        )
    same(
        "softmax",
        yours,
        torch.softmax(z, dim=1),
        "Each row should be positive and sum to 1.",
    )
    return "Each row sums to 1, and the row of scores near 1000 comes out right."


def _dying_relu(lr) -> str:
    """A learning rate at which Adam kills at least 30 % of a ReLU network's units on the spirals, and none
    of the same LeakyReLU network's."""
    from snippets.activations import dead_share, fit, small_mlp, two_spirals

    lr = float(lr)
    X, y = two_spirals()
    shares = {}
    for name in ("ReLU", "LeakyReLU"):
        model = small_mlp(name, width=64)
        fit(model, X, y, lr=lr)
        shares[name] = dead_share(model, X, y)
    if shares["ReLU"] < 0.3:
        raise Wrong(
            f"at lr {lr:g} only {shares['ReLU']:.0%} of the ReLU units died; try a larger learning rate"
        )
    if shares["LeakyReLU"] > 0:
        raise Wrong(
            f"at lr {lr:g} even LeakyReLU has {shares['LeakyReLU']:.0%} dead units, which cannot happen"
        )
    return f"At lr {lr:g}, {shares['ReLU']:.0%} of the ReLU units died and none of the LeakyReLU units."


# Loss functions ---------------------------------------------------------------------------------------


def _cross_entropy(answer) -> str:
    """answer(logits, target, ignore_index) -> mean cross-entropy over the examples whose target is not
    ignore_index, like nn.CrossEntropyLoss(ignore_index=...)."""
    generator = torch.Generator().manual_seed(3)
    logits = torch.randn(8, 5, generator=generator, dtype=torch.float64) * 3
    target = torch.tensor([1, 0, 4, -100, 2, 2, -100, 3])
    right = nn.CrossEntropyLoss(ignore_index=-100)(logits, target)
    yours = ask(answer, logits, target, -100)
    kept = target != -100
    per_example = nn.functional.cross_entropy(
        logits[kept], target[kept], reduction="none"
    )
    if isinstance(yours, torch.Tensor) and matches(
        yours, per_example.sum() / len(target)
    ):
        raise Wrong(
            "you divide by all 8 examples; ignored examples do not count in the mean either (6 here)"
        )
    if isinstance(yours, torch.Tensor) and matches(yours, -right):
        raise Wrong(
            "your loss has the wrong sign: cross-entropy is minus the log-probability"
        )
    same(
        "loss",
        yours,
        right,
        "Use logsumexp(logits) − logit of the target class, for the kept examples only.",
    )
    return "Your loss equals nn.CrossEntropyLoss(ignore_index=-100), with 2 of 8 examples ignored."


def _huber(answer) -> str:
    """answer(prediction, target, delta) -> mean Huber loss, like nn.HuberLoss(delta=delta)."""
    r = torch.linspace(-4, 4, 81, dtype=torch.float64)
    zeros = torch.zeros_like(r)
    for delta in (
        2.5,
        1.0,
        0.5,
    ):  # at 0.5, SmoothL1Loss (Huber / delta) is twice Huber: ambiguous
        right = nn.HuberLoss(delta=delta)(r, zeros)
        yours = ask(answer, r, zeros, delta)
        if (
            isinstance(yours, torch.Tensor)
            and matches(yours, nn.SmoothL1Loss(beta=delta)(r, zeros))
            and delta != 1
        ):
            raise Wrong(
                "that is SmoothL1Loss, which divides Huber's loss by delta: drop the division"
            )
        if isinstance(yours, torch.Tensor) and matches(yours, 2 * right):
            raise Wrong(
                "your loss is twice Huber's: it is r²/2 inside |r| <= delta and delta (|r| - delta/2) outside"
            )
        same(
            f"loss for delta = {delta}",
            yours,
            right,
            "Quadratic inside |r| <= delta, linear outside.",
        )
    return "Your loss equals nn.HuberLoss for delta 0.5, 1 and 2.5."


# The MLP ----------------------------------------------------------------------------------------------


def relu_forward(X, params) -> dict:
    """The network of the MLP chapter with a ReLU hidden layer: Z1 = W1 X + b1, A1 = relu(Z1), then as before."""
    Z1 = params["W1"] @ X + params["b1"]
    A1 = torch.relu(Z1)
    Z2 = params["W2"] @ A1 + params["b2"]
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": torch.sigmoid(Z2)}


def _relu_backward(answer) -> str:
    """answer(X, Y, params, cache) -> {"dW1", "db1", "dW2", "db2"} of the log loss, with a ReLU hidden layer."""
    generator = torch.Generator().manual_seed(4)
    X = torch.randn(3, 10, generator=generator, dtype=torch.float64)
    Y = (torch.rand(1, 10, generator=generator) > 0.5).double()
    params = {
        "W1": torch.randn(5, 3, generator=generator, dtype=torch.float64),
        "b1": torch.randn(5, 1, generator=generator, dtype=torch.float64),
        "W2": torch.randn(1, 5, generator=generator, dtype=torch.float64),
        "b2": torch.zeros(1, 1, dtype=torch.float64),
    }
    leaves = {name: p.clone().requires_grad_() for name, p in params.items()}
    cache = relu_forward(X, leaves)
    nn.functional.binary_cross_entropy(cache["A2"], Y).backward()
    cache = {name: value.detach() for name, value in cache.items()}
    yours = ask(answer, X, Y, params, cache)
    if not isinstance(yours, dict) or not {"dW1", "db1", "dW2", "db2"} <= set(yours):
        raise Wrong('return a dict with the keys "dW1", "db1", "dW2", "db2"')
    m = X.shape[1]
    dZ2 = cache["A2"] - Y
    tanh_dZ1 = params["W2"].T @ dZ2 * (1 - cache["A1"] ** 2)
    if matches(yours["dW1"], tanh_dZ1 @ X.T / m):
        raise Wrong(
            "your dW1 uses tanh's derivative 1 − A1²; ReLU's derivative is 1 where Z1 > 0 and 0 elsewhere"
        )
    if matches(yours["dW1"], (params["W2"].T @ dZ2) @ X.T / m):
        raise Wrong(
            "your dW1 leaves out the hidden activation's derivative: multiply by (Z1 > 0) element-wise"
        )
    for name in ("dW2", "db2", "dW1", "db1"):
        hint = (
            "Did you multiply by the derivative of the hidden activation?"
            if name in ("dW1", "db1")
            else ""
        )
        same(name, yours[name], leaves[name[1:]].grad, hint)
    return "All four gradients equal autograd's, in float64."


def _count_parameters(answer) -> str:
    """answer(sizes) -> the number of parameters of an MLP with those layer sizes (nn.Linear layers)."""
    for sizes in ((784, 128, 64, 10), (2, 3, 1), (10, 10)):
        right = sum(
            p.numel()
            for n_in, n_out in zip(sizes[:-1], sizes[1:])
            for p in nn.Linear(n_in, n_out).parameters()
        )
        yours = ask(answer, sizes)
        weights_only = sum(n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
        if yours == weights_only:
            raise Wrong(
                f"for {sizes} you count {yours}, the weights only; each layer also has one bias per unit"
            )
        if yours != right:
            raise Wrong(f"for {sizes} you count {yours}, nn.Linear layers have {right}")
    return (
        "Right for (784, 128, 64, 10), (2, 3, 1) and (10, 10): 109,386 for the first."
    )


# MNIST ------------------------------------------------------------------------------------------------


def _folds(answer) -> str:
    """answer(n, k, seed) -> a list of k (train_index, val_index) pairs of tensors, for k-fold validation."""
    for n, k in ((100, 5), (103, 4), (10, 4), (10, 6)):
        pairs = ask(answer, n, k, 0)
        if len(pairs) != k:
            raise Wrong(
                f"for n = {n}, k = {k} you returned {len(pairs)} pairs; k-fold needs k"
            )
        vals = [set(val.tolist()) for _, val in pairs]
        for i, (train, val) in enumerate(pairs):
            if set(train.tolist()) & set(val.tolist()):
                raise Wrong(
                    f"fold {i}: some examples are in both its training and its validation part"
                )
            if set(train.tolist()) | set(val.tolist()) != set(range(n)):
                raise Wrong(
                    f"fold {i}: its training and validation parts together must hold every example"
                )
        if set().union(*vals) != set(range(n)) or sum(map(len, vals)) != n:
            raise Wrong(
                "each example must be validated exactly once: the validation parts must not overlap"
            )
        if max(map(len, vals)) - min(map(len, vals)) > 1:
            raise Wrong(
                f"the validation parts have sizes {sorted(map(len, vals))}; make them as equal as possible"
            )
    return "k disjoint validation folds that cover every example, each trained on the rest."


def _budget(model) -> str:
    """A trained MNIST model with at most 50,000 parameters and at least 96 % validation accuracy."""
    from snippets.mnist import evaluate, pixel_stats, split, to_inputs
    from snippets.mnist_data import load_mnist

    n_params = sum(p.numel() for p in model.parameters())
    if n_params > 50_000:
        raise Wrong(f"your model has {n_params:,} parameters; the budget is 50,000")
    data = load_mnist()
    train_images, _, val_images, val_labels = split(
        data.train_images, data.train_labels
    )
    mean, std = pixel_stats(train_images)
    device = next(model.parameters()).device
    accuracy = evaluate(
        model, to_inputs(val_images, mean, std).to(device), val_labels.to(device)
    )["accuracy"]
    bar = (
        0.96 if data.source == "full" else 0.85
    )  # the offline sample has 4,000 training digits
    if accuracy < bar:
        raise Wrong(
            f"{accuracy:.1%} of the validation images right, with {n_params:,} parameters; the bar is {bar:.0%}"
        )
    return f"{n_params:,} parameters and at least {bar:.0%} of the validation images right."


CHECKERS = {
    "mae-gradients": _mae_gradients,
    "nand": _nand,
    "bce": _bce,
    "sigmoid-derivative": _sigmoid_derivative,
    "softmax": _softmax,
    "dying-relu": _dying_relu,
    "cross-entropy": _cross_entropy,
    "huber": _huber,
    "relu-backward": _relu_backward,
    "count-parameters": _count_parameters,
    "folds": _folds,
    "budget": _budget,
}
