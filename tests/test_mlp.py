"""The objects of snippets/mlp.py, checked directly: every hand-derived gradient against autograd in float64."""

import pytest
import torch
from torch import nn

from snippets import mlp

F64 = torch.float64


def random_problem(n=3, h=4, m=7, seed=0):
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, m, generator=generator, dtype=F64)
    Y = torch.randint(0, 2, (1, m), generator=generator).to(F64)
    return X, Y, mlp.init_params(n, h, seed=seed)


def largest_difference(a, b) -> float:
    difference = (a - b).abs().max().item()
    print(f"largest |hand - autograd| = {difference:.1e}")
    return difference


# Logistic regression


@pytest.mark.parametrize("gate", ["AND", "OR", "XOR"])
def test_logistic_gradients_equal_autograd(gate):
    generator = torch.Generator().manual_seed(1)
    w = torch.randn(1, 2, generator=generator, dtype=F64, requires_grad=True)
    b = torch.randn(1, 1, generator=generator, dtype=F64, requires_grad=True)
    Y = mlp.GATE_Y[gate]
    nn.functional.binary_cross_entropy(torch.sigmoid(w @ mlp.GATE_X + b), Y).backward()
    dw, db = mlp.logistic_gradients(mlp.GATE_X, Y, w.detach(), b.detach())
    assert largest_difference(dw, w.grad) < 1e-12
    assert largest_difference(db, b.grad) < 1e-12


def test_log_loss_is_torch_binary_cross_entropy():
    A = torch.tensor([[0.1, 0.8, 0.5, 0.99]], dtype=F64)
    Y = mlp.GATE_Y["OR"]
    torch.testing.assert_close(mlp.log_loss(A, Y), nn.functional.binary_cross_entropy(A, Y))


def test_logistic_regression_learns_and_or_but_not_xor():
    for gate in ("AND", "OR"):
        w, b = mlp.fit_logistic(mlp.GATE_X, mlp.GATE_Y[gate])
        predicted = (torch.sigmoid(w @ mlp.GATE_X + b) > 0.5).to(F64)
        torch.testing.assert_close(predicted, mlp.GATE_Y[gate])
    w, b = mlp.fit_logistic(mlp.GATE_X, mlp.GATE_Y["XOR"])
    torch.testing.assert_close(torch.sigmoid(w @ mlp.GATE_X + b), torch.full((1, 4), 0.5, dtype=F64), atol=1e-3, rtol=0)


# The MLP: forward shapes and bad input


def test_forward_shapes_follow_the_table():
    X, _, params = random_problem(n=3, h=4, m=7)
    shapes = {name: tuple(value.shape) for name, value in mlp.forward(X, params).items()}
    assert shapes == {"Z1": (4, 7), "A1": (4, 7), "Z2": (1, 7), "A2": (1, 7)}


def test_forward_equals_the_module_on_transposed_input():
    X, _, params = random_problem()
    model = mlp.mlp_from_params(params)
    torch.testing.assert_close(mlp.forward(X, params)["A2"][0], model(X.T))


@pytest.mark.parametrize(
    "make_X, message",
    [
        (lambda X: X.T, r"expected X of shape \(n, m\) = \(3, m\), got \(7, 3\); examples are columns here: pass X.T"),
        (lambda X: X[0], r"expected X of shape \(n, m\) = \(3, m\), got \(7,\)$"),
        (lambda X: X[:2], r"expected X of shape \(n, m\) = \(3, m\), got \(2, 7\)$"),
    ],
)
def test_forward_refuses_a_badly_shaped_X(make_X, message):
    X, _, params = random_problem()
    with pytest.raises(ValueError, match=message):
        mlp.forward(make_X(X), params)


def test_forward_refuses_a_bias_given_as_a_vector():
    X, _, params = random_problem()
    params["b1"] = params["b1"].squeeze(1)
    with pytest.raises(ValueError, match=r"expected b1 of shape \(4, 1\), got \(4,\)"):
        mlp.forward(X, params)


def test_backward_refuses_labels_of_the_wrong_shape():
    X, Y, params = random_problem()
    cache = mlp.forward(X, params)
    with pytest.raises(ValueError, match=r"expected Y of shape \(1, m\) = \(1, 7\), got \(7,\); pass Y.reshape\(1, -1\)"):
        mlp.backward(X, Y[0], params, cache)


# The MLP: the six formulas against autograd


@pytest.mark.parametrize("name", ["dZ2", "dW2", "db2", "dZ1", "dW1", "db1"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_each_backward_formula_equals_autograd(name, seed):
    X, Y, params = random_problem(n=3, h=5, m=11, seed=seed)
    by_hand = mlp.backward(X, Y, params, mlp.forward(X, params))[name]
    by_autograd = mlp.autograd_backward(X, Y, params)[name]
    assert by_hand.shape == by_autograd.shape
    assert largest_difference(by_hand, by_autograd) < 1e-12


def test_autograd_backward_is_independent_of_the_hand_written_one():
    """The referee uses autograd's own BCE, not the page's log_loss and backward."""
    X, Y, params = random_problem()
    leaves = {name: p.clone().requires_grad_() for name, p in params.items()}
    A2 = torch.sigmoid(leaves["W2"] @ torch.tanh(leaves["W1"] @ X + leaves["b1"]) + leaves["b2"])
    nn.functional.binary_cross_entropy(A2, Y).backward()
    reference = mlp.autograd_backward(X, Y, params)
    for name, leaf in leaves.items():
        assert largest_difference(leaf.grad, reference["d" + name]) < 1e-12


def test_gradcheck_passes_on_the_hand_written_backward():
    X, Y, params = random_problem(n=2, h=3, m=5)
    inputs = [params[name].clone().requires_grad_() for name in ("W1", "b1", "W2", "b2")]
    assert torch.autograd.gradcheck(mlp.MLPLoss.apply, (X, Y, *inputs))


def test_gradcheck_catches_a_wrong_formula(monkeypatch):
    """gradcheck really compares: a backward pass that forgets tanh' is refused."""
    right = mlp.backward

    def forgetful(X, Y, params, cache):
        grads = right(X, Y, params, cache)
        grads["dW1"] = (params["W2"].T @ grads["dZ2"]) @ X.T / X.shape[1]
        return grads

    monkeypatch.setattr(mlp, "backward", forgetful)
    X, Y, params = random_problem(n=2, h=3, m=5)
    inputs = [params[name].clone().requires_grad_() for name in ("W1", "b1", "W2", "b2")]
    assert not torch.autograd.gradcheck(mlp.MLPLoss.apply, (X, Y, *inputs), raise_exception=False)


# Training


def test_xor_is_learned_by_hand_and_torch_optim_reaches_the_same_weights():
    params, losses = mlp.train_by_hand(mlp.GATE_X, mlp.GATE_Y["XOR"], mlp.init_params(2, 2, seed=1))
    assert losses[-1] < 0.01 < 0.5 < losses[0]
    predicted = (mlp.forward(mlp.GATE_X, params)["A2"] > 0.5).to(F64)
    torch.testing.assert_close(predicted, mlp.GATE_Y["XOR"])
    model = mlp.train_module(mlp.mlp_from_params(mlp.init_params(2, 2, seed=1)), mlp.GATE_X, mlp.GATE_Y["XOR"])
    for got, expected in zip(model.parameters(), mlp.mlp_from_params(params).parameters()):
        assert largest_difference(got, expected) < 1e-12


def test_the_hidden_layer_makes_xor_linearly_separable():
    params, _ = mlp.train_by_hand(mlp.GATE_X, mlp.GATE_Y["XOR"], mlp.init_params(2, 2, seed=1))  # as on the page
    Z2 = mlp.forward(mlp.GATE_X, params)["Z2"]  # W2 A1 + b2: the output unit's line in hidden space
    assert ((Z2 > 0).to(F64) == mlp.GATE_Y["XOR"]).all()


def test_a_stack_of_networks_trains_like_each_network_alone():
    networks = [mlp.init_params(2, 3, seed=seed) for seed in range(3)]
    stacked = {name: torch.stack([p[name] for p in networks]) for name in networks[0]}
    together, _ = mlp.train_by_hand(mlp.GATE_X, mlp.GATE_Y["XOR"], stacked, steps=50)
    for i, params in enumerate(networks):
        alone, _ = mlp.train_by_hand(mlp.GATE_X, mlp.GATE_Y["XOR"], params, steps=50)
        for name in params:
            torch.testing.assert_close(together[name][i], alone[name])


def test_init_params_scales_the_weights_to_their_fan_in():
    params = mlp.init_params(n=784, h=400)
    assert abs(params["W1"].std().item() * 784**0.5 - 1) < 0.02
    assert abs(params["W2"].std().item() * 400**0.5 - 1) < 0.15


@pytest.mark.parametrize("sizes", [(3, 5, 1), (2, 4, 4, 1), (6, 1)])
def test_the_l_layer_recursion_in_rows_equals_autograd(sizes):
    torch.manual_seed(0)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(n_in, n_out).double(), nn.Tanh()]
    network = nn.Sequential(*layers[:-1])
    X, Y = torch.randn(7, sizes[0], dtype=F64), torch.randint(0, 2, (7, 1)).to(F64)
    nn.functional.binary_cross_entropy_with_logits(network(X), Y).backward()
    linears = network[::2]
    grads = mlp.backward_rows(X, Y, [l.weight.detach() for l in linears], [l.bias.detach() for l in linears])
    for (dW, db), layer in zip(grads, linears):
        assert largest_difference(dW, layer.weight.grad) < 1e-12 and largest_difference(db, layer.bias.grad) < 1e-12


def test_noisy_xor_flips_about_the_asked_share_of_labels():
    X, y, flipped = mlp.noisy_xor(2000, seed=0, noise=0.2)
    clean = (X[:, 0] * X[:, 1] > 0).double()
    assert X.shape == (2000, 2) and y.shape == (2000,) and X.dtype == y.dtype == torch.float64
    assert torch.equal(y != clean, flipped) and 0.17 < flipped.double().mean() < 0.23
