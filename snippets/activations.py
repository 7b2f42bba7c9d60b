"""Activation functions: what each computes, what its gradient does, what that does
to training.

The sections between `# --8<-- [start:NAME]` and `# --8<-- [end:NAME]` are shown on
docs/activations.md, in this order. bench/activations.py prints the cost measurement.
"""

# --8<-- [start:imports]
import math
import statistics
import time

import torch
from matplotlib.figure import Figure
from torch import nn

# --8<-- [end:imports]


# --8<-- [start:network]
def plot_network(sizes=(2, 3, 1)) -> Figure:
    """Units as circles, weights as lines, and what each layer computes."""
    figure = Figure(figsize=(5, 2.8), layout="constrained")
    ax = figure.subplots()
    # (x, y) of each unit, layer by layer
    columns = [[(i, (n - 1) / 2 - j) for j in range(n)] for i, n in enumerate(sizes)]
    for left, right in zip(columns, columns[1:]):
        for start in left:
            for end in right:
                ax.plot(*zip(start, end), color="C7", linewidth=1, zorder=1)
    for i, column in enumerate(columns):
        for x, y in column:
            ax.scatter(x, y, s=500, color="C0" if i == 0 else "C1", zorder=2)
    labels = [
        ("input", r"$\mathbf{x}$"),
        ("hidden layer", r"$\mathbf{a} = f(W_1 \mathbf{x} + \mathbf{b}_1)$"),
        ("output", r"$W_2 \mathbf{a} + b_2$"),
    ]
    for i, (title, formula) in enumerate(labels):
        ax.text(
            i, -(max(sizes) + 0.4) / 2, f"{title}\n{formula}", ha="center", va="top"
        )
    ax.set(xlim=(-0.5, len(sizes) - 0.5), ylim=(-max(sizes), max(sizes) / 2 + 0.2))
    ax.axis("off")
    return figure


# --8<-- [end:network]


# --8<-- [start:activations]
ACTIVATIONS = {  # name -> a class; PReLU's instances each hold a learned slope
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "ReLU": nn.ReLU,
    "LeakyReLU": nn.LeakyReLU,  # slope 0.01 for x < 0
    "PReLU": nn.PReLU,  # slope learned, starts at 0.25
    "GELU": nn.GELU,
    "SiLU": nn.SiLU,
}


def check_float(x, name: str = "x") -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f"expected {name} to be a torch.Tensor, got {type(x).__name__}; "
            f"wrap it with torch.tensor(...)"
        )
    if not x.is_floating_point():
        raise ValueError(
            f"expected floating-point {name}, got {x.dtype}; "
            f"convert it with {name}.float()"
        )


def value_and_derivative(f, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """f(x) and f'(x) at every point of a 1-D tensor x, the derivative from autograd."""
    check_float(x)
    if x.ndim != 1:
        raise ValueError(
            f"expected a 1-D tensor of points, got shape {tuple(x.shape)}; "
            f"flatten it with x.flatten()"
        )
    x = x.detach().clone().requires_grad_(True)
    y = f(x)
    # y_i depends on x_i only: d(sum)/dx_i = f'(x_i)
    (dy_dx,) = torch.autograd.grad(y.sum(), x)
    return y.detach(), dy_dx


def plot_functions(x: torch.Tensor) -> Figure:
    """Every activation (solid) and its autograd derivative (dashed), one panel each."""
    panels = {name: make() for name, make in ACTIVATIONS.items()}
    panels["softmax((x, 0))[0]"] = lambda t: torch.softmax(
        torch.stack([t, 0 * t]), dim=0
    )[0]
    figure = Figure(figsize=(5, 8.4), layout="constrained")
    for ax, (name, f) in zip(
        figure.subplots(4, 2, sharex=True, sharey=True).flat, panels.items()
    ):
        y, dy = value_and_derivative(f, x)
        ax.axhline(0, color="C7", linewidth=0.8)
        ax.axvline(0, color="C7", linewidth=0.8)
        ax.plot(x, y, color="C0", label="f(x)")
        ax.plot(x, dy, color="C1", linestyle="--", label="f'(x)")
        ax.set_title(name)
        ax.set_ylim(-1.3, 2.3)
        ax.grid(alpha=0.3)
    figure.axes[0].legend(loc="upper left")
    figure.supxlabel("x")
    return figure


# --8<-- [end:activations]


# --8<-- [start:properties]
def properties(f, lo=-6.0, hi=6.0, n=12001) -> dict:
    """Numbers a table of activations usually states in words, computed on a fine
    grid, in float64."""
    x = torch.linspace(lo, hi, n, dtype=torch.float64)
    y, dy = value_and_derivative(f.double() if isinstance(f, nn.Module) else f, x)
    # the N(0, 1) density on the grid
    normal = torch.exp(-(x**2) / 2) / math.sqrt(2 * math.pi)
    step = (hi - lo) / (n - 1)
    return {
        "smallest value": y.min().item(),
        "mean for N(0, 1) inputs": (y * normal).sum().item() * step,
        "smallest slope": dy.min().item(),
        "slope at x = -6": dy[0].item(),
    }


# --8<-- [end:properties]


def relative_cost(
    n=100_000, repeats=15, number=20, names=None
) -> dict[str, float]:  # bench/activations.py
    """Forward time of each activation on n float32 numbers, one thread,
    relative to ReLU.

    A round times `number` calls of every activation in turn; the result is the median,
    over `repeats` rounds, of time / ReLU's time in the same round: a busy moment of the
    machine slows them all.
    """
    names = list(ACTIVATIONS) if names is None else list(names)
    if "ReLU" not in names:
        names.insert(0, "ReLU")
    x = torch.randn(n, generator=torch.Generator().manual_seed(0))
    functions = {name: ACTIVATIONS[name]() for name in names}
    ratios = {name: [] for name in names}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.no_grad():
            for f in functions.values():
                f(x)  # warm-up
            for _ in range(repeats):
                seconds = {}
                for name, f in functions.items():
                    start = time.perf_counter()
                    for _ in range(number):
                        f(x)
                    seconds[name] = time.perf_counter() - start
                for name in names:
                    ratios[name].append(seconds[name] / seconds["ReLU"])
    finally:
        torch.set_num_threads(threads)
    return {name: statistics.median(ratios[name]) for name in names}


# --8<-- [start:collapse]
def collapse(first: nn.Linear, second: nn.Linear) -> nn.Linear:
    """The one layer equal to second(first(x)): W = W2 W1, b = W2 b1 + b2."""
    if first.out_features != second.in_features:
        raise ValueError(
            "expected second.in_features == "
            f"first.out_features ({first.out_features}), "
            f"got {second.in_features}; the layers must chain"
        )
    one = nn.Linear(first.in_features, second.out_features)
    with torch.no_grad():
        one.weight.copy_(second.weight @ first.weight)
        one.bias.copy_(second.weight @ first.bias + second.bias)
    return one


# --8<-- [end:collapse]


# --8<-- [start:deep]
def check_activation(activation: str) -> None:
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"expected an activation in {list(ACTIVATIONS)}, got {activation!r}"
        )


def deep_mlp(activation: str, depth=10, width=64, gain=None, seed=0) -> nn.Sequential:
    """`depth` linear layers, width x width, with `activation` between them.

    gain=None keeps PyTorch's default initialisation; otherwise the weights are drawn
    from N(0, gain² / fan_in) and the biases are 0.
    """
    check_activation(activation)
    torch.manual_seed(seed)
    layers = [nn.Linear(width, width)]
    for _ in range(depth - 1):
        layers += [ACTIVATIONS[activation](), nn.Linear(width, width)]
    model = nn.Sequential(*layers)
    if gain is not None:
        for layer in model:
            if isinstance(layer, nn.Linear):
                nn.init.normal_(layer.weight, std=gain / math.sqrt(layer.in_features))
                nn.init.zeros_(layer.bias)
    return model


def deep_batch(n=256, width=64, seed=0) -> tuple[torch.Tensor, torch.Tensor]:
    """A fixed batch of random inputs X (n, width) and random targets y (n, width)."""
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, width, generator=generator)
    return X, torch.randn(n, width, generator=generator)


def gradient_sizes(
    model: nn.Sequential, X: torch.Tensor, y: torch.Tensor
) -> list[float]:
    """RMS gradient of each linear layer's weights (first layer first),
    one backward pass."""
    check_float(X, "X")
    model.zero_grad()
    nn.functional.mse_loss(model(X), y).backward()
    linears = [layer for layer in model if isinstance(layer, nn.Linear)]
    return [layer.weight.grad.pow(2).mean().sqrt().item() for layer in linears]


def plot_gradient_sizes(panels: dict[str, dict[str, list[float]]]) -> Figure:
    """One panel per initialisation: each layer's gradient size per activation,
    log scale."""
    figure = Figure(figsize=(5, 2.3 * len(panels)), layout="constrained")
    axes = figure.subplots(len(panels), 1, sharex=True)
    markers = ["o", "s", "^", "D"]
    for ax, (title, sizes) in zip(axes, panels.items()):
        for i, (name, values) in enumerate(sizes.items()):
            layers = range(1, len(values) + 1)
            ax.plot(layers, values, marker=markers[i % 4], color=f"C{i}", label=name)
        ax.set_yscale("log")
        ax.set_title(title)
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel("layer (1 = next to the input)")
    figure.supylabel("RMS gradient of the weights")
    axes[0].legend(ncols=3, loc="lower right")
    return figure


# --8<-- [end:deep]


# --8<-- [start:spirals]
def two_spirals(n_per_class=200, noise=0.04, seed=0, dtype=torch.float64):
    """Two interleaved spirals: X (2n, 2) in about [-2, 2]², labels y (2n,)
    of 0.0 and 1.0."""
    generator = torch.Generator().manual_seed(seed)
    # sqrt: even spread
    t = torch.rand(n_per_class, generator=generator).sqrt() * 3 * math.pi
    X, y = [], []
    for label in (0, 1):
        # the second spiral is the first turned by half a turn
        angle = t + label * math.pi
        points = torch.stack([t * torch.cos(angle), t * torch.sin(angle)], dim=1)
        X.append(
            points / (1.5 * math.pi)
            + noise * torch.randn(n_per_class, 2, generator=generator)
        )
        y.append(torch.full((n_per_class,), float(label)))
    return torch.cat(X).to(dtype), torch.cat(y).to(dtype)


def small_mlp(activation: str, width=32, seed=0, dtype=torch.float64) -> nn.Sequential:
    """2 -> width -> width -> 1 (a logit), with `activation` after each hidden layer."""
    check_activation(activation)
    torch.manual_seed(seed)
    f = ACTIVATIONS[activation]
    model = nn.Sequential(
        nn.Linear(2, width), f(), nn.Linear(width, width), f(), nn.Linear(width, 1)
    )
    return model.to(dtype)  # float64: the same digits on every machine (see the note)


def fit(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    steps=300,
    lr=0.01,
    optimizer="adam",
) -> list[float]:
    """Full-batch Adam (or plain SGD) on the binary cross-entropy of the logits;
    the loss at each step."""
    check_float(X, "X")
    if X.ndim != 2 or y.shape != X.shape[:1]:
        raise ValueError(
            f"expected X of shape (n, features) and y of shape (n,), "
            f"got {tuple(X.shape)} and {tuple(y.shape)}"
        )
    model.train()
    optimizers = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}
    optimizer = optimizers[optimizer](model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.binary_cross_entropy_with_logits(model(X).squeeze(-1), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@torch.no_grad()
def accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    return ((model(X).squeeze(-1) > 0).to(y.dtype) == y).to(y.dtype).mean().item()


def compare(
    names, X, y, lrs=(0.01, 0.03), seeds=(0, 1), optimizer="adam", steps=300
) -> dict:
    """For each activation, train from each seed at each learning rate; keep the rate
    with the lowest mean final loss. Returns, per activation: that rate, the mean final
    loss and accuracy over the seeds, and the first seed's loss curve."""
    results = {}
    for name in names:
        runs = {}
        for lr in lrs:
            models = [small_mlp(name, seed=seed) for seed in seeds]
            curves = [
                fit(model, X, y, steps=steps, lr=lr, optimizer=optimizer)
                for model in models
            ]
            runs[lr] = {
                "lr": lr,
                "loss": sum(curve[-1] for curve in curves) / len(curves),
                "accuracy": sum(accuracy(model, X, y) for model in models)
                / len(models),
                "curve": curves[0],
            }
        results[name] = min(runs.values(), key=lambda run: run["loss"])
    return results


def plot_spirals(X: torch.Tensor, y: torch.Tensor) -> Figure:
    figure = Figure(figsize=(5, 4), layout="constrained")
    ax = figure.subplots()
    for label, marker in ((0, "o"), (1, "^")):
        ax.scatter(
            *X[y == label].T,
            s=12,
            color=f"C{label}",
            marker=marker,
            label=f"y = {label}",
        )
    ax.set_aspect("equal")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return figure


def plot_losses(curves: dict[str, list[float]]) -> Figure:
    figure = Figure(figsize=(5, 4), layout="constrained")
    ax = figure.subplots()
    styles = ["-", "--", "-.", ":"]
    for i, (name, losses) in enumerate(curves.items()):
        ax.plot(losses, color=f"C{i}", linestyle=styles[i % 4], linewidth=2, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("step (full batch)")
    ax.set_ylabel("BCE loss")
    ax.grid(alpha=0.3)
    ax.legend(ncols=2, loc="lower left")
    return figure


# --8<-- [end:spirals]


# --8<-- [start:dead]
def dead_units(model: nn.Sequential, X: torch.Tensor) -> list[torch.Tensor]:
    """For each activation layer, which units are dead: the activation's slope is 0 on
    every example of X, so no example sends a gradient back through them."""
    check_float(X, "X")
    dead = []
    Z = X.detach()  # the input of the next layer
    for layer in model:
        if isinstance(layer, nn.ReLU):  # slope 0 where the pre-activation is <= 0
            dead.append((Z <= 0).all(dim=0))
        elif isinstance(layer, tuple(ACTIVATIONS.values())):
            z = Z.detach().requires_grad_()
            (slope,) = torch.autograd.grad(layer(z).sum(), z)  # f'(z), element-wise
            dead.append((slope == 0).all(dim=0))
        Z = layer(Z).detach()
    return dead  # (units,) per activation layer


def dead_share(model: nn.Sequential, X: torch.Tensor) -> float:
    """Share of all hidden units that are dead."""
    return torch.cat(dead_units(model, X)).float().mean().item()


# --8<-- [end:dead]


# --8<-- [start:softmax]
def naive_softmax(x: torch.Tensor) -> torch.Tensor:
    """The textbook formula, row by row: exp overflows past about 88
    (float32; 710 in float64)."""
    return torch.exp(x) / torch.exp(x).sum(dim=1, keepdim=True)


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """exp(x - max) / sum(exp(x - max)) along `dim`: the same values, no exp above 1."""
    check_float(x)
    if not -x.ndim <= dim < max(x.ndim, 1):
        raise ValueError(
            f"expected dim in [{-x.ndim}, {x.ndim - 1}] for a tensor of shape "
            f"{tuple(x.shape)}, got {dim}"
        )
    z = x - x.amax(dim=dim, keepdim=True)  # amax: the largest value along dim
    return torch.exp(z) / torch.exp(z).sum(dim=dim, keepdim=True)


# --8<-- [end:softmax]
