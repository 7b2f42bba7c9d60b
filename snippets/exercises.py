"""Checkers for the exercises at the end of each chapter.

In a chapter's notebook (or anywhere):

    from snippets.exercises import check
    check("nand", w, b)

prints whether the answer is right and, if not, what differs and the likely cause. An answer left as
`...` is "not answered yet". Checkers compare with tolerances against a reference computed afresh,
never against numbers copied from a run. A checker's data can be redrawn (`seed=`, shapes) so that the
tests can run it on more than one batch; readers only ever call `check`.
"""

import inspect
import math
import numbers
from collections.abc import Iterator

import torch
from torch import nn
from torch.overrides import TorchFunctionMode


class Wrong(Exception):
    """An answer that is not right yet; its message says what differs, in the reader's terms."""


class NotAnswered(Exception):
    """The answer, or what it returns, is still the `...` of the exercise."""


class Raised(Wrong):
    """The reader's function raised `error`; a checker may catch this to name the likely cause."""

    def __init__(self, error: Exception):
        lines = str(error).strip().splitlines() or [""]
        super().__init__(f"your function raised {type(error).__name__}: {lines[0]}")
        self.error = error


def kind(value) -> str:
    """What a value is, for a message: 'None', 'a str', 'an int'."""
    if value is None:
        return "None"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiouAEIOU' else 'a'} {name}"


def unanswered(value) -> bool:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        return any(part is ... for part in value)
    return value is ...


def ask(answer, *args):
    """Call the reader's function: a `...` it returns means not answered yet, an exception it raises is
    Raised (a message, not a traceback)."""
    if not callable(answer):
        raise Wrong(
            f"the answer should be your function (its name, not a call), got {kind(answer)}"
        )
    try:
        result = answer(*args)
    except Exception as error:
        raise Raised(error) from error
    if unanswered(result):
        raise NotAnswered
    return result


def check(exercise: str, *answer) -> None:
    """Check your answer to an exercise; print whether it is right and, if not, what differs."""
    if exercise not in CHECKERS:
        raise ValueError(
            f"there is no exercise {exercise!r}; the exercises are {', '.join(CHECKERS)}"
        )
    checker = CHECKERS[exercise]
    names = [
        name
        for name, parameter in inspect.signature(checker).parameters.items()
        if parameter.kind is parameter.POSITIONAL_OR_KEYWORD
    ]
    try:
        if any(part is ... for part in answer):
            raise NotAnswered
        if len(answer) != len(names):
            raise Wrong(
                f"call check({exercise!r}, {', '.join(names)}): {len(names)} answer(s) "
                f"after the name, you gave {len(answer)}"
            )
        confirmation = checker(*answer)
    except NotAnswered:
        print(
            f"{exercise}: not answered yet; replace each ... with your answer and run the cell again"
        )
    except Wrong as wrong:
        print(f"{exercise}: not yet. {wrong}")
    except Exception as error:  # noqa: BLE001  (no checker foresaw it: a message, no traceback)
        print(
            f"{exercise}: not yet. The checker could not check your answer "
            f"({type(error).__name__}: {error})"
        )
    else:
        print(f"{exercise}: right. {confirmation}")


def matches(yours, candidate: torch.Tensor) -> bool:
    """Whether an answer (a tensor, or a float) equals `candidate`, to name a mistake by what it gives."""
    if isinstance(yours, float):
        yours = torch.tensor(yours, dtype=torch.float64)
    return (
        isinstance(yours, torch.Tensor)
        and yours.shape == candidate.shape
        and not yours.is_complex()
        and torch.allclose(yours.detach().cpu().to(candidate.dtype), candidate)
    )


def slips(name: str, right: torch.Tensor, count=None, over="examples") -> list:
    """The slips any number can have: a sum over `count` items instead of their mean, a sign, a factor 2."""
    found = [
        (-right, f"your {name} has the wrong sign"),
        (2 * right, f"your {name} is twice the right one: a factor of 2 too many"),
        (right / 2, f"your {name} is half the right one: a factor of 2 missing"),
    ]
    if count:
        mean = f"your {name} is the sum over the {count} {over}, not their mean"
        found.insert(0, (count * right, mean))
    return found


def same(name, yours, expected: torch.Tensor, hint="", mistakes=(), place=None):
    """Refuse `yours` unless it is a float tensor (or a float) close to `expected`. If not, name the first
    of `mistakes`, (wrong answer, message) pairs, that it equals; else say what differs and where:
    `place(index)` words an index, such as "at x = 0.5"."""
    if isinstance(yours, float):
        yours = torch.tensor(yours, dtype=expected.dtype)
    if not isinstance(yours, torch.Tensor):
        raise Wrong(f"your {name} should be a tensor, got {kind(yours)}")
    yours = yours.detach().cpu()
    if matches(yours, expected) and yours.is_floating_point():
        return
    for candidate, message in mistakes:
        if matches(yours, candidate):
            raise Wrong(message)
    if yours.shape != expected.shape:
        raise Wrong(
            f"your {name} has shape {tuple(yours.shape)}, expected {tuple(expected.shape)}"
        )
    if not yours.is_floating_point():
        raise Wrong(
            f"your {name} has dtype {yours.dtype}; it should hold floats, like {expected.dtype}"
        )
    yours = yours.to(expected.dtype)
    finite = torch.isfinite(yours)
    difference = torch.where(finite, (yours - expected).abs(), torch.inf)
    index = tuple(
        i.item() for i in torch.unravel_index(difference.argmax(), difference.shape)
    )
    at = place(index) if place else (f"at {list(index)}" if index else "")
    at = f" {at}" if at else ""
    if not finite.all():
        raise Wrong(f"your {name} is {yours[index].item()}{at}. {hint}".rstrip())
    raise Wrong(
        f"your {name} differs from the right one by {difference.max():.3g}{at}. {hint}".rstrip()
    )


def numbers_in(name: str, value) -> torch.Tensor:
    """A tensor, a list or a number as a float64 tensor, or a message saying what it should be."""
    try:
        return torch.as_tensor(value, dtype=torch.float64).detach().cpu()
    except (TypeError, ValueError, RuntimeError):
        raise Wrong(f"{name} should be numbers, got {kind(value)}") from None


# Gradient descent -------------------------------------------------------------------------------------


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


# The perceptron ---------------------------------------------------------------------------------------

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


# Activation functions ---------------------------------------------------------------------------------


def _sigmoid_derivative(answer, *, seed=0, shape=(4, 7)) -> str:
    """answer(x) -> sigmoid'(x), without autograd: on a grid from -6 to 6, then on a random batch."""
    generator = torch.Generator().manual_seed(seed)
    grid = torch.linspace(-6, 6, 121, dtype=torch.float64)
    batch = 4 * torch.randn(shape, generator=generator, dtype=torch.float64)
    for x in (grid, batch):
        xg = x.clone().requires_grad_()
        (right,) = torch.autograd.grad(torch.sigmoid(xg).sum(), xg)
        yours = ask(answer, x.clone())
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


def _softmax(answer, *, seed=0, shapes=((4, 3), (2, 5))) -> str:
    """answer(z) -> softmax over each row of z (batch, classes), stable for large scores. The batches are
    not square, their rows differ, and row 1 holds scores near 1000."""
    generator = torch.Generator().manual_seed(seed)
    for rows, classes in shapes:
        z = 2 * torch.randn(rows, classes, generator=generator, dtype=torch.float64)
        z[1] += 1000  # exp(1000) overflows, even in float64
        try:
            yours = ask(answer, z.clone())
        except Raised as raised:
            square = torch.randn(3, 3, generator=generator, dtype=torch.float64)
            if "must match the size" in str(raised.error) and wrong_but_runs(
                answer, square
            ):
                raise Wrong(KEEPDIM.format(size=f"{rows} × {classes}")) from None
            raise
        if isinstance(yours, torch.Tensor) and yours.shape == z.shape:
            bad = [i for i in range(rows) if not torch.isfinite(yours[i]).all()]
            what = "nan" if yours.isnan().any() else "inf"
            if bad == [1]:
                raise Wrong(
                    f"your softmax gives {what} in row 1, whose scores are near 1000: "
                    "exp(1000) overflows; subtract each row's maximum first"
                )
            if bad and 1 not in bad:
                raise Wrong(
                    f"your softmax gives {what} in rows {bad}, not in row 1, whose scores are "
                    "near 1000: you subtract the whole batch's maximum, so exp underflows to 0 "
                    "in every other row and 0 / 0 is nan. Subtract each row's own maximum, "
                    "z.amax(dim=1, keepdim=True)"
                )
            if bad:
                raise Wrong(
                    f"your softmax gives {what} in rows {bad}; subtract each row's maximum first"
                )
        over_columns = (
            torch.softmax(z, dim=0),
            "your softmax normalises each column (dim=0); each row (one example) must sum to 1",
        )
        hint = "Each row should be positive and sum to 1."
        same("softmax", yours, torch.softmax(z, dim=1), hint, [over_columns])
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


# Loss functions ---------------------------------------------------------------------------------------

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


# The MLP ----------------------------------------------------------------------------------------------


def relu_forward(X, params) -> dict:
    """The network of the MLP chapter with a ReLU hidden layer: Z1 = W1 X + b1, A1 = relu(Z1), then as before."""
    Z1 = params["W1"] @ X + params["b1"]
    A1 = torch.relu(Z1)
    Z2 = params["W2"] @ A1 + params["b2"]
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": torch.sigmoid(Z2)}


def _relu_backward(answer, *, seed=4, sizes=(3, 5, 10)) -> str:
    """answer(X, Y, params, cache) -> {"dW1", "db1", "dW2", "db2"} of the log loss, with a ReLU hidden
    layer; sizes: inputs, hidden units, examples."""
    n_in, hidden, m = sizes
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n_in, m, generator=generator, dtype=torch.float64)
    Y = (torch.rand(1, m, generator=generator) > 0.5).double()
    params = {
        "W1": torch.randn(hidden, n_in, generator=generator, dtype=torch.float64),
        "b1": torch.randn(hidden, 1, generator=generator, dtype=torch.float64),
        "W2": torch.randn(1, hidden, generator=generator, dtype=torch.float64),
        "b2": torch.zeros(1, 1, dtype=torch.float64),
    }
    leaves = {name: p.clone().requires_grad_() for name, p in params.items()}
    cache = relu_forward(X, leaves)
    nn.functional.binary_cross_entropy(cache["A2"], Y).backward()
    right = {"d" + name: leaves[name].grad for name in ("W2", "b2", "W1", "b1")}
    cache = {name: value.detach() for name, value in cache.items()}
    copies = [{name: t.clone() for name, t in d.items()} for d in (params, cache)]
    yours = ask(answer, X.clone(), Y.clone(), *copies)  # copies: yours may change them
    keys = '"dW1", "db1", "dW2", "db2"'
    if not isinstance(yours, dict):
        raise Wrong(f"return a dict with the keys {keys}, got {kind(yours)}")
    missing = [
        f'"{name}"' for name in ("dW1", "db1", "dW2", "db2") if name not in yours
    ]
    if missing:
        raise Wrong(
            f"return a dict with the keys {keys}; yours lacks {', '.join(missing)}"
        )
    back = params["W2"].T @ (cache["A2"] - Y)  # dA1
    for name, other in (("dW2", "dW1"), ("db2", "db1"), ("dW1", "dW2"), ("db1", "db2")):
        mistakes = []
        if name == "dW1":
            mistakes = [
                (
                    back * (1 - cache["A1"] ** 2) @ X.T / m,
                    (
                        "your dW1 uses tanh's derivative 1 − A1²; ReLU's derivative is 1 where "
                        "Z1 > 0 and 0 elsewhere"
                    ),
                ),
                (
                    back @ X.T / m,
                    (
                        "your dW1 leaves out the hidden activation's derivative: multiply by "
                        "(Z1 > 0) element-wise"
                    ),
                ),
            ]
        mistakes += [
            (
                right[other],
                f"your {name} is {other}: dW1 and dW2 are swapped (or db1 and db2)",
            ),
            (
                right[other].T,
                f"your {name} is {other}, transposed: W1 and W2 are mixed up",
            ),
            (
                right[name].T,
                (
                    f"your {name} is transposed: it should have the shape of {name[1:]}, "
                    f"{tuple(right[name].shape)}"
                ),
            ),
            (
                m * right[name],
                f"your {name} is a sum over the examples, not the mean: you forgot the 1/m",
            ),
            *slips(name, right[name]),
        ]
        hint = "Did you multiply by the derivative of the hidden activation?"
        hint = hint if name in ("dW1", "db1") else ""
        same(name, yours[name], right[name], hint, mistakes)
    return "All four gradients equal autograd's, in float64."


def _count_parameters(answer, *, seed=None) -> str:
    """answer(sizes) -> the number of parameters of an MLP with those layer sizes (nn.Linear layers);
    with a seed, two random sizes more."""
    cases = [(784, 128, 64, 10), (2, 3, 1), (10, 10)]
    if seed is not None:
        generator = torch.Generator().manual_seed(seed)
        for depth in torch.randint(2, 6, (2,), generator=generator).tolist():
            cases.append(
                tuple(torch.randint(1, 300, (depth,), generator=generator).tolist())
            )
    for sizes in cases:
        pairs = list(zip(sizes[:-1], sizes[1:]))
        right = sum(  # on the meta device: counted, not allocated
            p.numel()
            for a, b in pairs
            for p in nn.Linear(a, b, device="meta").parameters()
        )
        yours = ask(answer, sizes)
        if isinstance(yours, str):
            raise Wrong(
                f"for {sizes} you return the string {yours!r}; return the count as a number"
            )
        if isinstance(yours, torch.Tensor) and yours.numel() == 1:
            yours = yours.item()
        if isinstance(yours, bool) or not isinstance(yours, numbers.Real):
            raise Wrong(f"return the count as a number (an int), got {kind(yours)}")
        weights = sum(a * b for a, b in pairs)
        if yours == right:
            continue
        if yours == weights:
            raise Wrong(
                f"for {sizes} you count {yours}, the weights only; each layer also has one "
                "bias per unit"
            )
        if yours == weights + sum(a for a, _ in pairs):
            raise Wrong(
                f"for {sizes} you count {yours}: a bias per input instead of per output unit; "
                "nn.Linear(n_in, n_out) has n_out biases"
            )
        raise Wrong(f"for {sizes} you count {yours}, nn.Linear layers have {right}")
    return (
        "Right for (784, 128, 64, 10), (2, 3, 1) and (10, 10): 109,386 for the first."
    )


# MNIST ------------------------------------------------------------------------------------------------


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
