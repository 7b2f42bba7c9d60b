"""MNIST end to end: the data prepared, a common tutorial network corrected, a recipe
chosen on validation data, one test evaluation, the model saved and reloaded.

The sections between `# --8<-- [start:NAME]` and `# --8<-- [end:NAME]` are shown on
docs/mnist.md, in this order. The data comes from snippets/mnist_data.py.
"""

# --8<-- [start:imports]
import copy
import time

import torch
from matplotlib.figure import Figure
from torch import nn
from torch.utils.data import Dataset

# --8<-- [end:imports]


# --8<-- [start:prepare]
def split(images, labels, n_val=None, seed=0):
    """Hold n_val examples (by default 1 in 12: 5,000 of 60,000) out for validation,
    chosen at random."""
    n_val = len(labels) // 12 if n_val is None else n_val
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))
    train, val = order[n_val:], order[:n_val]
    return images[train], labels[train], images[val], labels[val]


def pixel_stats(images: torch.Tensor) -> tuple[float, float]:
    """Mean and standard deviation of the pixels, scaled to [0, 1]."""
    pixels = images.double() / 255
    return pixels.mean().item(), pixels.std().item()


def to_inputs(images: torch.Tensor, mean: float, std: float) -> torch.Tensor:
    """uint8 images (n, 28, 28) -> normalised float32 rows (n, 784)."""
    if images.dtype != torch.uint8 or images.shape[1:] != (28, 28):
        raise ValueError(
            f"expected uint8 images of shape (n, 28, 28), "
            f"got {images.dtype} {tuple(images.shape)}"
        )
    return ((images.float() / 255 - mean) / std).flatten(1)


# --8<-- [end:prepare]


# --8<-- [start:modules]
class SigmoidNet(nn.Module):
    """The common tutorial network, corrected: 784 -> 256 (sigmoid) -> 10 logits,
    no softmax."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(torch.sigmoid(self.fc1(x.flatten(1))))  # logits


class MLP(nn.Module):
    """784 -> hidden layers with ReLU -> 10 logits, Kaiming-initialised."""

    def __init__(self, sizes=(784, 128, 64, 10)):
        super().__init__()
        if len(sizes) < 2 or sizes[0] != 784 or sizes[-1] != 10:
            raise ValueError(
                "expected sizes from 784 to 10, like (784, 128, 64, 10), "
                f"got {tuple(sizes)}"
            )
        layers = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(n_in, n_out), nn.ReLU()]
        self.layers = nn.Sequential(*layers[:-1])  # no ReLU after the last layer
        for layer in self.layers:
            if isinstance(layer, nn.Linear):
                # std sqrt(2 / n_in)
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
                nn.init.zeros_(layer.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim < 2 or x[0].numel() != 784 or not x.is_floating_point():
            raise ValueError(
                f"expected float inputs of shape (batch, 784) or (batch, 28, 28), "
                f"got {x.dtype} {tuple(x.shape)}; "
                "convert uint8 images with to_inputs(images, mean, std)"
            )
        return self.layers(x.flatten(1))


# --8<-- [end:modules]


# --8<-- [start:loader]
class NormalisedMNIST(Dataset):
    """Images converted and normalised one at a time, when the DataLoader asks for
    them."""

    def __init__(self, images, labels, mean, std):
        self.images, self.labels, self.mean, self.std = images, labels, mean, std

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return (self.images[i].float() / 255 - self.mean) / self.std, self.labels[i]


def in_memory_batches(X, y, batch_size, generator):
    """Shuffled mini-batches indexed straight out of tensors already prepared
    (and on the device)."""
    order = torch.randperm(len(y), generator=generator).to(y.device)
    for start in range(0, len(y), batch_size):
        index = order[start : start + batch_size]
        yield X[index], y[index]


# --8<-- [end:loader]


# --8<-- [start:train]
def train_epoch(model, optimizer, batches, loss_fn, scheduler=None) -> float:
    """One pass over `batches`, any iterable of (inputs, labels); returns the mean
    training loss."""
    model.train()
    device = next(model.parameters()).device
    total, count = 0.0, 0
    for X, y in batches:
        X, y = X.to(device), y.to(device)  # no copy when they are there already
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()  # one-cycle: a new learning rate after every batch
        total += loss.item() * len(y)
        count += len(y)
    return total / count


@torch.inference_mode()
def evaluate(model, X, y) -> dict:
    """Loss and accuracy on (X, y), in evaluation mode and without building a graph."""
    model.eval()
    logits = model(X)
    return {
        "loss": nn.functional.cross_entropy(logits, y).item(),
        "accuracy": (logits.argmax(dim=1) == y).float().mean().item(),
    }


def train(
    model,
    optimizer,
    X,
    y,
    X_val,
    y_val,
    epochs,
    batch_size=256,
    one_cycle=False,
    label_smoothing=0.0,
    patience=None,
    seed=0,
) -> list[dict]:
    """Train on (X, y), validating after every epoch; one row of history per epoch.

    one_cycle: the learning rate rises to the optimizer's lr and falls to almost 0
    (OneCycleLR).
    patience: early stopping; stop once the validation loss has not improved for that
    many epochs, and go back to the weights of the epoch with the lowest validation
    loss.
    """
    generator = torch.Generator().manual_seed(seed)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=label_smoothing)
    scheduler = None
    if one_cycle:
        steps = epochs * -(-len(y) // batch_size)  # batches per epoch, rounded up
        lr = optimizer.param_groups[0]["lr"]
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=lr, total_steps=steps
        )
    history, best = [], None
    for epoch in range(1, epochs + 1):
        batches = in_memory_batches(X, y, batch_size, generator)
        loss = train_epoch(model, optimizer, batches, loss_fn, scheduler)
        val = evaluate(model, X_val, y_val)
        history.append(
            {
                "epoch": epoch,
                "loss": loss,
                "val_loss": val["loss"],
                "val_accuracy": val["accuracy"],
            }
        )
        if patience is None:
            continue
        if best is None or val["loss"] < best["val_loss"]:
            best, best_state = history[-1], copy.deepcopy(model.state_dict())
        elif epoch - best["epoch"] >= patience:
            break
    if best is not None:
        model.load_state_dict(best_state)
    return history


# --8<-- [end:train]


# --8<-- [start:sweep]
def make_optimizer(model, name="adam", lr=1e-3, weight_decay=0.0):
    """SGD with momentum, Adam or AdamW; weight decay on the weights only, never on
    the biases."""
    weights = [p for n, p in model.named_parameters() if n.endswith("weight")]
    biases = [p for n, p in model.named_parameters() if not n.endswith("weight")]
    groups = [
        {"params": weights, "weight_decay": weight_decay},
        {"params": biases, "weight_decay": 0.0},
    ]
    if name == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=0.9)
    if name == "adam":
        return torch.optim.Adam(groups, lr=lr)
    if name == "adamw":
        return torch.optim.AdamW(groups, lr=lr)
    raise ValueError(
        f"expected an optimizer name in ('sgd', 'adam', 'adamw'), got {name!r}"
    )


def fit(
    X,
    y,
    X_val,
    y_val,
    sizes=(784, 128, 64, 10),
    optimizer="adam",
    lr=1e-3,
    weight_decay=0.0,
    one_cycle=False,
    label_smoothing=0.0,
    epochs=3,
    batch_size=256,
    patience=None,
    seed=0,
):
    """A fresh MLP trained with one setting (on the device X is on); returns the model
    and its history."""
    torch.manual_seed(seed)
    model = MLP(sizes).to(X.device)
    optimizer = make_optimizer(model, optimizer, lr, weight_decay)
    history = train(
        model,
        optimizer,
        X,
        y,
        X_val,
        y_val,
        epochs,
        batch_size,
        one_cycle,
        label_smoothing,
        patience,
        seed,
    )
    return model, history


def weight_norm(model) -> float:
    """The L2 norm of all weights (not biases): what weight decay pulls towards zero."""
    return torch.sqrt(
        sum((p**2).sum() for n, p in model.named_parameters() if n.endswith("weight"))
    ).item()


def k_fold(X, y, k=5, seed=0, **setting) -> torch.Tensor:
    """Validation accuracy of each of k models, each validated on one fold and trained
    on the other k - 1."""
    folds = (
        torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
        .to(y.device)
        .tensor_split(k)
    )
    scores = []
    for i, val in enumerate(folds):
        train_index = torch.cat([fold for j, fold in enumerate(folds) if j != i])
        model, _ = fit(
            X[train_index], y[train_index], X[val], y[val], seed=seed, **setting
        )
        scores.append(evaluate(model, X[val], y[val])["accuracy"])
    return torch.tensor(scores)


# --8<-- [end:sweep]


# --8<-- [start:metrics]
@torch.inference_mode()
def predict(model, X) -> torch.Tensor:
    model.eval()
    return torch.softmax(model(X), dim=1)  # (n, 10) probabilities


def confusion_matrix(predicted, y, n_classes=10) -> torch.Tensor:
    """counts[true, predicted]"""
    return torch.bincount(y * n_classes + predicted, minlength=n_classes**2).reshape(
        n_classes, n_classes
    )


def precision_recall(counts):
    correct = counts.diag().float()
    # of the digits predicted as c, how many are c
    precision = correct / counts.sum(dim=0).clamp(min=1)
    # of the digits that are c, how many were found
    recall = correct / counts.sum(dim=1).clamp(min=1)
    return precision, recall


def confident_mistakes(probabilities, y, k=10):
    """Indices of the k wrong predictions made with the highest probability."""
    confidence, predicted = probabilities.max(dim=1)
    wrong = (predicted != y).nonzero().squeeze(1)
    return wrong[confidence[wrong].argsort(descending=True)[:k]]


# --8<-- [end:metrics]


# --8<-- [start:timing]
def samples_per_second(model, make_batches, n, repeats=3) -> float:
    """Training throughput: n examples per pass over make_batches(), the fastest of
    `repeats` passes."""
    optimizer = torch.optim.Adam(model.parameters())
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        train_epoch(model, optimizer, make_batches(), nn.functional.cross_entropy)
        seconds.append(time.perf_counter() - start)
    return n / min(seconds)


# --8<-- [end:timing]


# --8<-- [start:plots]
def plot_digits(images, labels, columns=8) -> Figure:
    rows = -(-len(images) // columns)
    figure = Figure(figsize=(5, rows * 0.78), layout="constrained")
    for ax, image, label in zip(figure.subplots(rows, columns).flat, images, labels):
        ax.imshow(image.cpu().numpy(), cmap="gray_r")
        ax.set_title(str(label))
        ax.axis("off")
    return figure


def plot_history(history) -> Figure:
    figure = Figure(figsize=(5, 3.6), layout="constrained")
    loss_ax, accuracy_ax = figure.subplots(2, 1, sharex=True)
    epochs = [h["epoch"] for h in history]
    loss_ax.plot(
        epochs,
        [h["loss"] for h in history],
        marker="o",
        label="training (during the epoch)",
    )
    loss_ax.plot(
        epochs, [h["val_loss"] for h in history], marker="s", label="validation"
    )
    loss_ax.set_ylabel("loss")
    loss_ax.legend()
    accuracy_ax.plot(
        epochs, [100 * h["val_accuracy"] for h in history], marker="s", color="C1"
    )
    accuracy_ax.set_ylabel("validation\naccuracy (%)")
    accuracy_ax.set_xlabel("epoch")
    accuracy_ax.set_xticks(epochs)
    for ax in (loss_ax, accuracy_ax):
        ax.grid(alpha=0.4)
    return figure


def plot_confusion(counts) -> Figure:
    figure = Figure(figsize=(5, 4.4), layout="constrained")
    ax = figure.subplots()
    mistakes = counts.clone().fill_diagonal_(0)
    image = ax.imshow(mistakes.cpu().numpy(), cmap="Greys")
    for true in range(10):
        for predicted in range(10):
            if true != predicted and mistakes[true, predicted] > 0:
                dark = mistakes[true, predicted] > mistakes.max() / 2
                ax.text(
                    predicted,
                    true,
                    int(mistakes[true, predicted]),
                    ha="center",
                    va="center",
                    color="white" if dark else "black",
                )
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    figure.colorbar(image, label="test digits taken for another")
    return figure


def plot_mistakes(images, labels, probabilities, index, columns=5) -> Figure:
    confidence, predicted = probabilities[index].max(dim=1)
    rows = -(-len(index) // columns)
    figure = Figure(figsize=(5, rows * 1.45), layout="constrained")
    for ax, i, p, c in zip(
        figure.subplots(rows, columns).flat,
        index.tolist(),
        predicted.tolist(),
        confidence.tolist(),
    ):
        ax.imshow(images[i].cpu().numpy(), cmap="gray_r")
        ax.set_title(f"{p} ({c:.0%})\nis {labels[i].item()}")
        ax.axis("off")
    return figure


def plot_weights(model, initial, n=16) -> Figure:
    """What training changed in the first n units' weights: trained minus initial."""
    change = model.layers[0].weight.detach() - initial.layers[0].weight.detach()
    weights = change[:n].reshape(-1, 28, 28).cpu()
    figure = Figure(figsize=(5, 2.6), layout="constrained")
    for ax, w in zip(figure.subplots(2, n // 2).flat, weights):
        limit = w.abs().max().item()
        ax.imshow(w.numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.axis("off")
    return figure


# --8<-- [end:plots]
