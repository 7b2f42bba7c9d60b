"""The objects of snippets/losses.py, checked directly; every formula against torch, in float64."""

import itertools
import math

import pytest
import torch
from torch import nn
from torch.distributions import Bernoulli, Categorical, Normal

from snippets import losses as L

f64 = torch.float64


def test_mse_equals_torch_and_its_gradient_is_2_error_over_n():
    y_hat = torch.randn(3, 5, dtype=f64, requires_grad=True)
    y = torch.randn(3, 5, dtype=f64)
    loss = L.mse(y_hat, y)
    torch.testing.assert_close(loss, nn.MSELoss()(y_hat, y))
    loss.backward()
    torch.testing.assert_close(y_hat.grad, 2 * (y_hat.detach() - y) / 15)


def test_mse_reductions():
    y_hat, y = torch.tensor([1.0, 2.0, 4.0]), torch.tensor([1.0, 0.0, 1.0])
    assert nn.MSELoss(reduction="sum")(y_hat, y).item() == 13.0
    torch.testing.assert_close(nn.MSELoss(reduction="mean")(y_hat, y), torch.tensor(13 / 3))
    torch.testing.assert_close(nn.MSELoss(reduction="none")(y_hat, y), torch.tensor([0.0, 4.0, 9.0]))


def test_size_average_is_deprecated_and_maps_to_reduction():
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        assert nn.MSELoss(size_average=False).reduction == "sum"
    with pytest.warns(UserWarning):
        assert nn.MSELoss(reduce=False).reduction == "none"


def test_broadcasting_column_against_row_gives_the_mean_of_all_pairs():
    y_hat = torch.arange(1.0, 5.0).view(4, 1)
    y = torch.arange(1.0, 5.0)
    with pytest.warns(UserWarning, match="broadcasting"):
        wrong = nn.MSELoss()(y_hat, y)
    torch.testing.assert_close(wrong, ((y_hat - y[None, :]) ** 2).mean())
    assert wrong.item() == 2.5


@pytest.mark.parametrize(
    "prediction, target, message",
    [
        (torch.zeros(4, 1), torch.zeros(4), r"same shape, got \(4, 1\) and \(4,\); reshape"),
        (torch.zeros(3), torch.zeros(3, dtype=torch.int64), "floating-point .* got torch.float32 and torch.int64"),
    ],
)
def test_mse_refuses_bad_input(prediction, target, message):
    with pytest.raises(ValueError, match=message):
        L.mse(prediction, target)


def test_fit_line_matches_least_squares_and_least_absolute_deviations():
    x, y = L.line_with_outlier()
    A = torch.stack([x, torch.ones_like(x)], dim=1)
    w_ls, b_ls = torch.linalg.lstsq(A, y[:, None]).solution.ravel().tolist()
    w, b = L.fit_line(x, y, nn.MSELoss())
    assert w == pytest.approx(w_ls, abs=1e-3) and b == pytest.approx(b_ls, abs=1e-3)
    # an L1 optimum of a line fit passes through two of the points: try every pair
    lad = min(
        (((y[j] - y[i]) / (x[j] - x[i]) * (x - x[i]) + y[i] - y).abs().mean().item(), i, j)
        for i, j in itertools.combinations(range(len(x)), 2)
    )
    w, b = L.fit_line(x, y, nn.L1Loss())
    assert (w * x + b - y).abs().mean().item() == pytest.approx(lad[0], abs=1e-3)
    w_huber, _ = L.fit_line(x, y, nn.HuberLoss())
    assert 2 < w < w_huber < w_ls  # the outlier pulls MSE most, Huber less, L1 least


def test_huber_formula_and_smooth_l1_relation():
    r = torch.linspace(-4, 4, 33, dtype=f64)
    delta = 1.5
    by_hand = torch.where(r.abs() <= delta, 0.5 * r**2, delta * (r.abs() - 0.5 * delta))
    zeros = torch.zeros_like(r)
    torch.testing.assert_close(nn.HuberLoss(delta=delta, reduction="none")(r, zeros), by_hand)
    torch.testing.assert_close(nn.SmoothL1Loss(beta=delta, reduction="none")(r, zeros), by_hand / delta)


def test_cross_entropy_is_minus_log_softmax_at_the_target():
    logits = torch.randn(6, 4, dtype=f64)
    target = torch.tensor([0, 3, 1, 1, 2, 0])
    expected = -torch.log_softmax(logits, dim=1).gather(1, target[:, None]).mean()
    torch.testing.assert_close(L.cross_entropy(logits, target), expected)
    torch.testing.assert_close(nn.CrossEntropyLoss()(logits, target), expected)
    one_hot = nn.functional.one_hot(target, 4).to(f64)
    torch.testing.assert_close(L.cross_entropy(logits, one_hot), expected)
    soft = torch.softmax(torch.randn(6, 4, dtype=f64), dim=1)
    torch.testing.assert_close(L.cross_entropy(logits, soft), nn.CrossEntropyLoss()(logits, soft))


def test_cross_entropy_does_not_overflow_at_large_logits():
    logits = torch.tensor([[1000.0, 0.0, -1000.0]])
    assert L.cross_entropy(logits, torch.tensor([0])).item() == 0.0
    assert L.cross_entropy(logits, torch.tensor([1])).item() == 1000.0


def test_cross_entropy_options_follow_their_formulas():
    logits = torch.randn(5, 3, dtype=f64)
    target = torch.tensor([0, 1, 2, 1, 0])
    per_example = nn.CrossEntropyLoss(reduction="none")(logits, target)
    weight = torch.tensor([1.0, 2.0, 0.5], dtype=f64)
    torch.testing.assert_close(
        nn.CrossEntropyLoss(weight=weight)(logits, target), (weight[target] * per_example).sum() / weight[target].sum()
    )
    torch.testing.assert_close(
        nn.CrossEntropyLoss(ignore_index=2)(logits, target), per_example[target != 2].mean()
    )
    smooth = 0.9 * nn.functional.one_hot(target, 3) + 0.1 / 3
    torch.testing.assert_close(nn.CrossEntropyLoss(label_smoothing=0.1)(logits, target), L.cross_entropy(logits, smooth))


def test_softmax_before_cross_entropy_has_a_floor_of_log_1_plus_2_over_e():
    perfect = torch.tensor([[1.0, 0.0, 0.0]])  # the best a softmax layer can output
    floor = nn.CrossEntropyLoss()(perfect, torch.tensor([0])).item()
    assert floor == pytest.approx(math.log(1 + 2 / math.e))


@pytest.mark.parametrize(
    "logits, target, message",
    [
        (torch.zeros(3), torch.tensor([0, 1, 2]), r"logits of shape \(N, C\), got \(3,\)"),
        (torch.zeros(3, 4, dtype=torch.int64), torch.tensor([0, 1, 2]), r"floating-point logits .* torch.int64"),
        (torch.zeros(3, 4), torch.tensor([1.0, 0.0, 3.0]), "class indices of dtype torch.int64, got torch.float32; .*long"),
        (torch.zeros(3, 4), torch.tensor([0, 1, 4]), r"class indices in \[0, 4\), got values from 0 to 4"),
        (torch.zeros(3, 4), torch.tensor([0, -1, 2]), r"got values from -1 to 2"),
        (torch.zeros(3, 4), torch.zeros(3, 4, dtype=torch.int64), r"floating-point class probabilities .* \(3,\)"),
        (torch.zeros(3, 4), torch.full((3, 4), 0.5), "sum to 1, got a minimum of 0.50 and row sums from 2.00 to 2.00"),
        (torch.zeros(2, 2), torch.tensor([[1.5, -0.5], [0.5, 0.5]]), "non-negative .* minimum of -0.50"),
        (torch.zeros(3, 4), torch.zeros(3, 1, dtype=torch.int64), r"shape \(3,\) .* or \(3, 4\) .* got \(3, 1\)"),
    ],
)
def test_cross_entropy_refuses_bad_input(logits, target, message):
    with pytest.raises(ValueError, match=message):
        L.cross_entropy(logits, target)


def test_iris_shapes_and_a_linear_model_learns_it():
    X, y = L.iris()
    assert X.shape == (150, 4) and X.dtype == torch.float32
    assert y.shape == (150,) and y.dtype == torch.int64 and y.bincount().tolist() == [50, 50, 50]
    torch.testing.assert_close(X.mean(dim=0), torch.zeros(4), atol=1e-5, rtol=0)
    model = nn.Linear(4, 3)
    assert L.fit_classifier(model, X, y, steps=200) < 0.1
    assert (model(X).argmax(dim=1) == y).float().mean() > 0.95


def test_bce_equals_torch_and_the_logits_form_equals_bce_of_sigmoid():
    z = torch.randn(10, dtype=f64) * 3
    y = torch.randint(0, 2, (10,)).to(f64)
    p = torch.sigmoid(z)
    torch.testing.assert_close(L.binary_cross_entropy(p, y), nn.BCELoss()(p, y))
    torch.testing.assert_close(L.binary_cross_entropy_with_logits(z, y), nn.BCEWithLogitsLoss()(z, y))
    torch.testing.assert_close(L.binary_cross_entropy_with_logits(z, y), L.binary_cross_entropy(p, y))
    soft = torch.rand(10, dtype=f64)  # soft targets in [0, 1] are allowed
    torch.testing.assert_close(L.binary_cross_entropy(p, soft), nn.BCELoss()(p, soft))


def test_bce_through_sigmoid_saturates_in_float32_and_the_logits_route_does_not():
    z = torch.tensor([17.0, 40.0, 120.0], requires_grad=True)
    y = torch.zeros(3)
    via_sigmoid = nn.BCELoss(reduction="none")(torch.sigmoid(z), y)
    assert via_sigmoid.tolist() == [100.0, 100.0, 100.0]  # log(0) clamped at -100
    via_sigmoid.sum().backward()
    assert z.grad.tolist() == [0.0, 0.0, 0.0]
    z.grad = None
    with_logits = nn.BCEWithLogitsLoss(reduction="none")(z, y)
    torch.testing.assert_close(with_logits, z.detach())
    torch.testing.assert_close(L.binary_cross_entropy_with_logits(z.detach(), y), z.detach().mean())
    with_logits.sum().backward()
    assert z.grad.tolist() == [1.0, 1.0, 1.0]


def test_softmax_over_one_output_is_always_one():
    z = torch.randn(5, 1) * 10
    assert torch.softmax(z, dim=1).eq(1).all()


def test_pos_weight_formula():
    z = torch.randn(8, dtype=f64)
    y = torch.randint(0, 2, (8,)).to(f64)
    expected = -(2.5 * y * torch.log(torch.sigmoid(z)) + (1 - y) * torch.log(1 - torch.sigmoid(z))).mean()
    torch.testing.assert_close(nn.BCEWithLogitsLoss(pos_weight=torch.tensor(2.5, dtype=f64))(z, y), expected)


def test_two_class_cross_entropy_is_bce():
    z = torch.randn(12, dtype=f64) * 4
    y = torch.randint(0, 2, (12,))
    two_logits = torch.stack([torch.zeros_like(z), z], dim=1)
    torch.testing.assert_close(L.cross_entropy(two_logits, y), L.binary_cross_entropy_with_logits(z, y.to(f64)))
    # and for any pair of logits: only their difference matters
    pair = torch.randn(12, 2, dtype=f64)
    torch.testing.assert_close(
        nn.CrossEntropyLoss()(pair, y), nn.BCEWithLogitsLoss()(pair[:, 1] - pair[:, 0], y.to(f64))
    )


@pytest.mark.parametrize(
    "p, y, message",
    [
        (torch.tensor([0.5, 1.5]), torch.tensor([0.0, 1.0]), r"probabilities p in \[0, 1\], got values from 0.5 to 1.5; apply torch.sigmoid"),
        (torch.tensor([0.5, 0.5]), torch.tensor([0.0, 2.0]), r"targets in \[0, 1\] .* from 0 to 2"),
        (torch.tensor([[0.5], [0.5]]), torch.tensor([0.0, 1.0]), r"same shape, got \(2, 1\) and \(2,\)"),
        (torch.tensor([0.5, 0.5]), torch.tensor([0, 1]), "floating-point .* torch.int64"),
    ],
)
def test_bce_refuses_bad_input(p, y, message):
    with pytest.raises(ValueError, match=message):
        L.binary_cross_entropy(p, y)


def test_bce_with_logits_refuses_bad_targets():
    with pytest.raises(ValueError, match=r"targets in \[0, 1\]"):
        L.binary_cross_entropy_with_logits(torch.zeros(2), torch.tensor([0.0, -1.0]))


def test_logit_gradients_follow_their_formulas_and_mse_vanishes_when_confidently_wrong():
    z = torch.linspace(-12, 12, 49, dtype=f64)
    mse_grad, bce_grad = L.logit_gradients(z, y=1.0)
    p = torch.sigmoid(z)
    torch.testing.assert_close(mse_grad, 2 * (p - 1) * p * (1 - p))
    torch.testing.assert_close(bce_grad, p - 1)
    assert abs(mse_grad[0]) < 1e-4 and bce_grad[0] < -0.9999
    mse_grad, bce_grad = L.logit_gradients(z, y=0.0)
    torch.testing.assert_close(bce_grad, p)


def test_losses_are_negative_log_likelihoods():
    y_hat, y = torch.randn(20, dtype=f64), torch.randn(20, dtype=f64)
    torch.testing.assert_close(
        -Normal(y_hat, 1.0).log_prob(y).mean(), 0.5 * L.mse(y_hat, y) + 0.5 * math.log(2 * math.pi)
    )
    logits, classes = torch.randn(20, 5, dtype=f64), torch.randint(0, 5, (20,))
    torch.testing.assert_close(L.cross_entropy(logits, classes), -Categorical(logits=logits).log_prob(classes).mean())
    z, labels = torch.randn(20, dtype=f64), torch.randint(0, 2, (20,)).to(f64)
    torch.testing.assert_close(
        L.binary_cross_entropy_with_logits(z, labels), -Bernoulli(logits=z).log_prob(labels).mean()
    )
    var = torch.rand(20, dtype=f64) + 0.1
    torch.testing.assert_close(
        nn.GaussianNLLLoss(full=True)(y_hat, y, var), -Normal(y_hat, var.sqrt()).log_prob(y).mean()
    )


def test_gaussian_nll_is_stationary_at_the_sample_mean_and_biased_variance():
    samples = 3.0 + 2.0 * torch.randn(500, dtype=f64)
    mean = samples.mean().clone().requires_grad_()
    var = samples.var(correction=0).clone().requires_grad_()
    nn.GaussianNLLLoss()(mean.expand(500), samples, var.expand(500)).backward()
    assert abs(mean.grad) < 1e-12 and abs(var.grad) < 1e-12
