"""MNIST end to end: a common tutorial network corrected, trained, evaluated, regularised and cross-validated.

The sections between `# --8<-- [start:NAME]` and `# --8<-- [end:NAME]` are shown on docs/mnist.md,
in this order. The data comes from snippets/mnist_data.py.
"""

# --8<-- [start:imports]
import copy

import torch
from matplotlib.figure import Figure
from torch import nn
from tqdm import tqdm

# --8<-- [end:imports]


# --8<-- [start:prepare]
MEAN, STD = 0.1307, 0.3081  # of the 60,000 training images, pixels scaled to [0, 1]


def to_inputs(images: torch.Tensor) -> torch.Tensor:
    """uint8 images (n, 28, 28) -> normalised float rows (n, 784)."""
    if images.dtype != torch.uint8 or images.shape[1:] != (28, 28):
        raise ValueError(f"expected uint8 images of shape (n, 28, 28), got {images.dtype} {tuple(images.shape)}")
    return ((images.float() / 255 - MEAN) / STD).flatten(1)


def prepare(data, n_val: int | None = None, seed: int = 0):
    """Inputs and labels for training, validation (held out of the training images) and test."""
    n_val = n_val if n_val is not None else len(data.train_labels) // 12  # 5,000 of 60,000
    order = torch.randperm(len(data.train_labels), generator=torch.Generator().manual_seed(seed))
    train, val = order[n_val:], order[:n_val]
    X, y = to_inputs(data.train_images), data.train_labels
    return X[train], y[train], X[val], y[val], to_inputs(data.test_images), data.test_labels
# --8<-- [end:prepare]


# --8<-- [start:softmax]
def softmax(z: torch.Tensor) -> torch.Tensor:
    """Softmax over each row; subtracting the row maximum changes nothing but avoids exp overflow."""
    e = torch.exp(z - z.max(dim=1, keepdim=True).values)
    return e / e.sum(dim=1, keepdim=True)
# --8<-- [end:softmax]


# --8<-- [start:modules]
class SigmoidNet(nn.Module):
    """The common tutorial network, corrected: 784 -> 256 (sigmoid) -> 10 logits, no softmax."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(784, 256)
        self.output = nn.Linear(256, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.output(torch.sigmoid(self.hidden(x.flatten(1))))  # logits: CrossEntropyLoss applies softmax


class MLP(nn.Module):
    """784 -> ... -> 10 with ReLU between layers, returning logits."""

    def __init__(self, sizes=(784, 128, 64, 10)):
        super().__init__()
        if len(sizes) < 2 or sizes[0] != 784 or sizes[-1] != 10:
            raise ValueError(f"expected sizes from 784 to 10, like (784, 128, 64, 10), got {tuple(sizes)}")
        layers = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(n_in, n_out), nn.ReLU()]
        self.layers = nn.Sequential(*layers[:-1])  # no ReLU after the last layer
        for layer in self.layers:
            if isinstance(layer, nn.Linear):
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")  # std sqrt(2 / n_in)
                nn.init.zeros_(layer.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim < 2 or x[0].numel() != 784 or not x.is_floating_point():
            raise ValueError(
                f"expected float inputs of shape (batch, 784) or (batch, 28, 28), got {x.dtype} {tuple(x.shape)}; "
                "convert uint8 images with to_inputs(images)"
            )
        return self.layers(x.flatten(1))
# --8<-- [end:modules]


# --8<-- [start:train]
def batches(X, y, batch_size, generator):
    """Shuffled mini-batches, indexed straight out of the tensors in memory."""
    order = torch.randperm(len(y), generator=generator)
    for start in range(0, len(y), batch_size):
        index = order[start : start + batch_size]
        yield X[index], y[index]


@torch.no_grad()
def evaluate(model, X, y) -> dict:
    model.eval()
    logits = model(X)
    return {
        "loss": nn.functional.cross_entropy(logits, y).item(),
        "accuracy": (logits.argmax(dim=1) == y).float().mean().item(),
    }


def train(model, optimizer, X, y, X_val, y_val, epochs, batch_size=512, one_cycle=False, patience=None, seed=0):
    """Mini-batch training on the cross-entropy; one row of history per epoch.

    one_cycle: the learning rate rises to the optimizer's lr and falls again (OneCycleLR), stepped per batch.
    patience: stop when the validation loss has not improved for that many epochs, and keep the best weights.
    """
    generator = torch.Generator().manual_seed(seed)
    loss_fn = nn.CrossEntropyLoss()
    steps = (len(y) + batch_size - 1) // batch_size
    scheduler = None
    if one_cycle:
        lr = optimizer.param_groups[0]["lr"]
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=epochs * steps)
    history, best, best_state = [], float("inf"), None
    bar = tqdm(range(1, epochs + 1), desc="epochs", leave=False)
    for epoch in bar:
        model.train()
        total_loss = correct = 0.0
        for X_batch, y_batch in batches(X, y, batch_size, generator):
            optimizer.zero_grad()
            logits = model(X_batch)
            loss = loss_fn(logits, y_batch)
            loss.backward()
            optimizer.step()
            if scheduler:
                scheduler.step()
            total_loss += loss.item() * len(y_batch)
            correct += (logits.argmax(dim=1) == y_batch).sum().item()
        val = evaluate(model, X_val, y_val)
        history.append(
            {"epoch": epoch, "loss": total_loss / len(y), "accuracy": correct / len(y),
             "val_loss": val["loss"], "val_accuracy": val["accuracy"]}
        )
        bar.set_postfix(val_loss=f"{val['loss']:.4f}", val_accuracy=f"{val['accuracy']:.2%}")
        if patience is not None:
            if val["loss"] < best:
                best, best_state = val["loss"], copy.deepcopy(model.state_dict())
            elif epoch - min(history, key=lambda h: h["val_loss"])["epoch"] >= patience:
                break
    if best_state is not None:
        model.load_state_dict(best_state)  # the weights of the epoch with the lowest validation loss
    return history
# --8<-- [end:train]


# --8<-- [start:metrics]
@torch.no_grad()
def predict(model, X) -> torch.Tensor:
    model.eval()
    return torch.softmax(model(X), dim=1)  # (n, 10) probabilities


def confusion_matrix(predicted, y, n_classes=10) -> torch.Tensor:
    """counts[true, predicted]"""
    return torch.bincount(y * n_classes + predicted, minlength=n_classes**2).reshape(n_classes, n_classes)


def precision_recall(counts):
    correct = counts.diag().float()
    precision = correct / counts.sum(dim=0).clamp(min=1)  # of the digits predicted as c, how many are c
    recall = correct / counts.sum(dim=1).clamp(min=1)  # of the digits that are c, how many were found
    return precision, recall


def confident_mistakes(probabilities, y, k=10):
    """Indices of the k wrong predictions made with the highest probability."""
    confidence, predicted = probabilities.max(dim=1)
    wrong = (predicted != y).nonzero().squeeze(1)
    return wrong[confidence[wrong].argsort(descending=True)[:k]]
# --8<-- [end:metrics]


# --8<-- [start:practice]
def weight_norm(model) -> float:
    """The L2 norm of all weights (not biases): what weight_decay pulls towards zero."""
    return torch.sqrt(sum((p**2).sum() for name, p in model.named_parameters() if name.endswith("weight"))).item()


def fit(X, y, X_val, y_val, epochs=10, lr=1e-3, weight_decay=0.0, sizes=(784, 128, 64, 10), patience=None, seed=0):
    """A fresh MLP trained with Adam; returns the model and its history."""
    torch.manual_seed(seed)
    model = MLP(sizes)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    return model, train(model, optimizer, X, y, X_val, y_val, epochs, batch_size=128, patience=patience, seed=seed)


def k_fold(X, y, k=5, seed=0, **fit_options) -> list[float]:
    """Validation accuracy of each of k models, each validated on one fold and trained on the others."""
    folds = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed)).chunk(k)
    scores = []
    for i, val in enumerate(folds):
        train_index = torch.cat([fold for j, fold in enumerate(folds) if j != i])
        _, history = fit(X[train_index], y[train_index], X[val], y[val], seed=seed, **fit_options)
        scores.append(history[-1]["val_accuracy"])
    return scores
# --8<-- [end:practice]


# --8<-- [start:plots]
def plot_digits(images, labels, title=None, columns=10) -> Figure:
    rows = (len(images) + columns - 1) // columns
    figure = Figure(figsize=(columns * 0.9, rows * 1.05), layout="constrained")
    for ax, image, label in zip(figure.subplots(rows, columns).flat, images, labels):
        ax.imshow(image.numpy(), cmap="gray_r")
        ax.set_title(str(label), fontsize=10)
    for ax in figure.axes:
        ax.axis("off")
    if title:
        figure.suptitle(title)
    return figure


def plot_history(history) -> Figure:
    figure = Figure(figsize=(10, 3.6), layout="constrained")
    epochs = [h["epoch"] for h in history]
    for ax, metric, label in zip(figure.subplots(1, 2), ("loss", "accuracy"), ("cross-entropy loss", "accuracy")):
        ax.plot(epochs, [h[metric] for h in history], marker="o", label="training (running, over the epoch)")
        ax.plot(epochs, [h[f"val_{metric}"] for h in history], marker="o", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.grid(alpha=0.4)
    figure.axes[0].legend()
    return figure


def plot_confusion(counts) -> Figure:
    figure = Figure(figsize=(6, 5.2), layout="constrained")
    ax = figure.subplots()
    off_diagonal = counts.clone().fill_diagonal_(0)
    image = ax.imshow(off_diagonal.numpy(), cmap="viridis")
    for true in range(10):
        for predicted in range(10):
            ax.text(predicted, true, int(counts[true, predicted]), ha="center", va="center", fontsize=8,
                    color="white" if off_diagonal[true, predicted] < off_diagonal.max() / 2 else "black")
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    figure.colorbar(image, label="mistakes (the diagonal, right answers, is not coloured)")
    return figure


def plot_mistakes(images, labels, probabilities, index, columns=5) -> Figure:
    confidence, predicted = probabilities[index].max(dim=1)
    rows = (len(index) + columns - 1) // columns
    figure = Figure(figsize=(columns * 1.5, rows * 1.9), layout="constrained")
    for ax, i, p, c in zip(figure.subplots(rows, columns).flat, index.tolist(), predicted.tolist(), confidence.tolist()):
        ax.imshow(images[i].numpy(), cmap="gray_r")
        ax.set_title(f"said {p} ({c:.1%})\nis {labels[i].item()}", fontsize=9)
        ax.axis("off")
    return figure


def plot_weights(model, n=20) -> Figure:
    weights = model.layers[0].weight.detach()[:n].reshape(-1, 28, 28)
    figure = Figure(figsize=(10, 2.3), layout="constrained")
    for ax, w in zip(figure.subplots(2, n // 2).flat, weights):
        limit = w.abs().max()
        ax.imshow(w.numpy(), cmap="RdBu_r", vmin=-limit.item(), vmax=limit.item())
        ax.axis("off")
    return figure


def plot_sweep(results) -> Figure:
    """results: {learning rate: history}"""
    figure = Figure(figsize=(6, 3.6), layout="constrained")
    ax = figure.subplots()
    for lr, history in results.items():
        ax.plot([h["epoch"] for h in history], [h["val_accuracy"] for h in history], marker="o", label=f"lr {lr:g}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy")
    ax.grid(alpha=0.4)
    ax.legend()
    return figure
# --8<-- [end:plots]
