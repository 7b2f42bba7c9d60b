"""Each checker of `snippets.exercises` rejects the typical wrong answers with the message meant for them,
accepts the right answers on other data too, and answers anything (a wrong type, a crash) with a message.

The pages' solutions are run by `test_pages`, which compares their "right." line; RIGHT below holds the
same solutions, to run each checker on more seeds and shapes.
"""

import pytest
import torch
from torch import nn

from snippets.activations import dead_units
from snippets.exercises import CHECKERS, Wrong, check, relu_forward


def verdict(capsys, exercise, *answer) -> str:
    check(exercise, *answer)
    return capsys.readouterr().out


# The right answers: the pages' solutions -----------------------------------------------------------------


def mae_gradients(x, y, w, b):
    sign = torch.sign(w * x + b - y)
    return (sign * x).mean(), sign.mean()


def bce(p, y):
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


def sigmoid_derivative(x):
    s = torch.sigmoid(x)
    return s * (1 - s)


def my_softmax(z):
    e = torch.exp(z - z.amax(dim=1, keepdim=True))
    return e / e.sum(dim=1, keepdim=True)


def my_cross_entropy(logits, target, ignore_index=-100):
    kept = target != ignore_index
    logits, target = logits[kept], target[kept]
    log_p = logits.gather(1, target.unsqueeze(1)).squeeze(1) - logits.logsumexp(dim=1)
    return -log_p.mean()


def huber(prediction, target, delta):
    r = (prediction - target).abs()
    return torch.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta)).mean()


def relu_backward(X, Y, params, cache):
    m = X.shape[1]
    dZ2 = cache["A2"] - Y
    dZ1 = params["W2"].T @ dZ2 * (cache["Z1"] > 0)
    return {
        "dW2": dZ2 @ cache["A1"].T / m,
        "db2": dZ2.sum(dim=1, keepdim=True) / m,
        "dW1": dZ1 @ X.T / m,
        "db1": dZ1.sum(dim=1, keepdim=True) / m,
    }


def count_parameters(sizes):
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def folds(n, k, seed):
    parts = torch.randperm(
        n, generator=torch.Generator().manual_seed(seed)
    ).tensor_split(k)
    return [
        (torch.cat(parts[:i] + parts[i + 1 :]), part) for i, part in enumerate(parts)
    ]


RIGHT = {
    "mae-gradients": mae_gradients,
    "bce": bce,
    "sigmoid-derivative": sigmoid_derivative,
    "softmax": my_softmax,
    "cross-entropy": my_cross_entropy,
    "huber": huber,
    "relu-backward": relu_backward,
    "count-parameters": count_parameters,
    "folds": folds,
}  # every checker whose answer is a function


def data(exercise: str, seed: int) -> dict:
    """Other data for a checker: a seed and random shapes, never square."""
    generator = torch.Generator().manual_seed(seed)
    a, b, c = (
        torch.randperm(7, generator=generator)[:3] + 2
    ).tolist()  # distinct, 2 to 8
    return {"seed": seed} | {
        "mae-gradients": {"n": 4 * a},
        "bce": {"shape": (a, b)},
        "sigmoid-derivative": {"shape": (a, b)},
        "softmax": {"shapes": ((a, b), (b, a), (2, c))},
        "cross-entropy": {"n": 2 * a, "classes": b},
        "huber": {"shape": (a, b)},
        "relu-backward": {"sizes": (a, b, c)},
    }.get(exercise, {})


@pytest.mark.parametrize("seed", [0, 5, 11])
@pytest.mark.parametrize("exercise", RIGHT)
def test_the_right_answer_is_right_on_other_seeds_and_shapes(exercise, seed):
    CHECKERS[exercise](RIGHT[exercise], **data(exercise, seed))  # raises Wrong if not


def test_every_function_checker_is_run_on_other_data():
    function_checkers = set(CHECKERS) - {"nand", "dying-relu", "budget"}
    assert set(RIGHT) == function_checkers


@pytest.mark.parametrize(
    "exercise, answer",
    [
        ("mae-gradients", lambda *args: [g.item() for g in mae_gradients(*args)]),
        ("nand", (torch.tensor([[-2.0, -2.0]]), torch.tensor([3.0]))),  # nn.Linear's
        ("nand", ([-2.0, -2.0], 3)),
        ("nand", ((-2, -2), torch.tensor(3.0))),
        ("nand", (nn.Parameter(torch.tensor([-2.0, -2.0])), 3.0)),
        ("bce", lambda p, y: bce(p, y).item()),
        ("softmax", lambda z: torch.softmax(z, dim=-1)),
        (
            "softmax",
            lambda z: (e := (z - z.amax(1)[:, None]).exp()) / e.sum(1)[:, None],
        ),
        ("count-parameters", lambda sizes: torch.tensor(count_parameters(sizes))),
        ("folds", lambda n, k, seed: tuple(folds(n, k, seed))),
        ("folds", lambda n, k, seed: iter(folds(n, k, seed))),
    ],
)
def test_other_forms_of_a_right_answer_are_right(capsys, exercise, answer):
    answer = answer if isinstance(answer, tuple) else (answer,)
    printed = verdict(capsys, exercise, *answer)
    assert printed.startswith(f"{exercise}: right. "), printed


# Wrong answers ---------------------------------------------------------------------------------------


def mae_forgot_sign(x, y, w, b):
    error = w * x + b - y
    return (error * x).mean(), error.mean()


def mae_squared_error(x, y, w, b):  # the page's line_gradients
    error = w * x + b - y
    return 2 * (error * x).mean(), 2 * error.mean()


def mae_wrong_sign(x, y, w, b):
    sign = torch.sign(y - w * x - b)
    return (sign * x).mean(), sign.mean()


def mae_not_averaged(x, y, w, b):
    sign = torch.sign(w * x + b - y)
    return sign * x, sign.mean()


def mae_summed(x, y, w, b):
    sign = torch.sign(w * x + b - y)
    return (sign * x).sum(), sign.sum()


def bce_terms(p, y):
    return -(y * p.log() + (1 - y) * (1 - p).log())


def sigmoid_times_one_plus(x):
    return torch.sigmoid(x) * (1 + torch.sigmoid(x))


def softmax_unstable(z):
    return z.exp() / z.exp().sum(dim=1, keepdim=True)


def softmax_without_keepdim(z):
    e = torch.exp(z - z.amax(dim=1, keepdim=True))
    return e / e.sum(dim=1)


def softmax_global_max(z):
    e = torch.exp(z - z.amax())
    return e / e.sum(dim=1, keepdim=True)


def softmax_over_columns(z):
    return torch.softmax(z - z.amax(), dim=0)


def cross_entropy_over_all(logits, target, ignore_index):
    kept = target != ignore_index
    losses = torch.logsumexp(logits[kept], 1) - logits[kept, target[kept]]
    return losses.sum() / len(target)


def cross_entropy_negated(logits, target, ignore_index):
    kept = target != ignore_index
    return (logits[kept, target[kept]] - torch.logsumexp(logits[kept], 1)).mean()


def cross_entropy_unfiltered(logits, target, ignore_index):
    losses = torch.logsumexp(logits, 1) - logits[torch.arange(len(target)), target]
    return losses[target != ignore_index].mean()


def cross_entropy_unfiltered_gather(logits, target, ignore_index):
    log_p = logits.gather(1, target.unsqueeze(1)).squeeze(1) - logits.logsumexp(dim=1)
    return -log_p[target != ignore_index].mean()


def cross_entropy_per_example(logits, target, ignore_index):
    kept = target != ignore_index
    return torch.logsumexp(logits[kept], 1) - logits[kept, target[kept]]


def cross_entropy_summed(logits, target, ignore_index):
    return (
        my_cross_entropy(logits, target, ignore_index) * (target != ignore_index).sum()
    )


def cross_entropy_minus_100(logits, target, ignore_index):
    return my_cross_entropy(logits, target, -100)


def huber_as_smooth_l1(prediction, target, delta):
    return nn.SmoothL1Loss(beta=delta)(prediction, target)


def huber_without_half(prediction, target, delta):
    r = (prediction - target).abs()
    return torch.where(r <= delta, r**2, delta * (2 * r - delta)).mean()


def huber_terms(prediction, target, delta):
    r = (prediction - target).abs()
    return torch.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta))


def relu_backward_with(hidden_derivative):
    def backward(X, Y, params, cache):
        m = X.shape[1]
        dZ2 = cache["A2"] - Y
        dZ1 = params["W2"].T @ dZ2 * hidden_derivative(cache)
        return {
            "dW2": dZ2 @ cache["A1"].T / m,
            "db2": dZ2.mean(dim=1, keepdim=True),
            "dW1": dZ1 @ X.T / m,
            "db1": dZ1.mean(dim=1, keepdim=True),
        }

    return backward


def relu_backward_changed(change):
    def backward(*args):
        return change(relu_backward(*args), args[0].shape[1])

    return backward


def folds_overlapping(n, k, seed):
    index = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    size = n // k + 1
    return [(index, index[i * size : (i + 2) * size]) for i in range(k)]


def folds_uneven(n, k, seed):
    index = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    cuts = [0] + [n // k] * (k - 1)
    bounds = torch.tensor(cuts).cumsum(0).tolist() + [n]
    return [
        (torch.cat([index[:a], index[b:]]), index[a:b])
        for a, b in zip(bounds[:-1], bounds[1:])
    ]


def folds_too_few(n, k, seed):
    index = torch.arange(n)
    return [(index[n // 2 :], index[: n // 2]), (index[: n // 2], index[n // 2 :])]


def folds_by_chunk(n, k, seed):
    parts = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).chunk(
        k
    )  # 10 in 4: 3, 3, 3, 1
    return [
        (torch.cat(parts[:i] + parts[i + 1 :]), part) for i, part in enumerate(parts)
    ]


def folds_of(permutation):
    def split(n, k, seed):
        parts = permutation(n, seed).tensor_split(k)
        return [
            (torch.cat(parts[:i] + parts[i + 1 :]), part)
            for i, part in enumerate(parts)
        ]

    return split


def mlp(*sizes):
    layers = [nn.Linear(n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    return nn.Sequential(nn.Flatten(), *layers)


WRONG = {  # mistake: (exercise, answer, what the message must say)
    "mae: error instead of its sign": (
        "mae-gradients",
        mae_forgot_sign,
        "uses the error itself; the derivative of |e| is sign(e)",
    ),
    "mae: the squared error's gradient": (
        "mae-gradients",
        mae_squared_error,
        "the squared error's gradient, copied from the page",
    ),
    "mae: wrong sign": (
        "mae-gradients",
        mae_wrong_sign,
        "wrong sign: descent would climb",
    ),
    "mae: not averaged (shape)": (
        "mae-gradients",
        mae_not_averaged,
        "dL/dw has shape (30,), expected (): one value per point",
    ),
    "mae: a sum": (
        "mae-gradients",
        mae_summed,
        "sum over the 30 points, not their mean",
    ),
    "mae: twice": (
        "mae-gradients",
        lambda *args: tuple(2 * g for g in mae_gradients(*args)),
        "dL/dw is twice the right one",
    ),
    "mae: swapped": (
        "mae-gradients",
        lambda *args: mae_gradients(*args)[::-1],
        "swapped: return dL/dw first",
    ),
    "mae: one value": (
        "mae-gradients",
        lambda *args: mae_gradients(*args)[0],
        "one value (a Tensor) instead of two",
    ),
    "mae: three values": (
        "mae-gradients",
        lambda *args: (*mae_gradients(*args), 0.0),
        "you returned 3 values; return two",
    ),
    "nand: weights of AND": ("nand", ([1.0, 1.0], -1.5), "computes AND"),
    "nand: weights of OR": ("nand", ([1.0, 1.0], -0.5), "wrong on [[0, 0], [1, 1]]"),
    "nand: three weights": (
        "nand",
        ([1.0, 1.0, 1.0], 1.0),
        "two weights, one per input, got shape (3,)",
    ),
    "nand: a bias per input": (
        "nand",
        ([-2.0, -2.0], [3.0, 3.0]),
        "b should be one number",
    ),
    "nand: no weights": ("nand", (None, 3.0), "w should be numbers, got None"),
    "bce: minus sign dropped": (
        "bce",
        lambda p, y: -bce_terms(p, y).mean(),
        "negative of BCE",
    ),
    "bce: summed": ("bce", lambda p, y: bce_terms(p, y).sum(), "sum over the examples"),
    "bce: y = 0 term missing": (
        "bce",
        lambda p, y: -(y * p.log()).mean(),
        "only the y log p term",
    ),
    "bce: y = 1 term missing": (
        "bce",
        lambda p, y: -((1 - y) * (1 - p).log()).mean(),
        "only the (1 - y) log(1 - p) term",
    ),
    "bce: per-element, not reduced": (
        "bce",
        bce_terms,
        "loss has shape (6, 3), expected (): one value per element",
    ),
    "bce: rounded to an integer": (
        "bce",
        lambda p, y: bce_terms(p, y).mean().long(),
        "dtype torch.int64",
    ),
    "bce: nn.BCELoss": (
        "bce",
        lambda p, y: nn.BCELoss()(p, y),
        "write the formula yourself; nn.BCELoss is what we compare against",
    ),
    "bce: F.binary_cross_entropy, as a float": (
        "bce",
        lambda p, y: nn.functional.binary_cross_entropy(p, y).item(),
        "write the formula yourself",
    ),
    "sigmoid': 1 + sigma": (
        "sigmoid-derivative",
        sigmoid_times_one_plus,
        "σ(x)(1 − σ(x))",
    ),
    "sigmoid': sigma itself": (
        "sigmoid-derivative",
        torch.sigmoid,
        "returned σ(x) itself",
    ),
    "sigmoid': x (1 - x)": (
        "sigmoid-derivative",
        lambda x: x * (1 - x),
        "your derivative is x(1 − x); the formula is in σ(x)",
    ),
    "sigmoid': twice": (
        "sigmoid-derivative",
        lambda x: 2 * sigmoid_derivative(x),
        "derivative is twice the right one",
    ),
    "sigmoid': tanh's, where it differs most": (
        "sigmoid-derivative",
        lambda x: 1 - torch.tanh(x) ** 2,
        "differs from the right one by 0.75 at x = 0. At x = 0 it should be 0.25",
    ),
    "softmax: exp overflows": (
        "softmax",
        softmax_unstable,
        "nan in row 1, whose scores are near 1000: exp(1000) overflows",
    ),
    "softmax: the batch's maximum subtracted": (
        "softmax",
        softmax_global_max,
        "nan in rows [0, 2, 3], not in row 1",
    ),
    "softmax: sum without keepdim": (
        "softmax",
        softmax_without_keepdim,
        "sum(dim=1) (or amax(dim=1)) without keepdim=True",
    ),
    "softmax: amax without keepdim": (
        "softmax",
        lambda z: torch.softmax(z - z.amax(dim=1), dim=1),
        "on a 4 × 3 batch your softmax fails",
    ),
    "softmax: over columns": (
        "softmax",
        softmax_over_columns,
        "normalises each column (dim=0)",
    ),
    "dying relu: rate too small": (
        "dying-relu",
        0.001,
        "of the ReLU units died; try a larger learning rate",
    ),
    "dying relu: diverged": ("dying-relu", 1e300, "training diverged (inf or nan)"),
    "dying relu: a string": ("dying-relu", "0.1", "lr should be a number"),
    "dying relu: negative": ("dying-relu", -0.1, "a positive learning rate"),
    "ce: ignored examples in the mean": (
        "cross-entropy",
        cross_entropy_over_all,
        "divide by all 8",
    ),
    "ce: minus sign": ("cross-entropy", cross_entropy_negated, "wrong sign"),
    "ce: ignored targets used as indices": (
        "cross-entropy",
        cross_entropy_unfiltered,
        "drop the examples whose target equals ignore_index before indexing",
    ),
    "ce: ignored targets gathered": (
        "cross-entropy",
        cross_entropy_unfiltered_gather,
        "fails on the examples whose target is ignore_index (-100)",
    ),
    "ce: a sum": (
        "cross-entropy",
        cross_entropy_summed,
        "sum over the 6 kept examples, not their mean",
    ),
    "ce: not reduced": (
        "cross-entropy",
        cross_entropy_per_example,
        "one value per kept example",
    ),
    "ce: -100 instead of ignore_index": (
        "cross-entropy",
        cross_entropy_minus_100,
        "compare the target with the ignore_index argument",
    ),
    "huber: SmoothL1Loss": ("huber", huber_as_smooth_l1, "that is SmoothL1Loss"),
    "huber: squared error": (
        "huber",
        lambda p, t, delta: ((p - t) ** 2).mean(),
        "loss for delta = 2.5 differs from the right one by 2.89. Quadratic inside",
    ),
    "huber: without the halves": ("huber", huber_without_half, "twice Huber's"),
    "huber: a sum": (
        "huber",
        lambda *args: huber_terms(*args).sum(),
        "sum over the 81 elements, not their mean",
    ),
    "huber: not reduced": (
        "huber",
        huber_terms,
        "(81,), one value per element: no reduction",
    ),
    "huber: delta ignored": (
        "huber",
        lambda p, t, delta: huber(p, t, 1.0),
        "Huber's for delta = 1, not for delta = 2.5: use the delta argument",
    ),
    "relu backward: tanh's derivative": (
        "relu-backward",
        relu_backward_with(lambda cache: 1 - cache["A1"] ** 2),
        "uses tanh's derivative",
    ),
    "relu backward: no derivative": (
        "relu-backward",
        relu_backward_with(lambda cache: 1),
        "leaves out",
    ),
    "relu backward: derivative of Z1, not of relu": (
        "relu-backward",
        relu_backward_with(lambda cache: cache["Z1"]),
        "Did you multiply by the derivative of the hidden activation?",
    ),
    "relu backward: a list": (
        "relu-backward",
        lambda *args: [0, 0, 0, 0],
        'keys "dW1", "db1"',
    ),
    "relu backward: keys missing": (
        "relu-backward",
        relu_backward_changed(lambda g, m: {"dW1": g["dW1"], "dW2": g["dW2"]}),
        'yours lacks "db1", "db2"',
    ),
    "relu backward: no 1/m": (
        "relu-backward",
        relu_backward_changed(
            lambda g, m: {name: m * grad for name, grad in g.items()}
        ),
        "your dW2 is a sum over the examples, not the mean: you forgot the 1/m",
    ),
    "relu backward: dW1 and dW2 swapped": (
        "relu-backward",
        relu_backward_changed(lambda g, m: g | {"dW1": g["dW2"], "dW2": g["dW1"]}),
        "your dW2 is dW1: dW1 and dW2 are swapped",
    ),
    "relu backward: W1 and W2 mixed up, transposed": (
        "relu-backward",
        relu_backward_changed(lambda g, m: g | {"dW1": g["dW2"].T, "dW2": g["dW1"].T}),
        "your dW2 is dW1, transposed",
    ),
    "relu backward: dW1 transposed": (
        "relu-backward",
        relu_backward_changed(lambda g, m: g | {"dW1": g["dW1"].T}),
        "your dW1 is transposed: it should have the shape of W1, (5, 3)",
    ),
    "relu backward: twice": (
        "relu-backward",
        relu_backward_changed(
            lambda g, m: {name: 2 * grad for name, grad in g.items()}
        ),
        "your dW2 is twice the right one",
    ),
    "parameters: no biases": (
        "count-parameters",
        lambda s: sum(a * b for a, b in zip(s, s[1:])),
        "weights only",
    ),
    "parameters: one bias too many": (
        "count-parameters",
        lambda s: sum(a * b + b for a, b in zip(s, s[1:])) + 1,
        "nn.Linear layers have 109386",
    ),
    "parameters: a bias per input": (
        "count-parameters",
        lambda s: sum(a * b + a for a, b in zip(s, s[1:])),
        "a bias per input instead of per output unit",
    ),
    "parameters: a string": (
        "count-parameters",
        lambda s: f"{count_parameters(s):,}",
        "you return the string '109,386'; return the count as a number",
    ),
    "parameters: the count, not the function": (
        "count-parameters",
        109386,
        "should be your function (its name, not a call), got an int",
    ),
    "folds: validation parts overlap": (
        "folds",
        folds_overlapping,
        "in both its training and its validation",
    ),
    "folds: uneven sizes": ("folds", folds_uneven, "as equal as possible"),
    "folds: chunk, uneven for 10 in 4": (
        "folds",
        folds_by_chunk,
        "sizes [1, 3, 3, 3]; make them as equal",
    ),
    "folds: two folds for five": (
        "folds",
        folds_too_few,
        "returned 2 pairs; k-fold needs k",
    ),
    "folds: not shuffled": (
        "folds",
        folds_of(lambda n, seed: torch.arange(n)),
        "blocks of consecutive indices, not shuffled",
    ),
    "folds: the seed ignored": (
        "folds",
        folds_of(
            lambda n, seed: torch.randperm(
                n, generator=torch.Generator().manual_seed(0)
            )
        ),
        "seeds 0 and 1 give the same folds: your function ignores its seed",
    ),
    "folds: the global random state": (
        "folds",
        folds_of(lambda n, seed: torch.randperm(n)),
        "two calls with seed 0 gave different folds",
    ),
    "folds: (val, train) pairs": (
        "folds",
        lambda *args: [(val, train) for train, val in folds(*args)],
        "each pair is (train_index, val_index), in that order; yours look swapped",
    ),
    "folds: lists of indices": (
        "folds",
        lambda *args: [(train.tolist(), val.tolist()) for train, val in folds(*args)],
        "fold 0's train_index is a list; make it a tensor of indices",
    ),
    "folds: float indices": (
        "folds",
        lambda *args: [(train.float(), val.float()) for train, val in folds(*args)],
        "should be a 1-D tensor of integer indices, got torch.float32",
    ),
    "budget: too many parameters": (
        "budget",
        mlp(784, 64, 10),
        "50,890 parameters; the budget is 50,000",
    ),
    "budget: untrained": (
        "budget",
        mlp(784, 32, 10),
        "of the validation images right, with 25,450 parameters",
    ),
    "budget: fit's (model, history)": (
        "budget",
        ((mlp(784, 32, 10), {"loss": [1.0]}),),
        "you passed a tuple, such as fit's (model, history); pass the model alone",
    ),
}


@pytest.mark.parametrize("mistake", WRONG)
def test_a_wrong_answer_gets_the_message_meant_for_it(capsys, mistake):
    exercise, answer, message = WRONG[mistake]
    answer = answer if isinstance(answer, tuple) else (answer,)
    printed = verdict(capsys, exercise, *answer)
    assert printed.startswith(f"{exercise}: not yet. "), printed
    assert message in printed, printed


def test_every_checker_has_a_wrong_answer_tested():
    assert {exercise for exercise, _, _ in WRONG.values()} == set(CHECKERS)


def test_each_mistake_has_its_own_message():
    messages = [message for _, _, message in WRONG.values()]
    assert len(set(messages)) == len(messages)


def test_a_dw1_off_by_a_factor_says_where_and_by_how_much(capsys):
    def backward(X, Y, params, cache):
        grads = relu_backward(X, Y, params, cache)
        grads["dW1"][2, 1] += 0.31
        return grads

    printed = verdict(capsys, "relu-backward", backward)
    assert "your dW1 differs from the right one by 0.31 at [2, 1]" in printed, printed


def test_a_nan_is_named_where_it_is(capsys):
    def derivative(x):
        d = sigmoid_derivative(x)
        return torch.where(x == x.max(), torch.nan, d)

    printed = verdict(capsys, "sigmoid-derivative", derivative)
    assert "your derivative is nan at x = 6." in printed, printed


# Anything gets a message, never a traceback ------------------------------------------------------------


def answers_of(exercise: str, value) -> tuple:
    return (value, value) if exercise == "nand" else (value,)


@pytest.mark.parametrize("value", [None, "text", [1.0, 2.0]], ids=repr)
@pytest.mark.parametrize("exercise", CHECKERS)
def test_an_answer_of_a_wrong_type_gets_a_message(capsys, exercise, value):
    printed = verdict(capsys, exercise, *answers_of(exercise, value))
    assert printed.startswith(f"{exercise}: not yet. "), printed
    assert "could not check" not in printed, printed  # a message meant for it


@pytest.mark.parametrize(
    "value",
    [
        None,
        "text",
        [1.0, 2.0],
        3,
        (1, 2, 3),
        {"dW1": 1},
        torch.ones(2, 2, dtype=torch.int64),
    ],
    ids=repr,
)
@pytest.mark.parametrize("exercise", RIGHT)
def test_a_function_returning_a_wrong_type_gets_a_message(capsys, exercise, value):
    printed = verdict(capsys, exercise, lambda *args: value)
    assert printed.startswith(f"{exercise}: not yet. "), printed
    assert "could not check" not in printed, printed


@pytest.mark.parametrize("exercise", RIGHT)
def test_a_function_that_raises_gets_a_message(capsys, exercise):
    def answer(*args):
        return args[0] / "zero"

    printed = verdict(capsys, exercise, answer)
    assert printed.startswith(
        f"{exercise}: not yet. your function raised TypeError: "
    ), printed


@pytest.mark.parametrize(
    "exercise, answer",
    [("nand", ([-2.0, -2.0],)), ("softmax", (my_softmax, my_softmax)), ("budget", ())],
)
def test_the_wrong_number_of_answers_gets_a_message(capsys, exercise, answer):
    printed = verdict(capsys, exercise, *answer)
    assert printed.startswith(f"{exercise}: not yet. call check({exercise!r}, "), (
        printed
    )


def test_a_checker_that_fails_unexpectedly_still_prints_a_message(capsys, monkeypatch):
    def broken(answer):
        raise KeyError("oops")

    monkeypatch.setitem(CHECKERS, "bce", broken)
    printed = verdict(capsys, "bce", bce)
    assert (
        printed
        == "bce: not yet. The checker could not check your answer (KeyError: 'oops')\n"
    )


@pytest.mark.parametrize(
    "exercise, answer",
    [
        ("mae-gradients", (lambda x, y, w, b: (..., ...),)),
        ("nand", (..., ...)),
        ("bce", (lambda p, y: ...,)),
        ("dying-relu", (...,)),
        ("relu-backward", (lambda *args: ...,)),
        ("budget", (...,)),
    ],
)
def test_a_blank_left_as_dots_is_not_answered_yet(capsys, exercise, answer):
    printed = verdict(capsys, exercise, *answer)
    assert (
        printed
        == f"{exercise}: not answered yet; replace each ... with your answer and run the cell again\n"
    )


def test_an_unknown_exercise_names_the_known_ones():
    with pytest.raises(
        ValueError,
        match="there is no exercise 'nandd'; the exercises are mae-gradients, nand",
    ):
        check("nandd", [1, 1], 1)


def test_a_checker_refuses_with_wrong_not_with_a_traceback():
    with pytest.raises(Wrong, match="your softmax normalises each column"):
        CHECKERS["softmax"](softmax_over_columns, seed=3, shapes=((3, 6),))


# What the checkers rely on ---------------------------------------------------------------------------


def test_a_live_unit_with_zero_gradient_is_not_dead_but_one_negative_everywhere_is():
    """dying-relu counts dead units by the forward test: a unit whose outgoing weights are 0 gets zero
    gradient, yet it is alive; a unit whose pre-activation is <= 0 on every example is dead."""
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)).double()
    X = torch.randn(50, 2, dtype=torch.float64)
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]))
        model[0].bias.copy_(torch.tensor([10.0, 10.0, -1.0]))  # unit 2: always -1
        model[2].weight[0, 0] = 0.0  # unit 0: alive, but no gradient reaches it
    model(X).sum().backward()
    assert (model[0].weight.grad[0] == 0).all()
    assert dead_units(model, X)[0].tolist() == [False, False, True]


def test_relu_forward_is_the_mlp_chapters_network_with_relu():
    X = torch.randn(3, 4)
    params = {
        "W1": torch.randn(5, 3),
        "b1": torch.randn(5, 1),
        "W2": torch.randn(1, 5),
        "b2": torch.randn(1, 1),
    }
    cache = relu_forward(X, params)
    assert (cache["A1"] >= 0).all() and torch.equal(
        cache["A1"], cache["Z1"].clamp(min=0)
    )
    assert torch.allclose(
        cache["A2"], torch.sigmoid(params["W2"] @ cache["A1"] + params["b2"])
    )


def test_the_losses_quiz_softmax_before_cross_entropy_floor():
    """The quiz's answer: a 3-class model ending in softmax can never take CrossEntropyLoss below 0.551."""
    best = torch.softmax(
        torch.tensor([[60.0, -60.0, -60.0]], dtype=torch.float64), dim=1
    )  # (1, 0, 0)
    floor = nn.CrossEntropyLoss()(best, torch.tensor([0]))
    assert torch.isclose(
        floor, torch.log1p(torch.tensor(2 / torch.e, dtype=torch.float64))
    )
    assert (
        f"{floor:.3f}" == "0.551" and f"{torch.log(torch.tensor(3.0)):.3f}" == "1.099"
    )
