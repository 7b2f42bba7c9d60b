"""The objects of snippets/activations.py, checked directly; formulas against torch, in float64."""

import math
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from snippets import activations as a

ROOT = Path(__file__).resolve().parent.parent
X64 = torch.arange(-600, 601, dtype=torch.float64) / 100  # -6 to 6, with an exact 0


def test_value_and_derivative_match_hand_derivatives_in_float64():
    s = torch.sigmoid(X64)
    cases = {
        torch.sigmoid: s * (1 - s),
        torch.tanh: 1 - torch.tanh(X64) ** 2,
        nn.SiLU(): s + X64 * s * (1 - s),
        nn.GELU(): 0.5 * (1 + torch.erf(X64 / math.sqrt(2))) + X64 * torch.exp(-(X64**2) / 2) / math.sqrt(2 * math.pi),
    }
    for f, expected in cases.items():
        y, dy = a.value_and_derivative(f, X64)
        torch.testing.assert_close(y, f(X64))
        torch.testing.assert_close(dy, expected)


def test_sigmoid_and_tanh_claims():
    _, ds = a.value_and_derivative(torch.sigmoid, X64)
    assert ds.max().item() == 0.25 and X64[ds.argmax()].item() == 0.0
    _, dt = a.value_and_derivative(torch.tanh, torch.zeros(1, dtype=torch.float64))
    assert dt.item() == 1.0
    torch.testing.assert_close(torch.tanh(X64), 2 * torch.sigmoid(2 * X64) - 1)


def test_relu_family_gradients_are_exact():
    x = X64[X64 != 0]
    _, dr = a.value_and_derivative(torch.relu, x)
    assert torch.equal(dr, (x > 0).double())
    _, dl = a.value_and_derivative(nn.LeakyReLU().double(), x)
    assert torch.equal(dl, torch.where(x > 0, torch.ones_like(x), torch.full_like(x, 0.01)))
    assert nn.PReLU().weight.item() == 0.25


def test_cost_is_positive_and_relative_to_relu():
    costs = a.relative_cost(n=10_000, repeats=3, number=2, names=["tanh"])
    assert list(costs) == ["ReLU", "tanh"]
    assert costs["ReLU"] == 1.0 and costs["tanh"] > 0
    assert torch.get_num_threads() >= 1


def test_bench_prints_every_activation():
    result = subprocess.run(
        [sys.executable, "bench/activations.py", "10000"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "ReLU" in result.stdout and " 1.00x" in result.stdout
    assert all(name in result.stdout for name in a.ACTIVATIONS)


def test_collapse_equals_the_two_layers_in_float64():
    first, second = nn.Linear(4, 7).double(), nn.Linear(7, 3).double()
    one = a.collapse(first, second).double()
    x = torch.randn(10, 4, dtype=torch.float64)
    torch.testing.assert_close(one(x), second(first(x)))
    with pytest.raises(ValueError, match=r"expected second.in_features == first.out_features \(7\), got 5"):
        a.collapse(first, nn.Linear(5, 1))


def test_deep_gradients_vanish_with_sigmoid_and_explode_with_a_large_gain():
    X, y = a.deep_batch()
    ratio = {}
    for name in ("sigmoid", "tanh", "ReLU"):
        sizes = a.gradient_sizes(a.deep_mlp(name), X, y)
        assert len(sizes) == 10 and all(s > 0 for s in sizes)
        ratio[name] = sizes[0] / sizes[-1]
    assert ratio["sigmoid"] < 1e-6 < 1e-3 < ratio["ReLU"] < 1e-2 < ratio["tanh"] < 1e-1
    kaiming = a.gradient_sizes(a.deep_mlp("ReLU", gain=math.sqrt(2)), X, y)
    assert 0.1 < kaiming[0] / kaiming[-1] < 10
    assert max(a.gradient_sizes(a.deep_mlp("ReLU", gain=3.0), X, y)) > 1e4


def test_deep_mlp_shape_and_bad_activation():
    model = a.deep_mlp("tanh", depth=4, width=8, gain=1.0)
    assert sum(isinstance(layer, nn.Linear) for layer in model) == 4
    assert all(layer.bias.abs().sum() == 0 for layer in model if isinstance(layer, nn.Linear))
    with pytest.raises(ValueError, match=r"expected an activation in \['sigmoid'.*got 'relu'"):
        a.deep_mlp("relu")
    with pytest.raises(ValueError, match=r"expected an activation in"):
        a.small_mlp("softplus")


def test_two_spirals_is_balanced_bounded_and_reproducible():
    X, y = a.two_spirals(100, seed=3)
    assert X.shape == (200, 2) and y.sum() == 100
    assert X.abs().max() < 2.5
    torch.testing.assert_close(X, a.two_spirals(100, seed=3)[0])


def test_a_unit_pushed_far_negative_is_dead_and_found_in_its_layer():
    X, _ = a.two_spirals()
    model = a.small_mlp("ReLU", width=8)
    with torch.no_grad():
        model[2].bias[3] = -1e6  # second layer, unit 3: negative for every input
    dead = a.dead_units(model, X)
    assert [d.shape for d in dead] == [(8,), (8,)] and dead[1][3]
    assert a.dead_share(model, X) == pytest.approx(sum(d.sum().item() for d in dead) / 16)
    leaky = a.small_mlp("LeakyReLU", width=8)
    with torch.no_grad():
        leaky[2].bias[3] = -1e6
    assert not torch.cat(a.dead_units(leaky, X)).any()  # its slope is never 0


def test_compare_keeps_each_activations_best_learning_rate():
    X, y = a.two_spirals(50)
    results = a.compare(["tanh"], X, y, lrs=(1e-6, 0.03), seeds=(0,), steps=30)
    assert results["tanh"]["lr"] == 0.03 and len(results["tanh"]["curve"]) == 30


def test_properties_are_the_known_values():
    assert a.properties(torch.tanh)["mean for N(0, 1) inputs"] == pytest.approx(0.0, abs=1e-9)
    assert a.properties(torch.relu)["mean for N(0, 1) inputs"] == pytest.approx(1 / math.sqrt(2 * math.pi), abs=1e-6)
    assert a.properties(nn.PReLU())["smallest slope"] == pytest.approx(0.25)
    gelu = a.properties(nn.GELU())
    assert gelu["smallest slope"] == pytest.approx(-0.129, abs=1e-3) and gelu["smallest value"] < -0.16


def test_fit_refuses_bad_shapes():
    model = a.small_mlp("ReLU")
    with pytest.raises(ValueError, match=r"expected X of shape \(n, features\) and y of shape \(n,\), got \(4, 2\) and \(3,\)"):
        a.fit(model, torch.zeros(4, 2), torch.zeros(3))
    with pytest.raises(ValueError, match="expected floating-point X, got torch.int64"):
        a.fit(model, torch.zeros(4, 2, dtype=torch.int64), torch.zeros(4))


def test_softmax_is_stable_and_equals_torch():
    scores = torch.tensor([[2.0, 1.0, 0.5], [0.5, 2.0, 1.0]], dtype=torch.float64)
    expected = torch.tensor([[0.6285, 0.2312, 0.1402], [0.1402, 0.6285, 0.2312]], dtype=torch.float64)
    torch.testing.assert_close(a.naive_softmax(scores), expected, atol=1e-4, rtol=0)
    for dim in (0, 1, -1):
        torch.testing.assert_close(a.softmax(scores, dim), torch.softmax(scores, dim))
    big = scores.float() * 500
    assert a.naive_softmax(big).isnan().any()
    torch.testing.assert_close(a.softmax(big), torch.softmax(big, dim=-1))
    torch.testing.assert_close(a.softmax(big).sum(dim=1), torch.ones(2))
    z = torch.randn(8, 2, dtype=torch.float64)
    torch.testing.assert_close(a.softmax(z)[:, 1], torch.sigmoid(z[:, 1] - z[:, 0]))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: a.softmax(torch.tensor([1, 2])), "expected floating-point x, got torch.int64; convert it with x.float()"),
        (lambda: a.softmax(torch.zeros(2, 3), dim=-3), r"expected dim in \[-2, 1\] for a tensor of shape \(2, 3\), got -3"),
        (lambda: a.value_and_derivative(torch.tanh, torch.zeros(2, 2)), r"expected a 1-D tensor of points, got shape \(2, 2\)"),
        (lambda: a.value_and_derivative(torch.tanh, torch.arange(3)), "expected floating-point x, got torch.int64"),
    ],
)
def test_bad_input_is_refused_naming_expected_and_got(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_list_is_refused_as_the_wrong_type():
    with pytest.raises(TypeError, match="expected x to be a torch.Tensor, got list; wrap it with torch.tensor"):
        a.softmax([1.0, 2.0])
