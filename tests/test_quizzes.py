"""The quizzes' keys, recomputed: each test is the case a quiz asks the reader to predict."""

import math

import torch
from torch import nn

from snippets.gradient_descent import line_data, mse
from snippets.perceptron import GATE_INPUTS, GATES, SigmoidUnit, fit_gate


def test_gradient_descent_three_backward_passes_leave_three_gradients():
    x, y = line_data()
    w = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(-0.3, dtype=torch.float64, requires_grad=True)
    mse(x, y, w, b).backward()
    once = w.grad.clone()
    mse(x, y, w, b).backward()
    mse(x, y, w, b).backward()
    assert torch.allclose(w.grad, 3 * once)


def test_gradient_descent_adam_moves_a_tiny_and_a_huge_gradient_alike():
    params = torch.zeros(2, requires_grad=True)
    params.grad = torch.tensor([1e-6, 1e3])
    torch.optim.Adam([params], lr=0.01).step()
    moves = params.detach().abs()
    assert torch.allclose(moves, torch.full((2,), 0.01), rtol=0.02)


def test_gradient_descent_lr_one_makes_b_jump_between_two_values():
    x, y = line_data()
    w, b = torch.zeros((), dtype=x.dtype), torch.zeros((), dtype=x.dtype)
    values = []
    for _ in range(200):
        error = w * x + b - y
        w, b = w - 2 * (error * x).mean(), b - 2 * error.mean()
        values.append(b.item())
    assert math.isclose(values[-1], values[-3]) and not math.isclose(
        values[-1], values[-2]
    )


def test_perceptron_xor_in_plus_minus_one_still_ends_at_one_half():
    inputs = 2 * GATE_INPUTS - 1
    unit = SigmoidUnit(2)
    nn.init.zeros_(unit.linear.weight)
    nn.init.zeros_(unit.linear.bias)
    nn.functional.binary_cross_entropy(unit(inputs), GATES["XOR"]).backward()
    assert (
        unit.linear.weight.grad.abs().max() == 0
        and unit.linear.bias.grad.abs().max() == 0
    )
    trained = fit_gate(GATES["XOR"])  # the 0/1 version, for comparison: 0.5 everywhere
    assert torch.allclose(trained(GATE_INPUTS), torch.full((4,), 0.5), atol=1e-6)


def test_perceptron_step_unit_with_weights_one_one_and_bias_minus_one_and_a_half_is_and():
    out = (GATE_INPUTS @ torch.tensor([1.0, 1.0]) - 1.5 > 0).float()
    assert torch.equal(out, GATES["AND"])


def test_losses_softmax_before_cross_entropy_has_a_floor_of_log_one_plus_three_over_e():
    best = torch.softmax(
        torch.tensor([[60.0, -60.0, -60.0, -60.0]], dtype=torch.float64), dim=1
    )  # (1, 0, 0, 0)
    floor = nn.CrossEntropyLoss()(best, torch.tensor([0]))
    assert math.isclose(floor.item(), math.log(1 + 3 / math.e), rel_tol=1e-12)
    assert f"{floor:.3f}" == "0.744" and f"{math.log(4):.3f}" == "1.386"


def test_mlp_without_its_non_linearity_is_one_affine_map():
    torch.manual_seed(0)
    W1, b1 = torch.randn(100, 2), torch.randn(100, 1)
    W2, b2 = torch.randn(1, 100), torch.randn(1, 1)
    X = torch.randn(2, 7)
    stacked = W2 @ (W1 @ X + b1) + b2
    assert torch.allclose(stacked, (W2 @ W1) @ X + (W2 @ b1 + b2), rtol=1e-4, atol=1e-3)


def test_activations_leaky_relu_passes_a_hundredth_back_for_negative_inputs():
    x = torch.full((5,), -3.0, requires_grad=True)
    nn.LeakyReLU(0.01)(x).sum().backward()
    assert torch.allclose(x.grad, torch.full((5,), 0.01))


def test_activations_softmax_ignores_a_shift_of_every_score():
    shifted = torch.softmax(torch.tensor([101.0, 102.0, 103.0]), dim=0)
    plain = torch.softmax(torch.tensor([1.0, 2.0, 3.0]), dim=0)
    assert torch.allclose(shifted, plain)
    assert [round(p, 2) for p in plain.tolist()] == [0.09, 0.24, 0.67]


def test_mnist_adamw_shrinks_every_weight_by_one_minus_lr_times_decay():
    weight = torch.tensor([2.0, -3.0], requires_grad=True)
    weight.grad = torch.zeros(2)  # no gradient: only the decay acts
    torch.optim.AdamW([weight], lr=0.001, weight_decay=0.1).step()
    assert torch.allclose(weight.detach(), torch.tensor([2.0, -3.0]) * 0.9999)
