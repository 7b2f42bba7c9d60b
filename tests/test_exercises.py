"""Each checker of `snippets.exercises` rejects the typical wrong answers with the message meant for them.

The right answers are the solutions on the pages: `test_pages` runs them and compares their "right." line.
"""

import pytest
import torch
from torch import nn

from snippets.exercises import CHECKERS, check, relu_forward


def verdict(capsys, exercise, *answer) -> str:
    check(exercise, *answer)
    return capsys.readouterr().out


def mae_forgot_sign(x, y, w, b):
    error = w * x + b - y
    return (error * x).mean(), error.mean()


def mae_wrong_sign(x, y, w, b):
    sign = torch.sign(y - w * x - b)
    return (sign * x).mean(), sign.mean()


def mae_not_averaged(x, y, w, b):
    sign = torch.sign(w * x + b - y)
    return sign * x, sign.mean()


def bce_terms(p, y):
    return -(y * p.log() + (1 - y) * (1 - p).log())


def sigmoid_times_one_plus(x):
    return torch.sigmoid(x) * (1 + torch.sigmoid(x))


def softmax_unstable(z):
    return z.exp() / z.exp().sum(dim=1, keepdim=True)


def softmax_over_columns(z):
    return torch.softmax(z - z.amax(), dim=0)


def cross_entropy_over_all(logits, target, ignore_index):
    kept = target != ignore_index
    losses = torch.logsumexp(logits[kept], 1) - logits[kept, target[kept]]
    return losses.sum() / len(target)


def cross_entropy_negated(logits, target, ignore_index):
    kept = target != ignore_index
    return (logits[kept, target[kept]] - torch.logsumexp(logits[kept], 1)).mean()


def huber_as_smooth_l1(prediction, target, delta):
    return nn.SmoothL1Loss(beta=delta)(prediction, target)


def huber_without_half(prediction, target, delta):
    r = (prediction - target).abs()
    return torch.where(r <= delta, r**2, delta * (2 * r - delta)).mean()


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


def folds_overlapping(n, k, seed):
    index = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    size = n // k + 1
    return [(index, index[i * size : (i + 2) * size]) for i in range(k)]


def folds_uneven(n, k, seed):
    index = torch.arange(n)
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


def mlp(*sizes):
    layers = [nn.Linear(n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    return nn.Sequential(nn.Flatten(), *layers)


WRONG = {  # mistake: (exercise, answer, what the message must say)
    "mae: error instead of its sign": (
        "mae-gradients",
        mae_forgot_sign,
        "derivative of |e| is sign(e)",
    ),
    "mae: wrong sign": (
        "mae-gradients",
        mae_wrong_sign,
        "wrong sign: descent would climb",
    ),
    "mae: not averaged (shape)": (
        "mae-gradients",
        mae_not_averaged,
        "dL/dw has shape (30,), expected ()",
    ),
    "nand: weights of AND": ("nand", ([1.0, 1.0], -1.5), "computes AND"),
    "nand: weights of OR": ("nand", ([1.0, 1.0], -0.5), "wrong on [[0, 0], [1, 1]]"),
    "nand: three weights": (
        "nand",
        ([1.0, 1.0, 1.0], 1.0),
        "two weights, one per input, got shape (3,)",
    ),
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
    "bce: per-element, not reduced": (
        "bce",
        bce_terms,
        "loss has shape (6, 3), expected ()",
    ),
    "bce: rounded to an integer": (
        "bce",
        lambda p, y: bce_terms(p, y).mean().long(),
        "dtype torch.int64",
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
    "sigmoid': tanh's": (
        "sigmoid-derivative",
        lambda x: 1 - torch.tanh(x) ** 2,
        "At x = 0 it should be 0.25",
    ),
    "softmax: exp overflows": ("softmax", softmax_unstable, "exp(1000) overflows"),
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
    "ce: ignored examples in the mean": (
        "cross-entropy",
        cross_entropy_over_all,
        "divide by all 8",
    ),
    "ce: minus sign": ("cross-entropy", cross_entropy_negated, "wrong sign"),
    "huber: SmoothL1Loss": ("huber", huber_as_smooth_l1, "that is SmoothL1Loss"),
    "huber: squared error": (
        "huber",
        lambda p, t, delta: ((p - t) ** 2).mean(),
        "Quadratic inside",
    ),
    "huber: without the halves": ("huber", huber_without_half, "twice Huber's"),
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


def test_a_dw1_off_by_a_factor_says_where_and_by_how_much(capsys):
    def backward(X, Y, params, cache):
        grads = relu_backward_with(lambda cache: (cache["Z1"] > 0).double())(
            X, Y, params, cache
        )
        grads["dW1"][2, 1] += 0.31
        return grads

    printed = verdict(capsys, "relu-backward", backward)
    assert "your dW1 differs from the right one by 0.31 at [2, 1]" in printed, printed


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
