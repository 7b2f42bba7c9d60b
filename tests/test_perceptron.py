"""The objects of snippets/perceptron.py, checked directly."""

import pytest
import torch

from snippets import perceptron as p


def test_forward_is_sigmoid_of_the_affine_map_with_one_output_per_row():
    model = p.Perceptron(3)
    x = torch.randn(5, 3)
    expected = torch.sigmoid(x @ model.linear.weight.T + model.linear.bias).squeeze(1)
    torch.testing.assert_close(model(x), expected)
    assert model(x[:1]).shape == (1,)


@pytest.mark.parametrize(
    "x, message",
    [
        (torch.zeros(3), r"expected x of shape \(batch, 3\), got \(3,\); add a batch dimension"),
        (torch.zeros(4, 2), r"expected x of shape \(batch, 3\), got \(4, 2\)$"),
        (torch.zeros(1, 2, 3), r"got \(1, 2, 3\)$"),
        (torch.zeros(2, 3, dtype=torch.int64), "expected floating-point x, got torch.int64"),
    ],
)
def test_bad_input_is_refused_naming_expected_and_got(x, message):
    with pytest.raises(ValueError, match=message):
        p.Perceptron(3)(x)


def test_two_blobs_is_balanced_and_reproducible():
    X, y = p.two_blobs(50, seed=3)
    assert X.shape == (100, 2) and y.shape == (100,) and y.sum() == 50
    torch.testing.assert_close(X, p.two_blobs(50, seed=3)[0])


def test_training_lowers_the_loss_and_separates_the_blobs():
    X, y = p.two_blobs()
    history = p.train(p.Perceptron(2), X, y, epochs=10)
    assert len(history) == 11
    assert history[-1]["loss"] < history[0]["loss"] / 3
    assert history[-1]["accuracy"] >= 0.95


def test_and_or_are_learned_and_xor_is_not():
    for name in ("AND", "OR"):
        predicted = (p.fit_gate(p.GATES[name])(p.GATE_INPUTS) > 0.5).float()
        torch.testing.assert_close(predicted, p.GATES[name])
    xor = p.fit_gate(p.GATES["XOR"])(p.GATE_INPUTS)
    assert ((xor > 0.5).float() == p.GATES["XOR"]).float().mean() <= 0.75


def test_no_line_gets_xor_right_but_one_gets_and_right():
    assert p.best_line(p.GATE_INPUTS, p.GATES["XOR"], n_lines=50_000)[0] == 0.75
    assert p.best_line(p.GATE_INPUTS, p.GATES["AND"])[0] == 1.0
