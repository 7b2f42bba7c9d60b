"""How fast the MNIST chapter trains, against note 002's pipeline and against this machine's limit.

usage: NN_BASICS_DATA=../shared/data/mnist python bench/mnist_train.py [--max-seconds 300]

Prints, in one run on this machine:
- the chapter's pipeline (batches indexed out of tensors in memory, 784-256-128-10 ReLU MLP, Adam with a
  one-cycle schedule, batch 256): seconds of training to reach 98 % test accuracy, and samples/s;
- note 002's pipeline (a Dataset that converts and normalises each image on access, a DataLoader with
  batch 64, the same model, Adam at a constant 1e-3): the same two numbers, and the ratios;
- the physical limit: the model's training FLOPs per epoch divided by the float32 matmul throughput
  measured now, and the ratio of the real epoch time to it.
A benchmark, not a test: it prints and asserts nothing. Evaluation time is not counted as training time.
"""

import argparse
import sys
import time
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from snippets.mnist import MLP, batches, evaluate, to_inputs  # noqa: E402
from snippets.mnist_data import load_mnist  # noqa: E402

SIZES = (784, 256, 128, 10)
TARGET = 0.98
ALSO = 0.97  # a level both pipelines reach, for a ratio when note 002's never gets to 98 %


class PerSampleMNIST(Dataset):
    """Note 002's transform, one image at a time: to float in [0, 1], then (x - 0.5) / 0.5."""

    def __init__(self, images, labels):
        self.images, self.labels = images, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        x = self.images[i].float().div(255).unsqueeze(0)  # (1, 28, 28), like ToTensor
        return (x - 0.5) / 0.5, self.labels[i]


def run(name, model, optimizer, epoch_batches, steps_per_epoch, X_test, y_test, n_train, max_epochs, max_seconds,
        scheduler=None):
    loss_fn = nn.CrossEntropyLoss()
    trained = 0.0
    reached = reached_also = None
    epoch_times = []
    for epoch in range(1, max_epochs + 1):
        model.train()
        start = time.perf_counter()
        for X, y in epoch_batches():
            optimizer.zero_grad()
            loss_fn(model(X), y).backward()
            optimizer.step()
            if scheduler:
                scheduler.step()
        epoch_times.append(time.perf_counter() - start)
        trained += epoch_times[-1]
        accuracy = evaluate(model, X_test, y_test)["accuracy"]
        print(f"  {name}: epoch {epoch}, {epoch_times[-1]:.2f} s, test accuracy {accuracy:.2%}", flush=True)
        if reached is None and accuracy >= TARGET:
            reached = trained
        if reached_also is None and accuracy >= ALSO:
            reached_also = trained
        if reached is not None or trained > max_seconds:
            break
    samples_per_second = n_train * len(epoch_times) / trained
    return reached, trained, samples_per_second, min(epoch_times), reached_also


def matmul_throughput(seconds=2.0) -> float:
    """float32 FLOP/s of the matmuls this model does, forward shape (batch 256), measured now."""
    a, b = torch.randn(256, 784), torch.randn(784, 256)
    c, d = torch.randn(256, 256), torch.randn(256, 128)
    flops = 2 * 256 * (784 * 256 + 256 * 128)
    best, deadline = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:  # the best of many short windows: a busy neighbour only lowers some
        start = time.perf_counter()
        for _ in range(20):
            a @ b
            c @ d
        best = max(best, 20 * flops / (time.perf_counter() - start))
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-seconds", type=float, default=300, help="training time allowed to each pipeline")
    args = parser.parse_args()

    data = load_mnist()
    print(f"data: {data.describe()}; torch {torch.__version__}, {torch.get_num_threads()} threads")
    X_train, y_train = to_inputs(data.train_images), data.train_labels
    X_test, y_test = to_inputs(data.test_images), data.test_labels
    n = len(y_train)

    # the chapter's pipeline
    torch.manual_seed(0)
    model = MLP(SIZES)
    epochs, batch_size = 10, 256
    steps = (n + batch_size - 1) // batch_size
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=2e-3, total_steps=epochs * steps)
    generator = torch.Generator().manual_seed(0)
    ours = run("tensors in memory", model, optimizer, lambda: batches(X_train, y_train, batch_size, generator),
               steps, X_test, y_test, n, epochs, args.max_seconds, scheduler)

    # note 002's pipeline: per-sample transform and DataLoader(batch_size=64); its own normalisation for the test
    torch.manual_seed(0)
    model = MLP(SIZES)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(PerSampleMNIST(data.train_images, y_train), batch_size=64, shuffle=True)
    X_test_note = ((data.test_images.float() / 255 - 0.5) / 0.5).unsqueeze(1)
    notes = run("note 002's DataLoader", model, optimizer, lambda: iter(loader), len(loader), X_test_note, y_test,
                n, 20, args.max_seconds)

    flops_per_epoch = 3 * 2 * n * sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:]))  # forward + backward ≈ 3 × forward
    throughput = matmul_throughput()  # measured after both runs, in the same process
    limit = flops_per_epoch / throughput

    print()
    for name, (reached, trained, rate, best_epoch, _) in (("tensors in memory", ours), ("note 002's DataLoader", notes)):
        when = f"after {reached:.1f} s of training" if reached is not None else f"not reached in {trained:.0f} s"
        print(f"{name:>22}: 98 % test accuracy {when}; {rate:,.0f} samples/s; fastest epoch {best_epoch:.2f} s")
    if ours[0] is not None:
        other = notes[0] if notes[0] is not None else notes[1]
        bound = "" if notes[0] is not None else " (at least: note 002's pipeline never reached 98 %)"
        print(f"time to 98 %: note 002's pipeline / ours = {other / ours[0]:.1f}x{bound}")
    if ours[4] is not None and notes[4] is not None:
        print(f"time to 97 %: {ours[4]:.1f} s vs {notes[4]:.1f} s, note 002's pipeline / ours = {notes[4] / ours[4]:.1f}x")
    print(f"samples/s: ours / note 002's = {ours[2] / notes[2]:.1f}x")
    print(f"training FLOPs per epoch: {flops_per_epoch / 1e9:.1f} GFLOP; float32 matmul throughput now: "
          f"{throughput / 1e9:.1f} GFLOP/s; limit {limit:.2f} s per epoch")
    print(f"fastest epoch / limit = {ours[3] / limit:.2f}")


if __name__ == "__main__":
    main()
