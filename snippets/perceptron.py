"""The sigmoid unit p = sigmoid(w · x + b) (logistic regression), trained with binary
cross-entropy, and Rosenblatt's perceptron, the step unit with its own learning rule.

The sections between `# --8<-- [start:NAME]` and `# --8<-- [end:NAME]` are shown on
docs/perceptron.md, in this order.
"""

# --8<-- [start:imports]
import torch
from matplotlib.figure import Figure
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

# --8<-- [end:imports]


# --8<-- [start:model]
class SigmoidUnit(nn.Module):
    """One unit: p = sigmoid(w · x + b) for every row x of a batch."""

    def __init__(self, in_features: int):
        super().__init__()
        self.linear = nn.Linear(in_features, 1)  # w: (1, in_features), b: (1,)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_batch(x, self.linear.in_features)
        return torch.sigmoid(self.linear(x)).squeeze(-1)  # (..., 1) -> (...,)


def check_batch(x: torch.Tensor, in_features: int) -> None:
    """Like nn.Linear: any leading dimensions, features last; but one example needs
    its batch dimension."""
    if x.ndim < 2 or x.shape[-1] != in_features:
        hint = "; add a batch dimension with x.unsqueeze(0)" if x.ndim == 1 else ""
        raise ValueError(
            f"expected x of shape (batch, {in_features}), got {tuple(x.shape)}{hint}"
        )
    if not x.is_floating_point():
        raise ValueError(
            f"expected floating-point x, got {x.dtype}; convert it with x.float()"
        )


# --8<-- [end:model]


# --8<-- [start:data]
def two_blobs(
    n_per_class: int = 100, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Two Gaussian clouds in the plane: X (2n, 2) and labels y (2n,) of 0.0 and 1.0."""
    generator = torch.Generator().manual_seed(seed)
    centres = torch.tensor([[-1.0, -1.0], [1.0, 1.0]])
    X = torch.cat(
        [
            centre + 0.7 * torch.randn(n_per_class, 2, generator=generator)
            for centre in centres
        ]
    )
    y = torch.cat([torch.zeros(n_per_class), torch.ones(n_per_class)])
    return X, y


# --8<-- [end:data]


# --8<-- [start:train]
@torch.no_grad()  # no graph: nothing here is differentiated
def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> dict:
    # a habit: this unit behaves the same in both modes, some layers do not
    model.eval()
    device = model.linear.weight.device
    probabilities = model(X.to(device))
    y = y.to(device)
    return {
        "loss": nn.functional.binary_cross_entropy(probabilities, y).item(),
        "accuracy": ((probabilities > 0.5).float() == y).float().mean().item(),
        "w": model.linear.weight.detach().squeeze(0).cpu().clone(),  # a copy on CPU too
        "b": model.linear.bias.detach().cpu().clone(),
    }


def train(model, X, y, epochs=20, lr=0.5, batch_size=16, seed=0) -> list[dict]:
    """Mini-batch SGD on the BCE loss, on the model's device; the state after each
    epoch (index 0: before)."""
    device = model.linear.weight.device
    batches = DataLoader(
        TensorDataset(X, y),
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    loss_fn = nn.BCELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = [evaluate(model, X, y)]
    for epoch in range(epochs):
        model.train()
        for X_batch, y_batch in batches:
            X_batch, y_batch = X_batch.to(device), y_batch.to(device)
            optimizer.zero_grad()
            loss = loss_fn(model(X_batch), y_batch)
            loss.backward()
            optimizer.step()
        history.append(evaluate(model, X, y))
    return history


# --8<-- [end:train]


# --8<-- [start:gates]
GATE_INPUTS = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
GATES = {
    "AND": torch.tensor([0.0, 0.0, 0.0, 1.0]),
    "OR": torch.tensor([0.0, 1.0, 1.0, 1.0]),
    "XOR": torch.tensor([0.0, 1.0, 1.0, 0.0]),
}


def fit_gate(
    targets: torch.Tensor, steps: int = 2000, lr: float = 1.0, seed: int = 0
) -> SigmoidUnit:
    """Full-batch gradient descent on the four rows of a truth table."""
    torch.manual_seed(seed)
    model = SigmoidUnit(2)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        nn.functional.binary_cross_entropy(model(GATE_INPUTS), targets).backward()
        optimizer.step()
    return model


# --8<-- [end:gates]


# --8<-- [start:best-line]
def best_line(X: torch.Tensor, y: torch.Tensor, n_lines: int = 10_000, seed: int = 0):
    """Try many random lines w · x + b = 0; return the best accuracy and that
    line's w and b."""
    generator = torch.Generator().manual_seed(seed)
    w = torch.randn(n_lines, 2, generator=generator)
    b = torch.randn(n_lines, generator=generator)
    predictions = (X @ w.T + b > 0).float()  # (points, lines)
    accuracy = (predictions == y[:, None]).float().mean(dim=0)  # (lines,)
    best = accuracy.argmax()
    return accuracy[best].item(), w[best], b[best]


# --8<-- [end:best-line]


# --8<-- [start:rosenblatt]
def rosenblatt(X: torch.Tensor, y: torch.Tensor, epochs: int = 10, lr: float = 1.0):
    """Rosenblatt's rule, one example at a time: y_hat = step(w · x + b), then
    w += lr (y - y_hat) x and b += lr (y - y_hat).

    Returns w, b and the number of mistakes made during each epoch.
    """
    w, b = torch.zeros(X.shape[1]), torch.tensor(0.0)
    mistakes = []
    for _ in range(epochs):
        wrong = 0
        for x, label in zip(X, y):
            error = label - (w @ x + b > 0).float()  # 0 if right, +1 or -1 if wrong
            w, b = w + lr * error * x, b + lr * error
            wrong += int(error != 0)
        mistakes.append(wrong)
    return w, b, mistakes


# --8<-- [end:rosenblatt]


# --8<-- [start:projection]
def plot_projection(X, y, spread=0.7) -> Figure:
    """The points' signed distance across the line x1 + x2 = 0, with each cloud's
    normal density; the shaded tails lie on the wrong side."""
    distance = X.sum(dim=1) / 2**0.5
    grid = torch.linspace(-4, 4, 400)
    figure = Figure(figsize=(5, 3), layout="constrained")
    ax = figure.subplots()
    for label, centre in ((0, -(2**0.5)), (1, 2**0.5)):
        density = torch.distributions.Normal(centre, spread).log_prob(grid).exp()
        ax.plot(grid, density, color=f"C{label}", label=f"y = {label}")
        wrong = grid > 0 if label == 0 else grid < 0
        ax.fill_between(grid[wrong], density[wrong], color=f"C{label}", alpha=0.4)
        ticks = distance[y == label]
        height = torch.full_like(ticks, -0.04 * (label + 1))
        ax.plot(ticks, height, "|", color=f"C{label}")
    ax.axvline(0, color="C2", linewidth=2)
    ax.set(xlabel="distance across the line $x_1 + x_2 = 0$", ylabel="density")
    ax.legend()
    return figure


# --8<-- [end:projection]


# --8<-- [start:plots]
def draw_boundary(ax, X, y, w, b) -> None:
    """The points of each class and the line w · x + b = 0, with the side where
    y = 1 shaded."""
    xs = torch.linspace(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, 200)
    ys = torch.linspace(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5, 200)
    grid_x, grid_y = torch.meshgrid(xs, ys, indexing="xy")
    scores = w[0] * grid_x + w[1] * grid_y + b
    ax.contourf(
        grid_x,
        grid_y,
        scores > 0,
        levels=[-0.5, 0.5, 1.5],
        colors=["C0", "C1"],
        alpha=0.15,
    )
    ax.contour(grid_x, grid_y, scores, levels=[0.0], colors="C2", linewidths=2)
    size = 60 if len(X) < 10 else 12
    for label, marker in ((0, "o"), (1, "^")):
        ax.scatter(
            *X[y == label].T,
            s=size,
            color=f"C{label}",
            marker=marker,
            label=f"y = {label}",
        )


def plot_boundaries(X, y, history, epochs=(0, 1, 5, 20)) -> Figure:
    figure = Figure(figsize=(5, 5), layout="constrained")
    for ax, epoch in zip(figure.subplots(2, 2, sharex=True, sharey=True).flat, epochs):
        state = history[epoch]
        draw_boundary(ax, X, y, state["w"], state["b"])
        ax.set_title(f"epoch {epoch}: {state['accuracy']:.1%}")
    figure.axes[0].legend(loc="lower right")  # clear of the epoch-0 line
    figure.supxlabel("$x_1$")
    figure.supylabel("$x_2$")
    return figure


def plot_loss(history) -> Figure:
    figure = Figure(figsize=(5, 3), layout="constrained")
    ax = figure.subplots()
    ax.plot([state["loss"] for state in history], marker="o")
    ax.set_xticks(range(0, len(history), 5))  # whole epochs: 0, 5, 10, ...
    ax.set_xlabel("epoch")
    ax.set_ylabel("BCE loss, all points")
    ax.grid(alpha=0.4)
    return figure


def plot_gates(lines: dict) -> Figure:
    """One panel per gate; `lines` maps a gate's name to the (w, b) of the line
    drawn for it."""
    figure = Figure(figsize=(5, 5), layout="constrained")
    axes = figure.subplots(2, 2).flat
    for ax, (name, (w, b)) in zip(axes, lines.items()):
        draw_boundary(ax, GATE_INPUTS, GATES[name], w, b)
        ax.set_title(name)
        ax.set_aspect("equal")
    legend = figure.axes[-1]
    legend.axis("off")
    legend.legend(*figure.axes[0].get_legend_handles_labels(), loc="center")
    return figure


# --8<-- [end:plots]
