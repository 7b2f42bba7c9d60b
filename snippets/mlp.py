"""Gradients by hand: linear regression, logistic regression and a one-hidden-layer MLP.

Notation of the page (docs/mlp.md): columns are examples. X is (n, m) for m examples
of n features, Y is (1, m); the MLP has W1 (h, n), b1 (h, 1), W2 (1, h), b2 (1, 1).
The sections between `# --8<-- [start:NAME]` and `# --8<-- [end:NAME]` are shown on
the page, in this order.
"""

# --8<-- [start:imports]
import torch
from matplotlib.figure import Figure
from torch import nn

# --8<-- [end:imports]


# --8<-- [start:logistic]
GATE_X = torch.tensor(
    [[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]], dtype=torch.float64
)  # (n, m) = (2, 4)
GATE_Y = {
    "AND": torch.tensor([[0.0, 0.0, 0.0, 1.0]], dtype=torch.float64),  # (1, m)
    "OR": torch.tensor([[0.0, 1.0, 1.0, 1.0]], dtype=torch.float64),
    "XOR": torch.tensor([[0.0, 1.0, 1.0, 0.0]], dtype=torch.float64),
}


def log_loss(A, Y):
    """Binary cross-entropy -mean(Y log A + (1 - Y) log(1 - A)) over the m columns."""
    return -(Y * torch.log(A) + (1 - Y) * torch.log(1 - A)).mean()


def logistic_gradients(X, Y, w, b):
    """dL/dw (1, n) and dL/db (1, 1) of the log loss of A = sigmoid(w X + b)."""
    m = X.shape[1]
    A = torch.sigmoid(w @ X + b)  # (1, m)
    dZ = A - Y  # (1, m)
    return dZ @ X.T / m, dZ.sum(dim=1, keepdim=True) / m


def fit_logistic(X, Y, lr=1.0, steps=2000, seed=0):
    generator = torch.Generator().manual_seed(seed)
    w = 0.1 * torch.randn(1, X.shape[0], generator=generator, dtype=X.dtype)
    b = torch.zeros(1, 1, dtype=X.dtype)
    for _ in range(steps):
        dw, db = logistic_gradients(X, Y, w, b)
        w, b = w - lr * dw, b - lr * db
    return w, b


# --8<-- [end:logistic]


# --8<-- [start:forward]
def init_params(n: int, h: int, seed: int = 0, dtype=torch.float64) -> dict:
    """Weights drawn from N(0, 1/fan_in), so each unit's sum has a standard deviation
    near 1; biases 0."""
    generator = torch.Generator().manual_seed(seed)
    return {
        "W1": torch.randn(h, n, generator=generator, dtype=dtype) / n**0.5,
        "b1": torch.zeros(h, 1, dtype=dtype),
        "W2": torch.randn(1, h, generator=generator, dtype=dtype) / h**0.5,
        "b2": torch.zeros(1, 1, dtype=dtype),
    }


def forward(X, params):
    """Z1 = W1 X + b1, A1 = tanh(Z1), Z2 = W2 A1 + b2, A2 = sigmoid(Z2);
    one column per example."""
    check_shapes(X, params)
    Z1 = params["W1"] @ X + params["b1"]  # (h, m)
    A1 = torch.tanh(Z1)  # (h, m)
    Z2 = params["W2"] @ A1 + params["b2"]  # (1, m)
    A2 = torch.sigmoid(Z2)  # (1, m)
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def check_shapes(X, params, Y=None) -> None:
    # stack: leading dimensions, for several networks at once
    *stack, h, n = params["W1"].shape
    expected = {
        name: (*stack, *shape)
        for name, shape in {
            "W1": (h, n),
            "b1": (h, 1),
            "W2": (1, h),
            "b2": (1, 1),
        }.items()
    }
    for name, shape in expected.items():
        if tuple(params[name].shape) != shape:
            raise ValueError(
                f"expected {name} of shape {shape}, got {tuple(params[name].shape)}"
            )
    if X.ndim != 2 or X.shape[0] != n:
        hint = (
            "; examples are columns here: pass X.T"
            if X.ndim == 2 and X.shape[1] == n
            else ""
        )
        raise ValueError(
            f"expected X of shape (n, m) = ({n}, m), got {tuple(X.shape)}{hint}"
        )
    if Y is not None and tuple(Y.shape) != (1, X.shape[1]):
        hint = "; pass Y.reshape(1, -1)" if Y.numel() == X.shape[1] else ""
        raise ValueError(
            f"expected Y of shape (1, m) = (1, {X.shape[1]}), "
            f"got {tuple(Y.shape)}{hint}"
        )


# --8<-- [end:forward]


# --8<-- [start:backward]
def backward(X, Y, params, cache):
    """The six formulas derived above; no autograd."""
    check_shapes(X, params, Y)
    m = X.shape[1]
    dZ2 = cache["A2"] - Y  # (1, m)
    dW2 = dZ2 @ cache["A1"].mT / m  # (1, h); .mT transposes the last two dimensions
    db2 = dZ2.sum(dim=-1, keepdim=True) / m  # (1, 1)
    dZ1 = params["W2"].mT @ dZ2 * (1 - cache["A1"] ** 2)  # (h, m)
    dW1 = dZ1 @ X.T / m  # (h, n)
    db1 = dZ1.sum(dim=-1, keepdim=True) / m  # (h, 1)
    return {"dZ2": dZ2, "dW2": dW2, "db2": db2, "dZ1": dZ1, "dW1": dW1, "db1": db1}


# --8<-- [end:backward]


# --8<-- [start:autograd]
def autograd_backward(X, Y, params):
    """The same six quantities from autograd. dZ is the gradient of one example's
    loss, so m dL/dZ."""
    params = {name: p.detach().clone().requires_grad_() for name, p in params.items()}
    cache = forward(X, params)
    cache["Z1"].retain_grad()  # keep the gradients of these intermediate tensors
    cache["Z2"].retain_grad()
    log_loss(cache["A2"], Y).backward()
    m = X.shape[1]
    grads = {"dZ2": m * cache["Z2"].grad, "dZ1": m * cache["Z1"].grad}
    grads.update({"d" + name: p.grad for name, p in params.items()})
    return grads


# --8<-- [end:autograd]


# --8<-- [start:function]
class MLPLoss(torch.autograd.Function):
    """The log loss of the MLP, with the hand-written backward pass plugged into
    autograd."""

    @staticmethod
    def forward(ctx, X, Y, W1, b1, W2, b2):
        params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
        cache = forward(X, params)
        ctx.save_for_backward(X, Y, W1, b1, W2, b2, cache["A1"], cache["A2"])
        return log_loss(cache["A2"], Y)

    @staticmethod
    def backward(ctx, grad_loss):
        X, Y, W1, b1, W2, b2, A1, A2 = ctx.saved_tensors
        grads = backward(
            X, Y, {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, {"A1": A1, "A2": A2}
        )
        return (
            None,
            None,
            *(grad_loss * grads[name] for name in ("dW1", "db1", "dW2", "db2")),
        )


# --8<-- [end:function]


# --8<-- [start:train]
def train_by_hand(X, Y, params, lr=1.0, steps=3000):
    """Full-batch gradient descent with the hand-written passes; returns the parameters
    and the losses."""
    losses = []
    for _ in range(steps):
        cache = forward(X, params)
        losses.append(log_loss(cache["A2"], Y).item())
        grads = backward(X, Y, params, cache)
        params = {name: p - lr * grads["d" + name] for name, p in params.items()}
    return params, losses


# --8<-- [end:train]


# --8<-- [start:layers]
def backward_rows(X, Y, weights, biases):
    """Gradients (dW, db) of each layer of a network with tanh hidden layers and a
    sigmoid output, for the log loss, in PyTorch's layout: X (m, n), one example per
    row; weights[l] (n_out, n_in), as nn.Linear."""
    m = X.shape[0]
    A = [X]  # A[0] = X, then each layer's output
    for l, (W, b) in enumerate(zip(weights, biases)):
        Z = A[-1] @ W.T + b  # (m, n_out)
        A.append(torch.sigmoid(Z) if l == len(weights) - 1 else torch.tanh(Z))
    dZ = A[-1] - Y  # (m, 1): the output layer, as for logistic regression
    grads = []
    for l in reversed(range(len(weights))):
        # dW (n_out, n_in), db (n_out,)
        grads.append((dZ.T @ A[l] / m, dZ.sum(dim=0) / m))
        if l > 0:
            # back through W and the tanh below it
            dZ = dZ @ weights[l] * (1 - A[l] ** 2)
    return grads[::-1]


# --8<-- [end:layers]


# --8<-- [start:module]
class MLP(nn.Module):
    """The same network for rows of examples, PyTorch's convention:
    x (batch, n) -> (batch,)."""

    def __init__(self, n: int, h: int):
        super().__init__()
        self.hidden = nn.Linear(n, h)  # weight (h, n), like W1
        self.output = nn.Linear(h, 1)  # weight (1, h), like W2

    def forward(self, x):
        return torch.sigmoid(self.output(torch.tanh(self.hidden(x)))).squeeze(-1)


def mlp_from_params(params) -> MLP:
    h, n = params["W1"].shape
    model = MLP(n, h).to(params["W1"].dtype)
    with torch.no_grad():
        model.hidden.weight.copy_(params["W1"])
        model.hidden.bias.copy_(params["b1"].squeeze(1))  # (h, 1) -> (h,)
        model.output.weight.copy_(params["W2"])
        model.output.bias.copy_(params["b2"].squeeze(1))
    return model


def train_module(model, X, Y, lr=1.0, steps=3000):
    """Full-batch SGD with autograd; X and Y in the page's (n, m) and (1, m) layout."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        nn.functional.binary_cross_entropy(model(X.T), Y.squeeze(0)).backward()
        optimizer.step()
    return model


# --8<-- [end:module]


# --8<-- [start:sweep]
def noisy_xor(m: int, seed: int, noise: float = 0.2):
    """m points in [-1, 1]², labelled 1 where x1 x2 > 0, each label flipped with
    probability `noise`.

    Returns X (m, 2) and y (m,) in float64, one example per row, and which labels
    were flipped.
    """
    generator = torch.Generator().manual_seed(seed)
    X = 2 * torch.rand(m, 2, generator=generator, dtype=torch.float64) - 1
    clean = (X[:, 0] * X[:, 1] > 0).double()
    flipped = torch.rand(m, generator=generator) < noise
    return X, torch.where(flipped, 1 - clean, clean), flipped


def fit(model, X, y, loss_fn, steps=300, lr=0.1):
    """Full-batch Adam, an optimiser that reaches a small training loss in fewer steps
    than plain descent."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn(model(X).squeeze(-1), y).backward()
        optimizer.step()
    return model


def width_sweep(widths=(1, 4, 32), draws=3, m=100):
    """For each width, the mean over `draws` data sets of: training error, test error
    (2,000 fresh points), and the share of flipped training labels the network
    reproduces."""
    results = {}
    for h in widths:
        rows = []
        for draw in range(draws):
            X, y, flipped = noisy_xor(m, seed=draw)
            X_test, y_test, _ = noisy_xor(2000, seed=100 + draw)
            torch.manual_seed(draw)
            model = nn.Sequential(
                nn.Linear(2, h), nn.Tanh(), nn.Linear(h, 1)
            ).double()  # logits out
            fit(model, X, y, nn.functional.binary_cross_entropy_with_logits)
            with torch.no_grad():
                predicted = (model(X).squeeze(-1) > 0).double()
                predicted_test = (model(X_test).squeeze(-1) > 0).double()
            rows.append(
                [
                    (predicted != y).double().mean(),
                    (predicted_test != y_test).double().mean(),
                    (predicted[flipped] == y[flipped]).double().mean(),
                ]
            )
        results[h] = torch.tensor(rows).mean(dim=0).tolist()
    return results


# --8<-- [end:sweep]


# --8<-- [start:curve]
class Regressor(nn.Module):
    """One hidden tanh layer and a linear output: x (batch, 1) -> (batch,)."""

    def __init__(self, h: int):
        super().__init__()
        self.hidden = nn.Linear(1, h)
        self.output = nn.Linear(h, 1)

    def forward(self, x):
        return self.output(torch.tanh(self.hidden(x))).squeeze(-1)


def fit_sine(widths=(1, 2, 4, 16), seed=0):
    """An MLP of each width fitted to sin(x) on [-2 pi, 2 pi]; returns x, sin x and
    each model."""
    x = torch.linspace(-2 * torch.pi, 2 * torch.pi, 100).unsqueeze(0)  # (1, m)
    y = torch.sin(x)
    models = {}
    for h in widths:
        torch.manual_seed(seed)
        models[h] = fit(
            Regressor(h), x.T, y[0], nn.functional.mse_loss, steps=1000, lr=0.02
        )
    return x, y, models


# --8<-- [end:curve]


# --8<-- [start:plot-gates]
def draw_points(ax, X, Y) -> None:
    for label, marker in ((0, "o"), (1, "^")):
        ax.scatter(
            *X[:, Y[0] == label],
            s=70,
            color=f"C{label}",
            marker=marker,
            label=f"y = {label}",
            zorder=3,
        )


def draw_probability(ax, predict, lim=(-0.5, 1.5)) -> None:
    """Shade where predict(points (2, m)) > 0.5 and draw its 0.5 contour."""
    grid = torch.linspace(*lim, 120, dtype=torch.float64)
    gx, gy = torch.meshgrid(grid, grid, indexing="xy")
    with torch.no_grad():
        p = predict(torch.stack([gx.flatten(), gy.flatten()])).reshape(gx.shape)
    if (
        p.max() - p.min() < 1e-6
    ):  # a constant 0.5 (XOR's best line) has no boundary to draw
        return
    ax.contourf(
        gx, gy, p > 0.5, levels=[-0.5, 0.5, 1.5], colors=["C0", "C1"], alpha=0.15
    )
    ax.contour(gx, gy, p, levels=[0.5], colors="C2", linewidths=2)


def logistic(w, b):
    """The logistic regression w X + b as a function of the points X (2, m)."""
    return lambda points: torch.sigmoid(w @ points + b)


def plot_gates(lines: dict) -> Figure:
    """One panel per gate; `lines` maps a gate to the (w, b) logistic regression
    learned for it."""
    figure = Figure(figsize=(5, 5), layout="constrained")
    axes = figure.subplots(2, 2).flat
    for ax, (name, (w, b)) in zip(axes, lines.items()):
        draw_probability(ax, logistic(w, b))
        draw_points(ax, GATE_X, GATE_Y[name])
        ax.set(title=name, aspect="equal", xlim=(-0.5, 1.5), ylim=(-0.5, 1.5))
    legend = figure.axes[-1]
    legend.axis("off")
    legend.legend(*figure.axes[0].get_legend_handles_labels(), loc="center")
    return figure


# --8<-- [end:plot-gates]


# --8<-- [start:plot-xor]
def plot_xor(params, losses) -> Figure:
    """The loss, the boundary in the input plane, and the four points as the hidden
    layer sees them."""
    figure = Figure(figsize=(5, 5.4), layout="constrained")
    (loss_ax, blank), (input_ax, hidden_ax) = figure.subplots(2, 2)
    blank.axis("off")
    loss_ax.plot(losses, color="C0")
    loss_ax.set(xlabel="step", ylabel="log loss", yscale="log", title="the loss")
    loss_ax.grid(alpha=0.4)
    draw_probability(input_ax, lambda P: forward(P, params)["A2"])
    draw_points(input_ax, GATE_X, GATE_Y["XOR"])
    input_ax.set(title="input plane", xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    A1 = forward(GATE_X, params)["A1"]
    w, b = params["W2"][0], params["b2"][0, 0]  # the output unit's line w · a + b = 0
    a = torch.linspace(-1.1, 1.1, 50, dtype=torch.float64)
    hidden_ax.plot(
        a, -(w[0] * a + b) / w[1], color="C2", linewidth=2, label="$W_2 a + b_2 = 0$"
    )
    draw_points(hidden_ax, A1, GATE_Y["XOR"])
    labels = {}  # points that land on the same spot share one label
    for (a1, a2), (x1, x2) in zip(A1.T.tolist(), GATE_X.T.tolist()):
        labels.setdefault((round(a1, 1), round(a2, 1)), []).append(
            f"({x1:.0f}, {x2:.0f})"
        )
    for (a1, a2), names in labels.items():
        inward = (-8 if a1 > 0 else 8, -8 if a2 > 0 else 8)  # text towards the centre
        hidden_ax.annotate(
            "\n".join(names),
            (a1, a2),
            xytext=inward,
            textcoords="offset points",
            ha="right" if a1 > 0 else "left",
            va="top" if a2 > 0 else "bottom",
        )
    hidden_ax.set(
        xlim=(-1.1, 1.1), ylim=(-1.1, 1.1), aspect="equal", title="hidden layer (A1)"
    )
    hidden_ax.set(xlabel="unit 1", ylabel="unit 2")
    blank.legend(*hidden_ax.get_legend_handles_labels(), loc="center")
    return figure


# --8<-- [end:plot-xor]


# --8<-- [start:plot-sweep]
def plot_sweep(results: dict, bayes: float) -> Figure:
    figure = Figure(figsize=(5, 3.4), layout="constrained")
    ax = figure.subplots()
    ax.axhline(bayes, color="C7", linestyle="--", label="best possible (Bayes) error")
    widths = list(results)
    for column, label in enumerate(("training error", "test error")):
        errors = [r[column] for r in results.values()]
        ax.plot(widths, errors, marker="o", color=f"C{column}", label=label)
    ax.set(
        xscale="log",
        xlabel="hidden units h",
        ylabel="error rate (mean of 3)",
        ylim=(0, 0.5),
    )
    ax.set_xticks(widths, [str(h) for h in widths])
    ax.grid(alpha=0.4)
    ax.legend()
    return figure


# --8<-- [end:plot-sweep]


# --8<-- [start:plot-sine]
def plot_sine(x, y, models) -> Figure:
    figure = Figure(figsize=(5, 3.4), layout="constrained")
    ax = figure.subplots()
    ax.plot(x[0], y[0], color="C7", linewidth=6, alpha=0.4, label="sin x")
    with torch.no_grad():
        for colour, (h, model) in enumerate(models.items()):
            ax.plot(
                x[0],
                model(x.T),
                color=f"C{colour}",
                linestyle=["-", "--", "-.", ":"][colour % 4],
                label=f"h = {h}",
            )
    ax.set(xlabel="$x$", ylabel="$y$", ylim=(-1.6, 2.4))
    ax.legend(ncols=3, loc="upper center")
    return figure


# --8<-- [end:plot-sine]
