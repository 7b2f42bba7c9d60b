"""The objects of snippets/perceptron.py, checked directly."""

import pytest
import torch

from snippets import perceptron as p


def test_forward_is_sigmoid_of_the_affine_map_with_one_output_per_row():
    model = p.SigmoidUnit(3)
    x = torch.randn(5, 3)
    expected = torch.sigmoid(x @ model.linear.weight.T + model.linear.bias).squeeze(1)
    torch.testing.assert_close(model(x), expected)
    assert model(x[:1]).shape == (1,)


@pytest.mark.parametrize(
    "x, message",
    [
        (torch.zeros(3), r"expected x of shape \(batch, 3\), got \(3,\); add a batch dimension"),
        (torch.zeros(4, 2), r"expected x of shape \(batch, 3\), got \(4, 2\)$"),
        (torch.zeros(1, 3, 2), r"got \(1, 3, 2\)$"),
        (torch.zeros(2, 3, dtype=torch.int64), "expected floating-point x, got torch.int64"),
    ],
)
def test_bad_input_is_refused_naming_expected_and_got(x, message):
    with pytest.raises(ValueError, match=message):
        p.SigmoidUnit(3)(x)


def test_two_blobs_is_balanced_and_reproducible():
    X, y = p.two_blobs(50, seed=3)
    assert X.shape == (100, 2) and y.shape == (100,) and y.sum() == 50
    torch.testing.assert_close(X, p.two_blobs(50, seed=3)[0])


def test_training_lowers_the_loss_and_separates_the_blobs():
    X, y = p.two_blobs()
    history = p.train(p.SigmoidUnit(2), X, y, epochs=10)
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


def test_leading_dimensions_are_kept_as_nn_linear_keeps_them():
    model = p.SigmoidUnit(3)
    x = torch.randn(4, 5, 3)
    torch.testing.assert_close(model(x), model(x.reshape(20, 3)).reshape(4, 5))


def test_rosenblatts_rule_converges_on_and_and_or_and_never_on_xor():
    for name in ("AND", "OR"):
        w, b, mistakes = p.rosenblatt(p.GATE_INPUTS, p.GATES[name], epochs=20)
        assert mistakes[-1] == 0 and torch.equal((p.GATE_INPUTS @ w + b > 0).float(), p.GATES[name])
    assert min(p.rosenblatt(p.GATE_INPUTS, p.GATES["XOR"], epochs=50)[2]) > 0


def test_training_runs_in_train_mode_and_evaluation_in_eval_mode():
    model = p.SigmoidUnit(2)
    modes = []
    model.register_forward_pre_hook(lambda module, args: modes.append(module.training))
    X, y = p.two_blobs(10)
    p.train(model, X, y, epochs=1, batch_size=20)
    assert modes == [False, True, False]  # evaluate before, the one batch, evaluate after
