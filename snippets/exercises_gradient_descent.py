"""The checkers of the gradient-descent chapter's exercises (docs/gradient-descent.md); readers call them through
`snippets.exercises.check`."""

import numbers

import torch

from snippets.checking import Wrong, ask, by_hand, kind, matches, same, slips


def values(count: int) -> str:
    return f"{count} value{'' if count == 1 else 's'}"


def _mae_gradients(answer, *, seed=1, n=30) -> str:
    """answer(x, y, w, b) -> (dL/dw, dL/db) for L = mean(|w x + b - y|)."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, generator=generator, dtype=torch.float64)
    y = 2 * x + 1 + torch.randn(n, generator=generator, dtype=torch.float64)
    w = torch.randn((), generator=generator, dtype=torch.float64).requires_grad_()
    b = torch.randn((), generator=generator, dtype=torch.float64).requires_grad_()
    (w * x + b - y).abs().mean().backward()
    yours = by_hand(answer, x, y, w.detach(), b.detach())
    if isinstance(yours, torch.Tensor) and yours.numel() == 2:
        raise Wrong(
            f"you returned one tensor of shape {tuple(yours.shape)}: return the two as a "
            "tuple `dw, db`, not one tensor of two"
        )
    if not isinstance(yours, (tuple, list)):
        raise Wrong(
            f"you returned one value ({kind(yours)}) instead of two: return dL/dw, dL/db"
        )
    if len(yours) != 2:
        raise Wrong(f"you returned {values(len(yours))}; return two: dL/dw, dL/db")
    if matches(yours[0], b.grad) and matches(yours[1], w.grad):
        raise Wrong("your two derivatives are swapped: return dL/dw first, then dL/db")
    error = (w * x + b - y).detach()
    for name, mine, right, de in (
        ("dL/dw", yours[0], w.grad, x),
        ("dL/db", yours[1], b.grad, torch.ones_like(x)),
    ):
        sign = error.sign() * de
        mistakes = [
            (
                2 * (error * de).mean(),
                (
                    f"your {name} is the squared error's gradient, copied from the page; "
                    "the derivative of |e| is sign(e), not 2e"
                ),
            ),
            (
                (error * de).mean(),
                f"your {name} uses the error itself; the derivative of |e| is sign(e), not e",
            ),
            (-right, f"your {name} has the wrong sign: descent would climb"),
            (
                sign,
                (
                    f"your {name} has shape ({n},), expected (): one value per point; L is "
                    "their mean, so take the mean"
                ),
            ),
            *slips(name, right, count=n, over="points"),
        ]
        hint = "Check the chain rule: d|e|/de = sign(e), then de/dw = x and de/db = 1."
        same(name, mine, right, hint, mistakes)
    return "Both derivatives equal autograd's."


def _max_lr(answer, *, seed=0, n=30) -> str:
    """answer(x) -> the largest learning rate below which gradient descent on L(w, b) = mean((w x + b - y)²)
    converges: 2 / λmax, λmax the largest eigenvalue of L's Hessian; for x = linspace(0, 2, 40), then for
    n random x whose mean is not 0. Right within a relative 1e-6."""
    generator = torch.Generator().manual_seed(seed)
    evenly = torch.linspace(0, 2, 40, dtype=torch.float64)
    shift = 1 + torch.rand((), generator=generator, dtype=torch.float64)  # 1 to 2
    shifted = shift + torch.randn(n, generator=generator, dtype=torch.float64)
    for x, data in ((evenly, "x = linspace(0, 2, 40)"), (shifted, "the random x")):
        mean, square = x.mean(), (x**2).mean()
        hessian = 2 * torch.stack(
            [torch.stack([square, mean]), torch.stack([mean, torch.ones_like(mean)])]
        )
        low, high = torch.linalg.eigvalsh(hessian)  # ascending
        right = 2 / high
        yours = ask(answer, x.clone())
        if isinstance(yours, numbers.Real) and not isinstance(yours, bool):
            yours = float(yours)  # an int, a numpy float
        if not isinstance(yours, (float, torch.Tensor)):
            raise Wrong(
                "return the learning rate as a number, a float or a 0-d tensor, "
                f"got {kind(yours)}"
            )
        if isinstance(yours, float):
            yours = torch.tensor(yours, dtype=torch.float64)
        if (
            yours.shape == ()
            and yours.is_floating_point()
            and torch.isclose(yours.detach().double(), right, rtol=1e-6, atol=0)
        ):
            continue
        mistakes = [
            (
                right / len(x),
                (
                    "your Hessian sums over the points; L is a mean, so its second "
                    "derivatives are means: 2 mean(x²), 2 mean(x), 2"
                ),
            ),
            (
                torch.tensor(1.0, dtype=torch.float64),
                (
                    "you used b's curvature alone (or the page's x, whose mean is 0, instead "
                    "of the x passed in); with mean(x) != 0 the parameters are "
                    "coupled: take the Hessian's largest eigenvalue"
                ),
            ),
            (
                2 / (2 * square),
                (
                    "you used w's curvature alone, 2 mean(x²); the mixed derivative 2 mean(x) "
                    "is not 0, so w and b are coupled: take the Hessian's largest eigenvalue"
                ),
            ),
            (
                1 / high,
                (
                    "your learning rate is 1 / λmax, half the limit: a step multiplies the "
                    "distance by 1 − ηλ, which stays within (−1, 1) while η < 2/λ"
                ),
            ),
            (
                2 / low,
                (
                    "you used the Hessian's smallest eigenvalue; along the largest one the loss "
                    "curves most steeply, and that direction diverges first: 2 / λmax"
                ),
            ),
            (
                high,
                "you returned λmax, the largest eigenvalue itself; the limit is 2 / λmax",
            ),
            (
                4 / high,
                (
                    "your learning rate is twice the limit: your Hessian lacks its factor 2 "
                    "(∂²L/∂w² = 2 mean(x²), ∂²L/∂b² = 2, ∂²L/∂w∂b = 2 mean(x))"
                ),
            ),
            (
                2 / (2 * square + 2),
                (
                    "you divided by the sum of the two curvatures, the Hessian's trace: a safe "
                    "rate, but not the largest; take the largest eigenvalue"
                ),
            ),
            (
                2 / torch.stack([low, high]),
                (
                    "you returned 2/λ for both eigenvalues; the limit is the smaller of the "
                    "two, 2 / λmax: one number"
                ),
            ),
            *slips(f"learning rate for {data}", right),
        ]
        hint = "It is 2 / λmax, λmax the largest eigenvalue of L's 2 × 2 Hessian."
        same(f"learning rate for {data}", yours, right, hint, mistakes)
        raise Wrong(
            f"your learning rate for {data} is {yours.item():.9g}, the limit "
            f"{right.item():.9g}: close, but not within a relative 1e-6; compute in float64"
        )
    return "It is 2 / λmax for evenly spread x from 0 to 2 and for random x."


def sgd_step(param, grad, velocity, lr, beta):
    """One step of torch.optim.SGD(momentum=beta) whose momentum buffer holds `velocity`: the new
    parameter and the new buffer."""
    p = param.clone().requires_grad_()
    p.grad = grad.clone()
    optimizer = torch.optim.SGD([p], lr=lr, momentum=beta)
    optimizer.state[p]["momentum_buffer"] = velocity.clone()
    optimizer.step()
    return p.detach(), optimizer.state[p]["momentum_buffer"]


def _momentum_step(answer, *, seed=0, shapes=((5,), (3, 4))) -> str:
    """answer(param, grad, velocity, lr, beta) -> (new_param, new_velocity): one step of SGD with
    momentum from a given velocity, as torch.optim.SGD(momentum=beta) takes it after its first step."""
    generator = torch.Generator().manual_seed(seed)
    for shape in shapes:
        param, grad, velocity = (
            torch.randn(shape, generator=generator, dtype=torch.float64) for _ in "pgv"
        )
        lr, beta = (
            round(low + 0.4 * torch.rand((), generator=generator).item(), 3)
            for low in (0.1, 0.5)
        )  # lr from 0.1 to 0.5, beta from 0.5 to 0.9
        new_param, new_velocity = sgd_step(param, grad, velocity, lr, beta)
        yours = ask(answer, param.clone(), grad.clone(), velocity.clone(), lr, beta)
        if not isinstance(yours, (tuple, list)):
            raise Wrong(
                f"you returned one value ({kind(yours)}) instead of two: return "
                "new_param, new_velocity"
            )
        if len(yours) != 2:
            raise Wrong(
                f"you returned {values(len(yours))}; return two: new_param, new_velocity"
            )
        if matches(yours[0], new_velocity) and matches(yours[1], new_param):
            raise Wrong(
                "your two results are swapped: return new_param first, then new_velocity"
            )
        velocity_mistakes = [
            (
                beta * velocity + (1 - beta) * grad,
                (
                    "your velocity is the average βv + (1 − β)g; torch.optim.SGD adds the "
                    "whole gradient: v = βv + g (its dampening is 0)"
                ),
            ),
            (
                beta * velocity + lr * grad,
                "torch keeps lr out of the velocity: v = βv + g, then p − lr·v",
            ),
            (
                velocity,
                (
                    "your velocity is the one you were given, unchanged: return the new one, "
                    "βv + g"
                ),
            ),
            (
                velocity + beta * grad,
                "β multiplies the old velocity, not the gradient: v = βv + g",
            ),
        ]
        hint = "torch.optim.SGD(momentum=β) computes v = βv + g, then p − lr·v."
        same("new_velocity", yours[1], new_velocity, hint, velocity_mistakes)
        param_mistakes = [
            (
                param - lr * velocity,
                (
                    "you stepped with the old velocity: update v first, then step with the "
                    "new one, p − lr·v"
                ),
            ),
            (
                param + lr * new_velocity,
                "your parameter moved uphill: the step is p − lr·v, with a minus",
            ),
            (
                param - new_velocity,
                "your step leaves out the learning rate: p − lr·v",
            ),
            (
                param - lr * grad,
                (
                    "your parameter took a plain SGD step, p − lr·g; with momentum it steps "
                    "along the velocity: p − lr·v"
                ),
            ),
        ]
        same("new_param", yours[0], new_param, hint, param_mistakes)
    return (
        "Your step equals torch.optim.SGD(momentum=beta)'s from a given velocity, on a "
        "vector and a matrix."
    )


CHECKERS = {
    "mae-gradients": _mae_gradients,
    "max-lr": _max_lr,
    "momentum-step": _momentum_step,
}
