"""snippets/gradient_descent.py: the hand-derived gradients of a line fit against autograd, the loop, the
learning rate, mini-batches and Adam's scale invariance."""

import pytest
import torch

from snippets import gradient_descent as gd

F64 = torch.float64


def largest_difference(a, b) -> float:
    return (a - b).abs().max().item()



@pytest.mark.parametrize("w, b", [(0.0, 0.0), (0.5, -0.3), (-3.0, 2.0)])
def test_line_gradients_equal_autograd(w, b):
    x, y = gd.line_data(m=25, seed=4)
    w = torch.tensor(w, dtype=F64, requires_grad=True)
    b = torch.tensor(b, dtype=F64, requires_grad=True)
    ((w * x + b - y) ** 2).mean().backward()
    dw, db = gd.line_gradients(x, y, w.detach(), b.detach())
    assert largest_difference(dw, w.grad) < 1e-12
    assert largest_difference(db, b.grad) < 1e-12


def test_the_sign_slip_the_page_warns_about_is_caught_by_autograd():
    x, y = gd.line_data()
    b = torch.tensor(0.0, dtype=F64, requires_grad=True)
    ((0.5 * x + b - y) ** 2).mean().backward()
    wrong = 2 * (y - 0.5 * x - b.detach()).mean()  # the inner derivative -1 dropped
    assert (wrong + b.grad).abs() < 1e-12 and b.grad.abs() > 0.1


def test_line_gradients_refuse_mismatched_shapes():
    with pytest.raises(ValueError, match=r"expected x and y of the same shape \(m,\), got \(5,\) and \(4,\)"):
        gd.line_gradients(torch.zeros(5), torch.zeros(4), 0.0, 0.0)
    with pytest.raises(ValueError, match=r"got \(5, 1\) and \(5, 1\)"):
        gd.line_gradients(torch.zeros(5, 1), torch.zeros(5, 1), 0.0, 0.0)


def test_gradient_descent_fits_the_line_and_matches_torch_optim():
    x, y = gd.line_data()
    history = gd.fit_line(x, y, lr=0.1, steps=100)
    losses = [loss for _, _, loss in history]
    assert len(history) == 101
    assert all(later <= earlier for earlier, later in zip(losses, losses[1:]))
    w, b, _ = history[-1]
    assert abs(w - 2) < 0.2 and abs(b - 1) < 0.2
    w_sgd, b_sgd = gd.fit_line_sgd(x, y, lr=0.1, steps=100)
    assert abs(w_sgd - w) < 1e-12 and abs(b_sgd - b) < 1e-12


def test_a_learning_rate_above_one_diverges_and_below_converges():
    x, y = gd.line_data()
    assert gd.fit_line(x, y, lr=1.1, steps=30)[-1][2] > 1e3
    assert gd.fit_line(x, y, lr=0.9, steps=200)[-1][2] < 0.08


def test_minibatch_sgd_ends_near_the_full_batch_line():
    x, y = gd.line_data()
    w, b, losses = gd.fit_line_minibatch(x, y, epochs=30)
    w_full, b_full, _ = gd.fit_line(x, y, steps=300)[-1]
    assert abs(w - w_full) < 0.1 and abs(b - b_full) < 0.1 and losses[-1] < losses[0]


@pytest.mark.parametrize("scale", [1e-2, 1.0, 1e3])
def test_adams_first_step_is_the_learning_rate_whatever_the_scale(scale):
    x, y = gd.line_data()
    adam = gd.first_step(torch.optim.Adam, x, y, scale=scale)
    torch.testing.assert_close(adam, torch.full((2,), 0.1, dtype=F64), rtol=1e-5, atol=0)  # up to Adam's eps
    sgd = gd.first_step(torch.optim.SGD, x, y, scale=scale)
    torch.testing.assert_close(sgd, scale * gd.first_step(torch.optim.SGD, x, y))
