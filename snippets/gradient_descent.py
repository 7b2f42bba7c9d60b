"""Gradient descent on a line: the derivatives by hand, the loop, the learning rate,
autograd, torch.optim, mini-batches and Adam.

The sections between `# --8<-- [start:NAME]` and `# --8<-- [end:NAME]` are shown on
docs/gradient-descent.md, in this order.
"""

# --8<-- [start:imports]
import torch
from matplotlib.figure import Figure
from torch.utils.data import DataLoader, TensorDataset

# --8<-- [end:imports]


# --8<-- [start:line-data]
def line_data(m: int = 40, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """m noisy points around y = 2x + 1, in float64: x (m,), y (m,)."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.linspace(-1, 1, m, dtype=torch.float64)
    y = 2 * x + 1 + 0.3 * torch.randn(m, generator=generator, dtype=torch.float64)
    return x, y


# --8<-- [end:line-data]


# --8<-- [start:line-gradients]
def mse(x, y, w, b):
    return ((w * x + b - y) ** 2).mean()


def line_gradients(x, y, w, b):
    """dL/dw and dL/db of L = mean((w x + b - y)^2), from the formulas derived above."""
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(
            f"expected x and y of the same shape (m,), "
            f"got {tuple(x.shape)} and {tuple(y.shape)}"
        )
    error = w * x + b - y  # (m,)
    return 2 * (error * x).mean(), 2 * error.mean()


# --8<-- [end:line-gradients]


# --8<-- [start:fit-line]
def fit_line(x, y, lr=0.1, steps=100):
    """Gradient descent from w = b = 0; returns (w, b, loss) before each step
    and at the end."""
    w, b = torch.tensor(0.0, dtype=x.dtype), torch.tensor(0.0, dtype=x.dtype)
    history = []
    for _ in range(steps):
        history.append((w.item(), b.item(), mse(x, y, w, b).item()))
        dw, db = line_gradients(x, y, w, b)
        w, b = w - lr * dw, b - lr * db
    history.append((w.item(), b.item(), mse(x, y, w, b).item()))
    return history


# --8<-- [end:fit-line]


# --8<-- [start:fit-line-sgd]
def fit_line_sgd(x, y, lr=0.1, steps=100, momentum=0.0):
    """The same descent, with autograd computing the gradients
    and torch.optim.SGD the update."""
    w = torch.zeros((), dtype=x.dtype, requires_grad=True)
    b = torch.zeros((), dtype=x.dtype, requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=lr, momentum=momentum)
    for _ in range(steps):
        # clears .grad (sets it to None), since backward() adds to it
        optimizer.zero_grad()
        mse(x, y, w, b).backward()
        optimizer.step()  # momentum=0: w -= lr * w.grad, b -= lr * b.grad
    return w.item(), b.item()


# --8<-- [end:fit-line-sgd]


# --8<-- [start:minibatch]
def fit_line_minibatch(x, y, lr=0.1, epochs=10, batch_size=8, seed=0):
    """Stochastic gradient descent: each step uses the gradient of a shuffled
    mini-batch; returns the parameters and the loss on all points after each epoch."""
    w = torch.zeros((), dtype=x.dtype, requires_grad=True)
    b = torch.zeros((), dtype=x.dtype, requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=lr)
    batches = DataLoader(
        TensorDataset(x, y),
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    losses = []
    for _ in range(epochs):
        for x_batch, y_batch in batches:
            optimizer.zero_grad()
            mse(x_batch, y_batch, w, b).backward()
            optimizer.step()
        with torch.no_grad():
            losses.append(mse(x, y, w, b).item())
    return w.item(), b.item(), losses


# --8<-- [end:minibatch]


# --8<-- [start:first-step]
def first_step(optimizer_class, x, y, scale=1.0, lr=0.1):
    """The change one optimizer step makes to (w, b), starting from 0,
    on the loss times `scale`."""
    params = torch.zeros(2, dtype=x.dtype, requires_grad=True)  # (w, b)
    optimizer = optimizer_class([params], lr=lr)
    (scale * mse(x, y, params[0], params[1])).backward()
    optimizer.step()
    return params.detach().clone()


def adam_steps(x, y, lr=0.1, steps=100):
    """Adam from w = b = 0: after each step, how far it moved (the larger of the two
    moves) and the loss."""
    params = torch.zeros(2, dtype=x.dtype, requires_grad=True)
    optimizer = torch.optim.Adam([params], lr=lr)
    moves, losses = [], []
    for _ in range(steps):
        before = params.detach().clone()
        optimizer.zero_grad()
        mse(x, y, params[0], params[1]).backward()
        optimizer.step()
        moves.append((params.detach() - before).abs().max().item())
        losses.append(mse(x, y, params[0], params[1]).item())
    return moves, losses


# --8<-- [end:first-step]


# --8<-- [start:plots]
def plot_line_fit(x, y, history, steps=(0, 5, 20, 100)) -> Figure:
    figure = Figure(figsize=(5, 5.4), layout="constrained")
    fit_ax, loss_ax = figure.subplots(2, 1)
    fit_ax.scatter(x, y, s=12, color="C7", label="data")
    styles = ["-", "--", "-.", ":"]
    for i, step in enumerate(steps):
        w, b, _ = history[step]
        style = dict(color=f"C{i}", linestyle=styles[i % 4], label=f"step {step}")
        fit_ax.plot(x, w * x + b, **style)
    fit_ax.set(xlabel="$x$", ylabel="$y$")
    fit_ax.legend(ncols=2)
    loss_ax.plot([loss for _, _, loss in history], color="C0")
    loss_ax.set(xlabel="step", ylabel="MSE loss", yscale="log")
    loss_ax.grid(alpha=0.4)
    return figure


def plot_learning_rates(histories: dict) -> Figure:
    """histories: {learning rate: fit_line history}"""
    figure = Figure(figsize=(5, 3.4), layout="constrained")
    ax = figure.subplots()
    styles = ["-", "--", "-.", ":"]
    for i, (lr, history) in enumerate(histories.items()):
        ax.plot(
            [loss for _, _, loss in history],
            color=f"C{i}",
            linestyle=styles[i % 4],
            label=f"lr {lr}",
        )
    ax.set(xlabel="step", ylabel="MSE loss", yscale="log", ylim=(0.05, 100))
    ax.legend(ncols=2)
    ax.grid(alpha=0.4)
    return figure


# --8<-- [end:plots]
