"""Loss functions, written from their formulas: MSE, L1 and Huber, cross-entropy, BCE.

The sections between `# --8<-- [start:NAME]` and `# --8<-- [end:NAME]` are shown on
docs/losses.md, in this order. Each loss is checked against its torch class there
and in tests/test_losses.py.
"""

# --8<-- [start:imports]
import torch
from matplotlib.figure import Figure
from torch import nn

# --8<-- [end:imports]


# --8<-- [start:mse]
def mse(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean squared error: the mean of (y_hat - y)² over every element."""
    check_same_shape(y_hat, y)
    return ((y_hat - y) ** 2).mean()


def check_same_shape(prediction: torch.Tensor, target: torch.Tensor) -> None:
    if prediction.shape != target.shape:
        raise ValueError(
            "expected prediction and target of the same shape, got "
            f"{tuple(prediction.shape)} and {tuple(target.shape)}; reshape one "
            "of them, e.g. prediction.squeeze(-1) or target.view(-1, 1)"
        )
    if not (prediction.is_floating_point() and target.is_floating_point()):
        raise ValueError(
            "expected floating-point prediction and target, got "
            f"{prediction.dtype} and {target.dtype}; convert with .float()"
        )


# --8<-- [end:mse]


# --8<-- [start:line]
def line_with_outlier(n: int = 20, seed: int = 0):
    """n points near the line y = 2x + 1 on [0, 1], the last one 10 units up."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.linspace(0, 1, n)
    y = 2 * x + 1 + 0.1 * torch.randn(n, generator=generator)
    y[-1] += 10.0  # one bad measurement
    return x, y


def fit_line(x, y, loss_fn, steps: int = 1000, lr: float = 0.1):
    """Fit y ≈ w x + b by minimising loss_fn (full batch); return (w, b)."""
    w = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.Adam([w, b], lr=lr)
    # lr decays to 0, so that L1 (whose gradient never shrinks) settles too
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn(w * x + b, y).backward()
        optimizer.step()
        schedule.step()
    return w.item(), b.item()


# --8<-- [end:line]


# --8<-- [start:cross-entropy]
def cross_entropy(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean over rows of -Σ_c t_c log softmax(z)_c.

    target: class indices, int64 of shape (N,), or class probabilities (N, C).
    """
    check_class_target(logits, target)
    log_p = logits - logits.logsumexp(dim=1, keepdim=True)  # log_softmax, stable
    if target.ndim == 1:  # class indices: log p of the true class in each row
        return -log_p[torch.arange(len(target)), target].mean()
    return -(target * log_p).sum(dim=1).mean()


def check_class_target(logits: torch.Tensor, target: torch.Tensor) -> None:
    if logits.ndim != 2 or not logits.is_floating_point():
        raise ValueError(
            "expected floating-point logits of shape (N, C), got "
            f"{tuple(logits.shape)} {logits.dtype}"
        )
    N, C = logits.shape
    if target.shape == (N,):
        if target.dtype != torch.int64:
            raise ValueError(
                "expected class indices of dtype torch.int64, got "
                f"{target.dtype}; convert with target.long()"
            )
        if N and (target.min() < 0 or target.max() >= C):
            raise ValueError(
                f"expected class indices in [0, {C}), got values from "
                f"{target.min().item()} to {target.max().item()}"
            )
    elif target.shape == (N, C):
        if not target.is_floating_point():
            raise ValueError(
                f"expected floating-point class probabilities of shape ({N}, {C}), "
                f"got {target.dtype}; for class indices pass shape ({N},)"
            )
        sums = target.sum(dim=1)
        sum_to_1 = torch.allclose(sums, torch.ones_like(sums), atol=1e-4)
        if N and (target.min() < 0 or not sum_to_1):
            raise ValueError(
                "expected class-probability rows that are non-negative and sum "
                f"to 1, got a minimum of {target.min().item():.2f} and row sums "
                f"from {sums.min().item():.2f} to {sums.max().item():.2f}; pass "
                "class indices, or make each row a distribution (e.g. one-hot)"
            )
    else:
        raise ValueError(
            f"expected a target of shape ({N},) (class indices) or ({N}, {C}) "
            f"(class probabilities), got {tuple(target.shape)}"
        )


# --8<-- [end:cross-entropy]


# --8<-- [start:iris]
def iris() -> tuple[torch.Tensor, torch.Tensor]:
    """X (150, 4): standardised float32 features; y (150,): int64 classes 0-2."""
    from sklearn.datasets import load_iris

    data = load_iris()
    X = torch.tensor(data.data, dtype=torch.float32)
    X = (X - X.mean(dim=0)) / X.std(dim=0)
    return X, torch.tensor(data.target, dtype=torch.int64)


def fit_classifier(model, X, y, steps: int = 300, lr: float = 0.1) -> float:
    """Full-batch Adam on nn.CrossEntropyLoss; return the loss at the last step."""
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
    return loss.item()


@torch.no_grad()  # evaluation: no graph
def accuracy(model, X, y) -> float:
    model.eval()
    return (model(X).argmax(dim=1) == y).float().mean().item()


# --8<-- [end:iris]


# --8<-- [start:bce]
def binary_cross_entropy(p: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean of -[y log p + (1 - y) log(1 - p)]; p and y in [0, 1]."""
    check_same_shape(p, y)
    if p.numel() and (p.min() < 0 or p.max() > 1):
        raise ValueError(
            "expected probabilities p in [0, 1], got values from "
            f"{p.min().item():.3g} to {p.max().item():.3g}; apply torch.sigmoid "
            "first, or pass the logits to binary_cross_entropy_with_logits"
        )
    check_binary_target(y)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


def binary_cross_entropy_with_logits(z, y):
    """The same loss for p = sigmoid(z), as max(z, 0) - z y + log(1 + e^-|z|)."""
    check_same_shape(z, y)
    check_binary_target(y)
    return (z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))).mean()


def check_binary_target(y: torch.Tensor) -> None:
    if y.numel() and (y.min() < 0 or y.max() > 1):
        raise ValueError(
            "expected targets in [0, 1] (usually 0.0 and 1.0), got values "
            f"from {y.min().item():.3g} to {y.max().item():.3g}"
        )


# --8<-- [end:bce]


# --8<-- [start:logit-gradients]
def logit_gradients(z: torch.Tensor, y: float = 1.0):
    """d loss / d z for each logit z, under MSE on sigmoid(z) and under BCE."""
    z = z.detach().clone().requires_grad_()
    target = torch.full_like(z, y)
    squared_error = ((torch.sigmoid(z) - target) ** 2).sum()
    bce = nn.BCEWithLogitsLoss(reduction="sum")(z, target)
    (mse_grad,) = torch.autograd.grad(squared_error, z)
    (bce_grad,) = torch.autograd.grad(bce, z)
    return mse_grad, bce_grad


# --8<-- [end:logit-gradients]


# --8<-- [start:plot-line-fits]
def plot_line_fits(x, y, fits: dict) -> Figure:
    """The points, and one fitted line per loss: `fits` maps a name to (w, b)."""
    figure = Figure(figsize=(5, 3.8), layout="constrained")
    ax = figure.subplots()
    ax.scatter(x, y, s=18, color="C7", label="data (last point: an outlier)")
    for i, (name, (w, b)) in enumerate(fits.items()):
        label = f"{name}: y = {w:.2f} x + {b:.2f}"
        ax.plot(x, w * x + b, color=f"C{i}", linewidth=2, label=label)
    ax.plot(x, 2 * x + 1, color="C7", linestyle=":", label="true line: y = 2 x + 1")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.4)
    return figure


# --8<-- [end:plot-line-fits]


# --8<-- [start:plot-penalty]
def plot_penalty(marked=(0.9, 0.5, 0.1, 0.01)) -> Figure:
    """The loss -log p of one example against p, the probability of its class."""
    p = torch.linspace(0.001, 1, 500)
    figure = Figure(figsize=(5, 3.4), layout="constrained")
    ax = figure.subplots()
    ax.plot(p, -torch.log(p), color="C0", linewidth=2)
    for q in marked:
        loss = -torch.log(torch.tensor(q)).item()
        ax.plot([q], [loss], "o", color="C1")
        ax.annotate(
            f"p = {q}: {loss:.2f}",
            (q, loss),
            xytext=(0, 12) if q > 0.5 else (8, 6),  # above the point, or right of it
            textcoords="offset points",
            ha="center" if q > 0.5 else "left",
            va="bottom" if q > 0.5 else "baseline",
        )
    ax.set_xlabel("p, the probability the model gives the true class")
    ax.set_ylabel("loss  −log p")
    ax.grid(alpha=0.4)
    return figure


# --8<-- [end:plot-penalty]


# --8<-- [start:plot-saturation]
def plot_saturation(z, bce_loss, logits_loss) -> Figure:
    figure = Figure(figsize=(5, 3.4), layout="constrained")
    ax = figure.subplots()
    ax.plot(z, logits_loss, color="C0", linewidth=2, label="BCEWithLogitsLoss(z, 0)")
    ax.plot(
        z,
        bce_loss,
        color="C1",
        linewidth=2,
        linestyle="--",
        label="BCELoss(sigmoid(z), 0)",
    )
    ax.set_xlabel("logit z (true class y = 0)")
    ax.set_ylabel("loss, computed in float32")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.4)
    return figure


# --8<-- [end:plot-saturation]


# --8<-- [start:plot-logit-gradients]
def plot_logit_gradients(z, mse_grad, bce_grad) -> Figure:
    figure = Figure(figsize=(5, 3.4), layout="constrained")
    ax = figure.subplots()
    ax.plot(z, bce_grad, color="C0", linewidth=2, label="cross-entropy: σ(z) − 1")
    ax.plot(z, mse_grad, color="C1", linewidth=2, linestyle="--", label="MSE on σ(z)")
    ax.axhline(0, color="C7", linewidth=0.8)
    ax.set_xlabel("logit z (true class 1; z < 0: a wrong answer)")
    ax.set_ylabel("d loss / d z")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.4)
    return figure


# --8<-- [end:plot-logit-gradients]
