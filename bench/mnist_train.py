"""How fast the MNIST chapter trains, against the common tutorial pipeline and against this machine's limit.

usage: NN_BASICS_DATA=/path/to/mnist python bench/mnist_train.py [--max-seconds 300]

Both pipelines train on the chapter's 55,000-image training split and are judged on its 5,000 validation
images, never on the test set, until the very end:
- the chapter's pipeline: batches indexed out of tensors in memory, the recipe the page chooses
  (784-256-128-10, Adam at 0.003 under a one-cycle schedule, batch 256, label smoothing 0.1, 10 epochs);
- the tutorial's pipeline: a Dataset that converts and normalises each image on access, a DataLoader with
  batch 64, the same network, Adam at a constant 0.001, for up to 20 epochs.
For each: seconds of training until the validation accuracy first reaches 98 % (and 97 %), examples per
second, and then, once, the test accuracy of the final model. Last, the limit: the model's training FLOPs
per epoch over the float32 matmul throughput measured now. A benchmark, not a test: it prints, asserts
nothing. Validation and test time is not counted as training time.
"""

import argparse
import sys
import time
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from snippets.mnist import (
    MLP,
    NormalisedMNIST,
    evaluate,
    in_memory_batches,
    make_optimizer,
    pixel_stats,
    split,
    to_inputs,
    train_epoch,
)
from snippets.mnist_data import load_mnist

SIZES = (784, 256, 128, 10)
LEVELS = (0.98, 0.97)


def run(
    name,
    model,
    optimizer,
    epoch_batches,
    loss_fn,
    X_val,
    y_val,
    n_train,
    max_epochs,
    max_seconds,
    scheduler=None,
):
    """Train epoch by epoch; return the seconds of training until each level of validation accuracy, and more."""
    trained, reached, epoch_times = 0.0, {}, []
    for epoch in range(1, max_epochs + 1):
        start = time.perf_counter()
        train_epoch(model, optimizer, epoch_batches(), loss_fn, scheduler)
        epoch_times.append(time.perf_counter() - start)
        trained += epoch_times[-1]
        accuracy = evaluate(model, X_val, y_val)["accuracy"]
        print(
            f"  {name}: epoch {epoch}, {epoch_times[-1]:.2f} s, validation accuracy {accuracy:.2%}",
            flush=True,
        )
        for level in LEVELS:
            if accuracy >= level:
                reached.setdefault(level, trained)
        if trained > max_seconds:
            break
    return {
        "reached": reached,
        "trained": trained,
        "rate": n_train * len(epoch_times) / trained,
        "fastest": min(epoch_times),
    }


def matmul_throughput(seconds=2.0) -> float:
    """float32 FLOP/s of the matmuls this model does, forward shape (batch 256), measured now."""
    a, b = torch.randn(256, 784), torch.randn(784, 256)
    c, d = torch.randn(256, 256), torch.randn(256, 128)
    flops = 2 * 256 * (784 * 256 + 256 * 128)
    best, deadline = 0.0, time.perf_counter() + seconds
    while (
        time.perf_counter() < deadline
    ):  # the best of many short windows: a busy neighbour only lowers some
        start = time.perf_counter()
        for _ in range(20):
            a @ b
            c @ d
        best = max(best, 20 * flops / (time.perf_counter() - start))
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=300,
        help="training time allowed to each pipeline",
    )
    args = parser.parse_args()

    data = load_mnist()
    print(
        f"data: {data.describe()}; torch {torch.__version__}, {torch.get_num_threads()} threads"
    )
    train_images, train_labels, val_images, val_labels = split(
        data.train_images, data.train_labels
    )
    mean, std = pixel_stats(train_images)
    X_train, X_val, X_test = (
        to_inputs(images, mean, std)
        for images in (train_images, val_images, data.test_images)
    )
    n = len(train_labels)
    results, models = {}, {}

    torch.manual_seed(0)
    model = MLP(SIZES)
    optimizer = make_optimizer(model, "adam", 3e-3)
    epochs, batch_size = 10, 256
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=3e-3, total_steps=epochs * -(-n // batch_size)
    )
    generator = torch.Generator().manual_seed(0)
    results["the chapter's"] = run(
        "the chapter's",
        model,
        optimizer,
        lambda: in_memory_batches(X_train, train_labels, batch_size, generator),
        nn.CrossEntropyLoss(label_smoothing=0.1),
        X_val,
        val_labels,
        n,
        epochs,
        args.max_seconds,
        scheduler,
    )
    models["the chapter's"] = (model, X_test)

    torch.manual_seed(0)
    model = MLP(SIZES)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(
        NormalisedMNIST(train_images, train_labels, 0.5, 0.5),
        batch_size=64,
        shuffle=True,
    )
    half = (
        (val_images.float() / 255 - 0.5) / 0.5,
        (data.test_images.float() / 255 - 0.5) / 0.5,
    )
    results["the tutorial's"] = run(
        "the tutorial's",
        model,
        optimizer,
        lambda: loader,
        nn.CrossEntropyLoss(),
        half[0].flatten(1),
        val_labels,
        n,
        20,
        args.max_seconds,
    )
    models["the tutorial's"] = (model, half[1].flatten(1))

    flops_per_epoch = (
        3 * 2 * n * sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:]))
    )  # backward ≈ 2 × forward
    limit = flops_per_epoch / matmul_throughput()

    print()
    for name, result in results.items():
        when = ", ".join(
            f"{level:.0%} after {result['reached'][level]:.1f} s"
            if level in result["reached"]
            else f"{level:.0%} never"
            for level in LEVELS
        )
        model, X = models[name]
        test = evaluate(model, X, data.test_labels)[
            "accuracy"
        ]  # the one look at the test set
        print(
            f"{name:>15} pipeline: validation accuracy {when}; {result['rate']:,.0f} examples/s; "
            f"test accuracy of its final model {test:.2%}"
        )
    ours, theirs = results["the chapter's"], results["the tutorial's"]
    for level in LEVELS:
        if level in ours["reached"] and level in theirs["reached"]:
            print(
                f"time to {level:.0%} validation accuracy: the tutorial's / the chapter's = "
                f"{theirs['reached'][level] / ours['reached'][level]:.1f}x"
            )
    print(
        f"examples/s: the chapter's / the tutorial's = {ours['rate'] / theirs['rate']:.1f}x"
    )
    print(
        f"fastest epoch of the chapter's pipeline / this machine's matmul limit ({limit:.2f} s) = "
        f"{ours['fastest'] / limit:.2f}"
    )


if __name__ == "__main__":
    main()
