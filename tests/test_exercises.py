"""Each checker of `snippets.exercises` rejects the typical wrong answers with the message meant for them,
accepts the right answers on other data too, and answers anything (a wrong type, a crash) with a message.

The pages' solutions are run by `test_pages`, which compares their "right." line; RIGHT below holds the
same solutions, to run each checker on more seeds and shapes.
"""

import math

import numpy as np
import pytest
import torch
from torch import nn

from snippets import mnist_data
from snippets.activations import dead_units
from snippets.activations import softmax as page_softmax
from snippets.exercises import CHECKERS, Wrong, check, relu_forward
from snippets.exercises_gradient_descent import sgd_step
from snippets.exercises_mlp import linear_output_forward
from snippets.mnist import pixel_stats, split, to_inputs
from snippets.perceptron import GATE_INPUTS, rosenblatt


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


def max_lr(x):
    mean, square = x.mean(), (x**2).mean()
    hessian = 2 * torch.stack(
        [torch.stack([square, mean]), torch.stack([mean, torch.ones_like(mean)])]
    )
    return 2 / torch.linalg.eigvalsh(hessian)[-1]  # eigvalsh sorts them: the largest


def momentum_step(param, grad, velocity, lr, beta):
    velocity = beta * velocity + grad
    return param - lr * velocity, velocity


def bce_logit_gradient(z, y):
    return (torch.sigmoid(z) - y) / z.numel()


def tanh_derivative(x):
    return 1 - torch.tanh(x) ** 2


def silu_derivative(x):
    s = torch.sigmoid(x)
    return s * (1 + x * (1 - s))


def smoothed_cross_entropy(logits, target, eps):
    classes = logits.shape[1]
    soft = (1 - eps) * nn.functional.one_hot(target, classes) + eps / classes
    return -(soft * logits.log_softmax(dim=1)).sum(dim=1).mean()


def pos_weight_bce(logits, y, pos_weight):
    log_sigmoid = nn.functional.logsigmoid
    return -(
        pos_weight * y * log_sigmoid(logits) + (1 - y) * log_sigmoid(-logits)
    ).mean()


def mse_output_backward(X, Y, params, cache):
    m = X.shape[1]
    dZ2 = 2 * (cache["A2"] - Y)  # each example's d(A2 - Y)²/dZ2; A2 = Z2
    dZ1 = params["W2"].T @ dZ2 * (1 - cache["A1"] ** 2)
    return {
        "dW2": dZ2 @ cache["A1"].T / m,
        "db2": dZ2.sum(dim=1, keepdim=True) / m,
        "dW1": dZ1 @ X.T / m,
        "db1": dZ1.sum(dim=1, keepdim=True) / m,
    }


def top_k(logits, labels, k):
    best = logits.topk(k, dim=1).indices  # (n, k)
    return (best == labels.unsqueeze(1)).any(dim=1).float().mean()


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
    "max-lr": max_lr,
    "momentum-step": momentum_step,
    "bce-logit-gradient": bce_logit_gradient,
    "tanh-derivative": tanh_derivative,
    "silu-derivative": silu_derivative,
    "label-smoothing": smoothed_cross_entropy,
    "pos-weight-bce": pos_weight_bce,
    "mse-output-backward": mse_output_backward,
    "top-k": top_k,
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
        "max-lr": {"n": 5 * a},
        "momentum-step": {"shapes": ((a,), (b, c))},
        "bce-logit-gradient": {"shape": (a, b)},
        "tanh-derivative": {"shape": (a, b)},
        "silu-derivative": {"shape": (a, b)},
        "label-smoothing": {"n": 2 * a, "classes": b},
        "pos-weight-bce": {"n": a, "classes": b},
        "mse-output-backward": {"sizes": (a, b, c)},
        "top-k": {"n": 10 * a + b},  # never 10: the logits are (n, 10)
    }.get(exercise, {})


@pytest.mark.parametrize("seed", [0, 5, 11])
@pytest.mark.parametrize("exercise", RIGHT)
def test_the_right_answer_is_right_on_other_seeds_and_shapes(exercise, seed):
    CHECKERS[exercise](RIGHT[exercise], **data(exercise, seed))  # raises Wrong if not


def test_every_function_checker_is_run_on_other_data():
    function_checkers = set(CHECKERS) - {
        "nand",
        "nor-rosenblatt",
        "dying-relu",
        "budget",
    }
    assert set(RIGHT) == function_checkers


def max_lr_closed_form(x):
    a, c = (
        2 * (x**2).mean().item(),
        2 * x.mean().item(),
    )  # the Hessian is [[a, c], [c, 2]]
    largest = (a + 2) / 2 + math.sqrt(((a - 2) / 2) ** 2 + c**2)
    return 2 / largest


def momentum_step_in_place(param, grad, velocity, lr, beta):
    velocity.mul_(beta).add_(grad)
    param.sub_(lr * velocity)
    return param, velocity


def bce_logit_gradient_by_autograd(z, y):
    z = z.clone().requires_grad_()
    nn.functional.binary_cross_entropy(torch.sigmoid(z), y).backward()
    return z.grad


def smoothed_from_cross_entropy(logits, target, eps):  # cross_entropy without smoothing
    uniform = -logits.log_softmax(dim=1).mean(dim=1).mean()
    return (1 - eps) * nn.functional.cross_entropy(logits, target) + eps * uniform


def pos_weight_bce_by_softplus(logits, y, pos_weight):
    softplus = nn.functional.softplus  # log(1 + e^x), stable: -log σ(z) = softplus(-z)
    return ((1 - y) * logits + (1 + (pos_weight - 1) * y) * softplus(-logits)).mean()


def top_k_over_the_transpose(logits, labels, k):  # (10, n): topk over dim=0 is right
    best = logits.T.topk(k, dim=0).indices  # (k, n)
    return (best == labels).any(dim=0).double().mean()


def top_k_by_argsort(logits, labels, k):
    ranked = logits.argsort(dim=1, descending=True)[:, :k]
    hits = sum(label in row for row, label in zip(ranked.tolist(), labels.tolist()))
    return hits / len(labels)


@pytest.mark.parametrize(
    "exercise, answer",
    [
        ("mae-gradients", lambda *args: [g.item() for g in mae_gradients(*args)]),
        ("nand", (torch.tensor([[-2.0, -2.0]]), torch.tensor([3.0]))),  # nn.Linear's
        ("nand", ([-2.0, -2.0], 3)),
        ("nand", ((-2, -2), torch.tensor(3.0))),
        ("nand", (nn.Parameter(torch.tensor([-2.0, -2.0])), 3.0)),
        ("bce", lambda p, y: bce(p, y).item()),
        (
            "softmax",
            lambda z: (e := (z - z.amax(1)[:, None]).exp()) / e.sum(1)[:, None],
        ),
        ("count-parameters", lambda sizes: torch.tensor(count_parameters(sizes))),
        ("folds", lambda n, k, seed: tuple(folds(n, k, seed))),
        ("folds", lambda n, k, seed: iter(folds(n, k, seed))),
        ("max-lr", lambda x: max_lr(x).item()),
        ("max-lr", max_lr_closed_form),
        ("momentum-step", lambda *args: list(momentum_step(*args))),
        ("momentum-step", momentum_step_in_place),
        ("nor-rosenblatt", (torch.tensor([[-1.0, -1.0]]), torch.tensor([1.0]))),
        ("nor-rosenblatt", ((-1, -1), 0.5)),
        ("nor-rosenblatt", ([-2.0, -2.0], 1)),
        (
            "tanh-derivative",
            lambda x: 4 * torch.sigmoid(2 * x) * (1 - torch.sigmoid(2 * x)),
        ),
        ("tanh-derivative", lambda x: 1 / torch.cosh(x) ** 2),
        (
            "silu-derivative",
            lambda x: torch.sigmoid(x) + x * sigmoid_derivative(x),
        ),
        ("label-smoothing", smoothed_from_cross_entropy),
        ("pos-weight-bce", pos_weight_bce_by_softplus),
        ("top-k", lambda *args: top_k(*args).item()),
        ("top-k", top_k_by_argsort),
        ("top-k", top_k_over_the_transpose),
    ],
)
def test_other_forms_of_a_right_answer_are_right(capsys, exercise, answer):
    answer = answer if isinstance(answer, tuple) else (answer,)
    printed = verdict(capsys, exercise, *answer)
    assert printed.startswith(f"{exercise}: right. "), printed


@pytest.mark.parametrize(
    "exercise, answer, confirmation",
    [
        (
            "max-lr",
            (max_lr,),
            "It is 2 / λmax for evenly spread x from 0 to 2 and for random x.",
        ),
        (
            "momentum-step",
            (momentum_step,),
            (
                "Your step equals torch.optim.SGD(momentum=beta)'s from a given velocity, on a "
                "vector and a matrix."
            ),
        ),
        (
            "nor-rosenblatt",
            rosenblatt(GATE_INPUTS, torch.tensor([1.0, 0.0, 0.0, 0.0]), epochs=6)[:2],
            "On (0,0), (0,1), (1,0), (1,1) your unit gives [1, 0, 0, 0]: NOR.",
        ),
        (
            "bce-logit-gradient",
            (bce_logit_gradient,),
            "It equals autograd's dL/dz of the mean BCE, in float64.",
        ),
        (
            "tanh-derivative",
            (tanh_derivative,),
            "It matches autograd's derivative from −5 to 5, with its maximum 1 at 0.",
        ),
        (
            "silu-derivative",
            (silu_derivative,),
            (
                "It matches autograd's derivative of F.silu from −6 to 6, its dip below 0 "
                "included."
            ),
        ),
        (
            "label-smoothing",
            (smoothed_cross_entropy,),
            "Your loss equals nn.CrossEntropyLoss(label_smoothing=eps) for eps 0.1 and 0.3.",
        ),
        (
            "pos-weight-bce",
            (pos_weight_bce,),
            (
                "Your loss equals nn.BCEWithLogitsLoss(pos_weight=...), logits of ±1000 "
                "included."
            ),
        ),
        (
            "mse-output-backward",
            (mse_output_backward,),
            "All four gradients of the squared error equal autograd's, in float64.",
        ),
        (
            "top-k",
            (top_k,),
            "Your fractions for k = 1 and k = 3 equal those of topk(k, dim=1).",
        ),
    ],
)
def test_a_readers_right_answer_gets_right_through_check(
    capsys, exercise, answer, confirmation
):
    assert verdict(capsys, exercise, *answer) == f"{exercise}: right. {confirmation}\n"


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
    e = torch.exp(z - z.amax())
    return e / e.sum(dim=0, keepdim=True)


def softmax_minus(shift):
    def softmax(z):
        e = torch.exp(z - shift(z))
        return e / e.sum(dim=1, keepdim=True)

    return softmax


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


def cross_entropy_keeping(keep):
    def loss(logits, target, ignore_index):
        kept = keep(target, ignore_index)
        logits, target = logits[kept], target[kept]
        return (
            logits.logsumexp(dim=1) - logits[torch.arange(len(target)), target]
        ).mean()

    return loss


def cross_entropy_logsumexp_of_all(logits, target, ignore_index):
    kept = target != ignore_index
    picked = logits[kept, target[kept]]
    return (logits.logsumexp(dim=1) - picked).mean()  # (8,) - (6,)


def cross_entropy_log_of_softmax(logits, target, ignore_index):
    kept = target != ignore_index
    p = torch.softmax(logits[kept], dim=1)  # 0 where another logit is 1000 more
    return -torch.log(p[torch.arange(int(kept.sum())), target[kept]]).mean()


def cross_entropy_exp_over_sum(logits, target, ignore_index):
    kept = target != ignore_index
    e = logits[kept].exp()  # inf for a logit of 1000
    p = e / e.sum(dim=1, keepdim=True)
    return -p[torch.arange(int(kept.sum())), target[kept]].log().mean()


def huber_as_smooth_l1(prediction, target, delta):
    return nn.SmoothL1Loss(beta=delta)(prediction, target)


def huber_without_half(prediction, target, delta):
    r = (prediction - target).abs()
    return torch.where(r <= delta, r**2, delta * (2 * r - delta)).mean()


def huber_terms(prediction, target, delta):
    r = (prediction - target).abs()
    return torch.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta))


def backward_with(hidden_derivative, dZ2_of=lambda A2, Y: A2 - Y):
    """The chapter's two-layer backward pass, with a hidden derivative and dZ2 of one's choosing."""

    def backward(X, Y, params, cache):
        m = X.shape[1]
        dZ2 = dZ2_of(cache["A2"], Y)
        dZ1 = params["W2"].T @ dZ2 * hidden_derivative(cache)
        return {
            "dW2": dZ2 @ cache["A1"].T / m,
            "db2": dZ2.mean(dim=1, keepdim=True),
            "dW1": dZ1 @ X.T / m,
            "db1": dZ1.mean(dim=1, keepdim=True),
        }

    return backward


relu_backward_with = backward_with


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


def folds_rotated(n, k, seed):  # not shuffled, but never sorted blocks only
    return folds_of(lambda n, seed: torch.arange(n).roll(seed + 1))(n, k, seed)


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


def hessian_eigenvalues(x):
    mean, square = x.mean(), (x**2).mean()
    return torch.linalg.eigvalsh(
        2 * torch.stack([torch.stack([square, mean]), torch.stack([mean, mean**0])])
    )


def momentum_with(velocity_of, param_of):
    def step(param, grad, velocity, lr, beta):
        new = velocity_of(velocity, grad, lr, beta)
        return param_of(param, grad, velocity, new, lr), new

    return step


def sigmoid_and(change):
    def answer(*args):
        s = torch.sigmoid(args[0])
        return change(s, *args)

    return answer


def naive_pos_weight_bce(logits, y, pos_weight):
    p = torch.sigmoid(logits)
    return -(pos_weight * y * p.log() + (1 - y) * (1 - p).log()).mean()


def half_stable_pos_weight_bce(logits, y, pos_weight):
    log_p, log_q = torch.sigmoid(logits).log(), torch.sigmoid(-logits).log()
    return -(pos_weight * y * log_p + (1 - y) * log_q).mean()


def pos_weight_terms(logits, y, pos_weight):
    log_sigmoid = nn.functional.logsigmoid
    return -(pos_weight * y * log_sigmoid(logits) + (1 - y) * log_sigmoid(-logits))


def smoothed_with(target_of):
    def loss(logits, target, eps, reduce=True):
        soft = target_of(nn.functional.one_hot(target, logits.shape[1]).double(), eps)
        each = -(soft * logits.log_softmax(dim=1)).sum(dim=1)
        return each.mean() if reduce else each

    return loss


def smoothed_one_hot_without_num_classes(logits, target, eps):
    classes = logits.shape[1]
    soft = (1 - eps) * nn.functional.one_hot(target) + eps / classes
    return -(soft * logits.log_softmax(dim=1)).sum(dim=1).mean()


def smoothed_classes_from_targets(logits, target, eps):
    classes = int(target.max()) + 1
    soft = (1 - eps) * torch.eye(classes, dtype=logits.dtype)[target] + eps / classes
    return -(soft * logits.log_softmax(dim=1)).sum(dim=1).mean()


def pos_weight_bce_weighted_by(weight_of):
    def loss(logits, y, pos_weight):
        log_sigmoid = nn.functional.logsigmoid
        terms = weight_of(pos_weight) * y * log_sigmoid(logits)
        return -(terms + (1 - y) * log_sigmoid(-logits)).mean()

    return loss


def mse_backward_with(dZ2_of, hidden_derivative=lambda cache: 1 - cache["A1"] ** 2):
    return backward_with(hidden_derivative, dZ2_of)


def mse_backward_changed(change):
    def backward(*args):
        return change(mse_output_backward(*args), args[0].shape[1])

    return backward


def top_k_hits(logits, labels, k, **topk):
    best = logits.topk(k, **topk).indices
    return (best == labels.unsqueeze(1)).any(dim=1)


def top_k_down_the_examples(logits, labels, k):
    best = logits.topk(k, dim=0).indices.flatten()  # k best examples per class
    return torch.isin(labels, best).float().mean()


WRONG = {  # mistake: (exercise, answer, what the message must say)
    "bce logit gradient: by autograd, not derived": (
        "bce-logit-gradient",
        bce_logit_gradient_by_autograd,
        "yourself, without autograd: torch.autograd.grad or .backward()",
    ),
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
    "mae: a list of one": (
        "mae-gradients",
        lambda *args: [mae_gradients(*args)[0]],
        "you returned 1 value; return two: dL/dw",
    ),
    "mae: one tensor of two": (
        "mae-gradients",
        lambda *args: torch.stack(mae_gradients(*args)),
        "return the two as a tuple `dw, db`, not one tensor of two",
    ),
    "mae: a numpy array": (
        "mae-gradients",
        lambda *args: np.zeros(3),
        "one value (an ndarray) instead of two",
    ),
    "nand: weights of AND": ("nand", ([1.0, 1.0], -1.5), "computes AND"),
    "nand: AND with two inputs on the line": (
        "nand",
        ([1.0, 1.0], -1.0),  # flipped, (0, 1) and (1, 0) stay on the line: 0 is not > 0
        "keep every input off the line (w · x + b ≠ 0 on all four inputs): [[0, 1], [1, 0]]",
    ),
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
    "bce: divided by the rows": (
        "bce",
        lambda p, y: bce_terms(p, y).sum() / p.shape[0],
        "you divided by the number of rows; the mean is over all elements",
    ),
    "bce: log p and log(1 - p) swapped": (
        "bce",
        lambda p, y: -(y * (1 - p).log() + (1 - y) * p.log()).mean(),
        "you swapped log p and log(1 − p)",
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
    "sigmoid': by autograd": (
        "sigmoid-derivative",
        lambda x: bce_logit_gradient_by_autograd(x, torch.zeros_like(x)) * x.numel(),
        "write the derivative yourself, without autograd",
    ),
    "sigmoid': in float32": (
        "sigmoid-derivative",
        lambda x: sigmoid_derivative(x.float()),
        "your derivative is computed in float32; compute in the input's dtype (float64)",
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
    "softmax: minus 1000": (
        "softmax",
        softmax_minus(lambda z: 1000),
        "you subtract one number for the whole batch; subtract each row's own maximum",
    ),
    "softmax: each row's minimum subtracted": (
        "softmax",
        softmax_minus(lambda z: z.amin(dim=1, keepdim=True)),
        "subtract each row's maximum: the minimum or the mean still leaves exp(≈1000)",
    ),
    "softmax: each row's mean subtracted": (
        "softmax",
        softmax_minus(lambda z: z.mean(dim=1, keepdim=True)),
        "nan in row 1, whose scores spread from −1000 to 1000",
    ),
    "softmax: the first column subtracted": (
        "softmax",
        softmax_minus(lambda z: z[:, :1]),
        "whose scores spread from −1000 to 1000: subtract each row's maximum",
    ),
    "softmax: divided by the whole batch's sum": (
        "softmax",
        lambda z: (e := torch.exp(z - z.amax(dim=1, keepdim=True))) / e.sum(),
        "you divide by the sum over the whole batch; each row must sum to 1",
    ),
    "softmax: torch.softmax": (
        "softmax",
        lambda z: torch.softmax(z, dim=-1),
        "a softmax you call, torch's or the page's",
    ),
    "softmax: the page's own": (
        "softmax",
        page_softmax,
        "write it yourself; a softmax you call",
    ),
    "softmax: nn.Softmax": (
        "softmax",
        lambda z: nn.Softmax(dim=1)(z),
        "write it yourself; torch.softmax",
    ),
    "softmax: log_softmax, exponentiated": (
        "softmax",
        lambda z: nn.functional.log_softmax(z, dim=1).exp(),
        "torch.softmax is what we compare against",
    ),
    "softmax: sum without keepdim": (
        "softmax",
        softmax_without_keepdim,
        "sum(dim=1) (or amax(dim=1)) without keepdim=True",
    ),
    "softmax: amax without keepdim": (
        "softmax",
        lambda z: (e := torch.exp(z - z.amax(dim=1))) / e.sum(dim=1, keepdim=True),
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
    "ce: the logsumexp over every row": (
        "cross-entropy",
        cross_entropy_logsumexp_of_all,
        "drop them from the logsumexp as well as from the picked logits",
    ),
    "ce: target >= 0 kept": (
        "cross-entropy",
        cross_entropy_keeping(lambda target, ignore_index: target >= 0),
        "your answer ignores the targets below 0",
    ),
    "ce: target > ignore_index kept": (
        "cross-entropy",
        cross_entropy_keeping(lambda target, ignore_index: target > ignore_index),
        "not those equal to ignore_index: compare with ==/!=",
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
    "ce: nn.functional.cross_entropy": (
        "cross-entropy",
        lambda logits, target, ignore_index: nn.functional.cross_entropy(
            logits, target, ignore_index=ignore_index
        ),
        "write it with torch.logsumexp yourself",
    ),
    "ce: nll_loss of log_softmax": (
        "cross-entropy",
        lambda logits, target, ignore_index: nn.functional.nll_loss(
            logits.log_softmax(dim=1), target, ignore_index=ignore_index
        ),
        "nn.CrossEntropyLoss(ignore_index=...) is what we compare against",
    ),
    "ce: log of softmax, -inf for a logit of 1000": (
        "cross-entropy",
        cross_entropy_log_of_softmax,
        "log(softmax(z)) overflows/underflows for logits like 1000: use logsumexp",
    ),
    "ce: exp over sum, inf for a logit of 1000": (
        "cross-entropy",
        cross_entropy_exp_over_sum,
        "your loss is inf once one logit is 1000 and another −1000",
    ),
    "huber: nn.HuberLoss": (
        "huber",
        lambda p, t, delta: nn.HuberLoss(delta=delta)(p, t),
        "write it from the formula; nn.HuberLoss is what we compare against",
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
    "relu backward: m = X.shape[0]": (
        "relu-backward",
        relu_backward_changed(
            lambda g, m: {name: m / 3 * grad for name, grad in g.items()}  # 3 inputs
        ),
        "divide by m = X.shape[1], the number of columns (examples)",
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
    "folds: a single pair": (
        "folds",
        lambda *args: folds(*args)[0],
        "you returned a single pair (train_index, val_index); return a list of k pairs",
    ),
    "folds: not shuffled, rotated with the seed": (
        "folds",
        folds_rotated,
        "the folds are contiguous ranges of 0 … n-1, not shuffled: shuffle the indices",
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
    "max lr: b's curvature alone": (
        "max-lr",
        lambda x: 2 / 2,
        "you used b's curvature alone (or the page's x",
    ),
    "max lr: a sum for the mean": (
        "max-lr",
        lambda x: 2 / hessian_eigenvalues(x)[-1] / len(x),
        "your Hessian sums over the points",
    ),
    "max lr: w's curvature alone": (
        "max-lr",
        lambda x: 2 / (2 * (x**2).mean()),
        "you used w's curvature alone, 2 mean(x²)",
    ),
    "max lr: the page's rule, the smaller of the two limits": (
        "max-lr",
        lambda x: min(2 / 2, 2 / (2 * (x**2).mean().item())),
        "the mixed derivative 2 mean(x) is not 0, so w and b are coupled",
    ),
    "max lr: 1 / lambda": (
        "max-lr",
        lambda x: 1 / hessian_eigenvalues(x)[-1],
        "a step multiplies the distance by 1 − ηλ, which stays within (−1, 1) while η < 2/λ",
    ),
    "max lr: the smallest eigenvalue": (
        "max-lr",
        lambda x: 2 / hessian_eigenvalues(x)[0],
        "you used the Hessian's smallest eigenvalue",
    ),
    "max lr: lambda itself": (
        "max-lr",
        lambda x: hessian_eigenvalues(x)[-1],
        "you returned λmax, the largest eigenvalue itself",
    ),
    "max lr: the Hessian without its 2s": (
        "max-lr",
        lambda x: 2 / (hessian_eigenvalues(x)[-1] / 2),
        "your Hessian lacks its factor 2",
    ),
    "max lr: the trace": (
        "max-lr",
        lambda x: 2 / hessian_eigenvalues(x).sum(),
        "the sum of the two curvatures, the Hessian's trace",
    ),
    "max lr: both eigenvalues": (
        "max-lr",
        lambda x: 2 / hessian_eigenvalues(x),
        "you returned 2/λ for both eigenvalues",
    ),
    "max lr: negative": (
        "max-lr",
        lambda x: -max_lr(x),
        "your learning rate for x = linspace(0, 2, 40) has the wrong sign",
    ),
    "max lr: close, not within 1e-6": (
        "max-lr",
        lambda x: max_lr(x).item() * (1 + 3e-6),
        "close, but not within a relative 1e-6",
    ),
    "max lr: one element, not a number": (
        "max-lr",
        lambda x: max_lr(x).reshape(1),
        "learning rate for x = linspace(0, 2, 40) has shape (1,), expected ()",
    ),
    "max lr: a string": (
        "max-lr",
        lambda x: f"{max_lr(x):.4f}",
        "return the learning rate as a number, a float or a 0-d tensor, got a str",
    ),
    "momentum: the exponential average": (
        "momentum-step",
        momentum_with(
            lambda v, g, lr, beta: beta * v + (1 - beta) * g,
            lambda p, g, v, new, lr: p - lr * new,
        ),
        "your velocity is the average βv + (1 − β)g",
    ),
    "momentum: stepped with the old velocity": (
        "momentum-step",
        momentum_with(
            lambda v, g, lr, beta: beta * v + g, lambda p, g, v, new, lr: p - lr * v
        ),
        "you stepped with the old velocity",
    ),
    "momentum: a plus sign": (
        "momentum-step",
        momentum_with(
            lambda v, g, lr, beta: beta * v + g, lambda p, g, v, new, lr: p + lr * new
        ),
        "your parameter moved uphill",
    ),
    "momentum: velocity not updated": (
        "momentum-step",
        lambda p, g, v, lr, beta: (momentum_step(p, g, v, lr, beta)[0], v),
        "your velocity is the one you were given, unchanged",
    ),
    "momentum: lr inside the velocity": (
        "momentum-step",
        momentum_with(
            lambda v, g, lr, beta: beta * v + lr * g, lambda p, g, v, new, lr: p - new
        ),
        "torch keeps lr out of the velocity: v = βv + g, then p − lr·v",
    ),
    "momentum: beta on the gradient": (
        "momentum-step",
        momentum_with(
            lambda v, g, lr, beta: v + beta * g, lambda p, g, v, new, lr: p - lr * new
        ),
        "β multiplies the old velocity, not the gradient",
    ),
    "momentum: no learning rate": (
        "momentum-step",
        momentum_with(
            lambda v, g, lr, beta: beta * v + g, lambda p, g, v, new, lr: p - new
        ),
        "your step leaves out the learning rate",
    ),
    "momentum: a plain SGD step": (
        "momentum-step",
        momentum_with(
            lambda v, g, lr, beta: beta * v + g, lambda p, g, v, new, lr: p - lr * g
        ),
        "your parameter took a plain SGD step",
    ),
    "momentum: swapped": (
        "momentum-step",
        lambda *args: momentum_step(*args)[::-1],
        "your two results are swapped",
    ),
    "momentum: the parameter only": (
        "momentum-step",
        lambda *args: momentum_step(*args)[0],
        "you returned one value (a Tensor) instead of two: return new_param, new_velocity",
    ),
    "momentum: a list of one": (
        "momentum-step",
        lambda *args: [momentum_step(*args)[0]],
        "you returned 1 value; return two: new_param",
    ),
    "momentum: three values": (
        "momentum-step",
        lambda *args: (*momentum_step(*args), 0.9),
        "you returned 3 values; return two: new_param, new_velocity",
    ),
    "bce gradient: no 1/N": (
        "bce-logit-gradient",
        lambda z, y: torch.sigmoid(z) - y,
        "the loss is a mean over N elements (N = 20 here): divide by N",
    ),
    "bce gradient: sign": (
        "bce-logit-gradient",
        lambda z, y: (y - torch.sigmoid(z)) / z.numel(),
        "so dL/dz is positive there",
    ),
    "bce gradient: an extra sigma'": (
        "bce-logit-gradient",
        sigmoid_and(lambda s, z, y: s * (1 - s) * (s - y) / z.numel()),
        "the σ′ from the chain rule cancels against the 1/(p(1 − p)) of BCE's derivative",
    ),
    "bce gradient: dL/dp": (
        "bce-logit-gradient",
        sigmoid_and(lambda s, z, y: (s - y) / (s * (1 - s)) / z.numel()),
        "that is dL/dp, the derivative with respect to p = σ(z)",
    ),
    "bce gradient: twice": (
        "bce-logit-gradient",
        lambda z, y: 2 * bce_logit_gradient(z, y),
        "your gradient is twice the right one",
    ),
    "bce gradient: the mean, one number": (
        "bce-logit-gradient",
        lambda z, y: (torch.sigmoid(z) - y).mean(),
        "your gradient has shape (), expected (5, 4)",
    ),
    "nor: OR's weights": (
        "nor-rosenblatt",
        ([1.0, 1.0], -0.5),
        "your unit computes OR, the opposite of NOR",
    ),
    "nor: NAND's weights": (
        "nor-rosenblatt",
        ([-2.0, -2.0], 3.0),
        "your unit computes NAND, 0 only for (1, 1)",
    ),
    "nor: AND's weights": (
        "nor-rosenblatt",
        ([1.0, 1.0], -1.5),
        "your unit computes AND, 1 only for (1, 1)",
    ),
    "nor: too few epochs": (
        "nor-rosenblatt",
        ([0.0, -1.0], 0.0),  # rosenblatt's after one epoch
        "[0, 0, 0, 0] where NOR is [1, 0, 0, 0]; wrong on [[0, 0]]. Rosenblatt's rule",
    ),
    "nor: no bias": ("nor-rosenblatt", ([-1.0, -1.0], None), "b should be numbers"),
    "tanh': tanh itself": (
        "tanh-derivative",
        torch.tanh,
        "you returned tanh(x) itself",
    ),
    "tanh': not squared": (
        "tanh-derivative",
        lambda x: 1 - torch.tanh(x),
        "the tanh is squared: 1 − tanh(x)²",
    ),
    "tanh': the sigmoid's derivative": (
        "tanh-derivative",
        sigmoid_derivative,
        "that is the sigmoid's derivative σ(x)(1 − σ(x)), copied",
    ),
    "tanh': the sigmoid's formula with tanh": (
        "tanh-derivative",
        lambda x: torch.tanh(x) * (1 - torch.tanh(x)),
        "the sigmoid's formula with tanh in it",
    ),
    "tanh': a plus": (
        "tanh-derivative",
        lambda x: 1 + torch.tanh(x) ** 2,
        "your derivative is 1 + tanh(x)²; with a minus",
    ),
    "tanh': 2 sigma(2x)(1 - sigma(2x))": (
        "tanh-derivative",
        lambda x: 2 * sigmoid_derivative(2 * x),
        "the chain rule gives 2 · σ′(2x) · 2 = 4σ(2x)(1 − σ(2x))",
    ),
    "tanh': by backward()": (
        "tanh-derivative",
        lambda x: (
            (x := x.clone().requires_grad_(), torch.tanh(x).sum().backward())[0].grad
        ),
        "torch.autograd.grad or .backward() is what we compare against",
    ),
    "tanh': wrong at one end": (
        "tanh-derivative",
        lambda x: tanh_derivative(x) + 0.3 * (x == x.max()),
        "derivative differs from the right one by 0.3 at x = 5. At x = 0 it should be 1",
    ),
    "silu': by torch.autograd.functional": (
        "silu-derivative",
        lambda x: torch.autograd.functional.jacobian(nn.functional.silu, x).diagonal(),
        "without autograd: torch.autograd.grad",
    ),
    "silu': sigma alone": (
        "silu-derivative",
        torch.sigmoid,
        "the product rule's second term is missing",
    ),
    "silu': x sigma' alone": (
        "silu-derivative",
        lambda x: x * sigmoid_derivative(x),
        "the product rule's first term, σ(x)",
    ),
    "silu': the sigmoid's derivative": (
        "silu-derivative",
        sigmoid_derivative,
        "SiLU is x σ(x), a product",
    ),
    "silu': SiLU itself": (
        "silu-derivative",
        nn.functional.silu,
        "you returned SiLU(x) = x σ(x) itself",
    ),
    "silu': sigma(x)(1 + x sigma(x))": (
        "silu-derivative",
        lambda x: torch.sigmoid(x) * (1 + x * torch.sigmoid(x)),
        "is a product: (uv)′ = u′v + uv′",
    ),
    "smoothing: eps over the other classes": (
        "label-smoothing",
        smoothed_with(
            lambda one_hot, eps: (
                (1 - eps) * one_hot + eps / (one_hot.shape[1] - 1) * (1 - one_hot)
            )
        ),
        "PyTorch spreads eps over all C classes, the true one included",
    ),
    "smoothing: eps ignored": (
        "label-smoothing",
        lambda logits, target, eps: nn.functional.cross_entropy(logits, target),
        "your loss ignores eps: it is plain cross-entropy",
    ),
    "smoothing: a sum": (
        "label-smoothing",
        lambda logits, target, eps: (
            smoothed_cross_entropy(logits, target, eps) * len(target)
        ),
        "loss for eps = 0.1 is the sum over the 6 examples, not their mean",
    ),
    "smoothing: sign": (
        "label-smoothing",
        lambda *args: -smoothed_cross_entropy(*args),
        "loss for eps = 0.1 has the wrong sign",
    ),
    "smoothing: the true class keeps 1": (
        "label-smoothing",
        smoothed_with(lambda one_hot, eps: one_hot + eps / one_hot.shape[1]),
        "your true class keeps its weight 1",
    ),
    "smoothing: eps on every class": (
        "label-smoothing",
        smoothed_with(lambda one_hot, eps: (1 - eps) * one_hot + eps),
        "your uniform part puts eps on every class",
    ),
    "smoothing: not reduced": (
        "label-smoothing",
        lambda logits, target, eps: smoothed_with(
            lambda one_hot, eps: (1 - eps) * one_hot + eps / one_hot.shape[1]
        )(logits, target, eps, reduce=False),
        "your loss has shape (6,), one value per example",
    ),
    "smoothing: nn.CrossEntropyLoss(label_smoothing)": (
        "label-smoothing",
        lambda logits, target, eps: nn.CrossEntropyLoss(label_smoothing=eps)(
            logits, target
        ),
        "write it yourself; nn.CrossEntropyLoss(label_smoothing=...) is what we compare",
    ),
    "smoothing: F.cross_entropy(label_smoothing), as a float": (
        "label-smoothing",
        lambda logits, target, eps: nn.functional.cross_entropy(
            logits, target, label_smoothing=eps
        ).item(),
        "nn.CrossEntropyLoss(label_smoothing=...) is what we compare against",
    ),
    "smoothing: one_hot without num_classes": (
        "label-smoothing",
        smoothed_one_hot_without_num_classes,
        (
            "pass num_classes=C to one_hot: without it, one_hot makes only as many columns "
            "as the largest target + 1"
        ),
    ),
    "smoothing: C from the largest target": (
        "label-smoothing",
        smoothed_classes_from_targets,
        "take C from logits.shape[1], not from the targets",
    ),
    "smoothing: .item()": (
        "label-smoothing",
        lambda *args: smoothed_cross_entropy(*args).item(),
        "your loss for eps = 0.1 is a float: return a tensor (no .item())",
    ),
    "pos weight: .item()": (
        "pos-weight-bce",
        lambda *args: pos_weight_bce(*args).item(),
        "your loss is a float: return a tensor (no .item()), so that backward() works",
    ),
    "pos weight: the page's 3.0": (
        "pos-weight-bce",
        pos_weight_bce_weighted_by(lambda pos_weight: 3.0),
        "use the pos_weight argument, one weight per class, not a number copied from the page",
    ),
    "pos weight: pos_weight.mean()": (
        "pos-weight-bce",
        pos_weight_bce_weighted_by(lambda pos_weight: pos_weight.mean()),
        (
            "pos_weight holds one weight per class: multiply element-wise, it broadcasts "
            "over the rows"
        ),
    ),
    "pos weight: on the negative term": (
        "pos-weight-bce",
        lambda z, y, w: pos_weight_bce(-z, 1 - y, w),  # the classes swapped
        "you weighted the negative term",
    ),
    "pos weight: ignored": (
        "pos-weight-bce",
        lambda z, y, w: pos_weight_bce(z, y, 1.0),
        "your loss ignores pos_weight: it is plain BCE",
    ),
    "pos weight: both terms": (
        "pos-weight-bce",
        lambda z, y, w: (w * pos_weight_terms(z, y, 1.0)).mean(),
        "you multiplied both terms by pos_weight",
    ),
    "pos weight: sign": (
        "pos-weight-bce",
        lambda *args: -pos_weight_bce(*args),
        "your loss has the wrong sign",
    ),
    "pos weight: a sum": (
        "pos-weight-bce",
        lambda *args: pos_weight_terms(*args).sum(),
        "your loss is the sum over the 18 elements, not their mean",
    ),
    "pos weight: not reduced": (
        "pos-weight-bce",
        pos_weight_terms,
        "your loss has shape (6, 3), one value per element",
    ),
    "pos weight: log(1 - sigmoid)": (
        "pos-weight-bce",
        naive_pos_weight_bce,
        "log(1 − σ(z)) = logsigmoid(−z)",
    ),
    "pos weight: log(sigmoid(-z))": (
        "pos-weight-bce",
        half_stable_pos_weight_bce,
        "σ(z) rounds to 0 or 1 even in float64",
    ),
    "pos weight: the logs clamped, as nn.BCELoss": (
        "pos-weight-bce",
        lambda z, y, w: nn.functional.binary_cross_entropy(
            torch.sigmoid(z), y, weight=1 + (w - 1) * y
        ),
        "your logs stop at −100, as nn.BCELoss clamps them",
    ),
    "pos weight: nn.BCEWithLogitsLoss": (
        "pos-weight-bce",
        lambda z, y, w: nn.BCEWithLogitsLoss(pos_weight=w)(z, y),
        "nn.BCEWithLogitsLoss(pos_weight=...) is what we compare against",
    ),
    "mse backward: the log loss's dZ2": (
        "mse-output-backward",
        mse_backward_with(lambda A2, Y: A2 - Y),
        "dZ2 = A2 − Y is the log loss's formula, copied",
    ),
    "mse backward: a sigmoid's derivative kept": (
        "mse-output-backward",
        mse_backward_with(lambda A2, Y: 2 * (A2 - Y) * A2 * (1 - A2)),
        "keeps a sigmoid's derivative A2(1 − A2)",
    ),
    "mse backward: no 1/m": (
        "mse-output-backward",
        mse_backward_changed(lambda g, m: {name: m * grad for name, grad in g.items()}),
        "your dW2 is the sum over the 10 examples; L is their mean",
    ),
    "mse backward: 1/m twice": (
        "mse-output-backward",
        mse_backward_changed(lambda g, m: {name: grad / m for name, grad in g.items()}),
        "divided by m twice",
    ),
    "mse backward: ReLU's derivative": (
        "mse-output-backward",
        mse_backward_with(lambda A2, Y: 2 * (A2 - Y), lambda cache: cache["Z1"] > 0),
        "your dW1 uses ReLU's derivative (Z1 > 0)",
    ),
    "mse backward: no hidden derivative": (
        "mse-output-backward",
        mse_backward_with(lambda A2, Y: 2 * (A2 - Y), lambda cache: 1),
        "your dW1 leaves out tanh's derivative",
    ),
    "mse backward: db1 and db2 swapped": (
        "mse-output-backward",
        mse_backward_changed(lambda g, m: g | {"db1": g["db2"], "db2": g["db1"]}),
        "your db2 is db1: dW1 and dW2 are swapped (or db1 and db2)",
    ),
    "mse backward: db1 transposed": (
        "mse-output-backward",
        mse_backward_changed(lambda g, m: g | {"db1": g["db1"].T}),
        "your db1 is transposed: it should have the shape of b1, (5, 1)",
    ),
    "mse backward: m = X.shape[0]": (
        "mse-output-backward",
        mse_backward_changed(
            lambda g, m: {name: m / 3 * grad for name, grad in g.items()}
        ),
        "your dW2 is divided by X.shape[0] = 3, the number of rows (inputs)",
    ),
    "mse backward: a key missing": (
        "mse-output-backward",
        mse_backward_changed(lambda g, m: {k: g[k] for k in ("dW1", "db1", "db2")}),
        'yours lacks "dW2"',
    ),
    "top-k: k ignored": (
        "top-k",
        lambda logits, labels, k: (logits.argmax(dim=1) == labels).float().mean(),
        "for k = 3 your fraction is the top-1 accuracy",
    ),
    "top-k: the count": (
        "top-k",
        lambda *args: top_k_hits(*args, dim=1).sum().item(),
        "you return the count of examples, 24, not the fraction: divide by n = 50",
    ),
    "top-k: topk over dim=0, which fails": (
        "top-k",
        lambda *args: top_k_hits(*args, dim=0).float().mean(),
        "your topk runs over dim=0, down the examples",
    ),
    "top-k: topk over dim=0, which runs": (
        "top-k",
        top_k_down_the_examples,
        "take the k largest logits of each row, topk(k, dim=1)",
    ),
    "top-k: the smallest": (
        "top-k",
        lambda *args: top_k_hits(*args, dim=1, largest=False).float().mean(),
        "of the k largest logits (not the smallest)",
    ),
    "top-k: values, not indices": (
        "top-k",
        lambda logits, labels, k: (
            (logits.topk(k, dim=1).values == labels[:, None]).any(dim=1).float().mean()
        ),
        "your fraction is 0 for k = 1: no label was counted",
    ),
    "top-k: a percentage": (
        "top-k",
        lambda *args: 100 * top_k(*args),
        "you return a percentage; return the fraction",
    ),
    "top-k: not reduced": (
        "top-k",
        lambda *args: top_k_hits(*args, dim=1).float(),
        "your fraction has shape (50,), one hit or miss per example",
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


@pytest.mark.parametrize("seed", [0, 5, 11])
@pytest.mark.parametrize("classes", [2, 3, 6])
def test_one_hot_without_num_classes_is_named_for_any_number_of_classes(seed, classes):
    # with 2 classes the narrow one_hot, (n, 1), broadcasts instead of failing
    with pytest.raises(Wrong, match=r"pass num_classes=C to one_hot"):
        CHECKERS["label-smoothing"](
            smoothed_one_hot_without_num_classes, seed=seed, n=6, classes=classes
        )


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


def test_the_point_named_is_the_one_furthest_outside_the_tolerance(capsys):
    """At x = 0 the derivative, 0.25, is off by 1.25e-6, within rtol 1e-5; at x = 6, where it is 0.0025,
    1e-6 is 30 times the tolerance."""

    def derivative(x):
        right = sigmoid_derivative(x)
        return torch.where(x == x.max(), right + 1e-6, right * (1 + 5e-6))

    printed = verdict(capsys, "sigmoid-derivative", derivative)
    assert "your derivative differs from the right one by 1e-06 at x = 6." in printed, (
        printed
    )


# The budget, on made-up digits: a model that knows some images by heart ---------------------------------


def made_up_mnist(n_train=1200, n_test=300) -> mnist_data.MNIST:
    generator = torch.Generator().manual_seed(0)
    images, labels = (
        torch.randint(256, (n_train + n_test, 28, 28), generator=generator).byte(),
        torch.randint(10, (n_train + n_test,), generator=generator),
    )
    return mnist_data.MNIST(
        images[:n_train],
        labels[:n_train],
        images[n_train:],
        labels[n_train:],
        source="sample",  # the bar is 85 %
    )


class ByHeart(nn.Module):
    """Gives `labels[i]` for the input `inputs[i]`, and class 0 for any other input."""

    def __init__(self, inputs, labels):
        super().__init__()
        self.unused = nn.Linear(1, 1)  # 2 parameters, for the checker to count
        self.register_buffer("inputs", inputs)
        self.register_buffer("labels", labels)

    def forward(self, x):
        exact = (
            "donot_use_mm_for_euclid_dist"  # 0 for the same image, not a rounded 1e-2
        )
        distance, nearest = torch.cdist(x, self.inputs, compute_mode=exact).min(dim=1)
        guess = torch.where(distance < 1e-3, self.labels[nearest], 0)
        return nn.functional.one_hot(guess, 10).float()


def by_heart(data, val_right: int, test_right: int) -> ByHeart:
    """A model right on the first val_right validation and test_right test images, wrong on the rest."""
    train_images, _, val_images, val_labels = split(
        data.train_images, data.train_labels
    )
    mean, std = pixel_stats(train_images)
    inputs, labels = [], []
    for images, truth, right in (
        (val_images, val_labels, val_right),
        (data.test_images, data.test_labels, test_right),
    ):
        inputs.append(to_inputs(images, mean, std))
        labels.append(
            torch.where(torch.arange(len(truth)) < right, truth, (truth + 1) % 10)
        )
    return ByHeart(torch.cat(inputs), torch.cat(labels))


@pytest.mark.parametrize(
    "val_right, test_right, message",
    [
        (
            100,
            300,
            (
                "budget: right. 2 parameters and at least 85% of the validation images right; "
                "about as many of the test images."
            ),
        ),
        (
            85,  # exactly the bar: counted in integers, 85 of 100 is 85 %
            300,
            "budget: right.",
        ),
        (
            80,
            300,
            (
                "budget: not yet. 80.0% of the validation images right, with 2 parameters; the bar "
                "is 85% (inputs: to_inputs(images, mean, std) with the training split's mean and "
                "std, flattened to 784)"
            ),
        ),
        (
            100,
            30,
            (
                "budget: not yet. your model does clearly worse on images it never saw than on "
                "the validation images: it looks fitted to the validation images"
            ),
        ),
        (
            86,
            253,  # 84.3 %, 1.7 points below the validation images: not fitted to them
            "budget: right.",
        ),
    ],
)
def test_the_budget_needs_the_bar_on_the_validation_and_the_test_images(
    capsys, monkeypatch, val_right, test_right, message
):
    data = made_up_mnist()  # 100 validation images (1 in 12), 300 test images
    monkeypatch.setattr(mnist_data, "load_mnist", lambda: data)
    printed = verdict(capsys, "budget", by_heart(data, val_right, test_right))
    assert printed.startswith(message), printed


# Anything gets a message, never a traceback ------------------------------------------------------------


def answers_of(exercise: str, value) -> tuple:
    return (value, value) if exercise in ("nand", "nor-rosenblatt") else (value,)


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
        ("nand", ([..., ...], ...)),
        ("nand", ([-2.0, ...], 3.0)),
        ("nor-rosenblatt", ((..., -1.0), 0.5)),
        ("bce", (lambda p, y: ...,)),
        ("dying-relu", (...,)),
        ("relu-backward", (lambda *args: ...,)),
        ("budget", (...,)),
        ("max-lr", (lambda x: ...,)),
        ("momentum-step", (lambda *args: (..., ...),)),
        ("nor-rosenblatt", (..., ...)),
        ("mse-output-backward", (lambda *args: ...,)),
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
        match="there is no exercise 'nandd'; the exercises are mae-gradients, max-lr",
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


def test_the_momentum_step_is_torch_optim_sgd_over_several_steps():
    """momentum-step's answer, from a zero velocity, follows torch.optim.SGD(momentum=...) step after step
    (its first step sets the buffer to the gradient: β·0 + g), and so does the checker's sgd_step, which
    presets the buffer."""
    generator = torch.Generator().manual_seed(0)
    start = torch.randn(3, 4, generator=generator, dtype=torch.float64)
    p = start.clone().requires_grad_()
    optimizer = torch.optim.SGD([p], lr=0.3, momentum=0.8)
    param, velocity = start.clone(), torch.zeros_like(start)
    preset = (start.clone(), torch.zeros_like(start))
    for _ in range(4):
        grad = torch.randn(3, 4, generator=generator, dtype=torch.float64)
        p.grad = grad.clone()
        optimizer.step()
        param, velocity = momentum_step(param, grad, velocity, 0.3, 0.8)
        preset = sgd_step(preset[0], grad, preset[1], 0.3, 0.8)
        for mine in (param, preset[0]):
            torch.testing.assert_close(mine, p.detach())
        for mine in (velocity, preset[1]):
            torch.testing.assert_close(mine, optimizer.state[p]["momentum_buffer"])


@pytest.mark.parametrize("factor, converges", [(0.98, True), (1.02, False)])
def test_max_lr_is_where_gradient_descent_stops_converging(factor, converges):
    """Just below max-lr's answer, gradient descent on the line reaches the minimum; just above, it
    diverges, although each parameter alone (w below 2 / (2 mean(x²)), b below 1) would converge."""
    x = torch.linspace(0, 2, 40, dtype=torch.float64)
    y = 2 * x + 1
    lr = factor * max_lr(x).item()
    assert lr < min(1.0, 1 / (x**2).mean().item())
    w = b = torch.tensor(0.0, dtype=torch.float64)
    for _ in range(500):
        error = w * x + b - y
        w, b = w - lr * 2 * (error * x).mean(), b - lr * 2 * error.mean()
    assert (((w * x + b - y) ** 2).mean() < 1e-12) == converges


def test_linear_output_forward_is_the_mlp_chapters_network_without_the_sigmoid():
    from snippets.mlp import forward, init_params

    X = torch.randn(3, 6, dtype=torch.float64)
    params = init_params(n=3, h=4)
    mine, chapter = linear_output_forward(X, params), forward(X, params)
    for name in ("Z1", "A1", "Z2"):
        torch.testing.assert_close(mine[name], chapter[name])
    assert mine["A2"] is mine["Z2"]
