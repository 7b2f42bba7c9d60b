"""How long each activation takes, relative to ReLU, on this machine.

    python bench/activations.py            # 100,000 numbers, 15 rounds
    python bench/activations.py 1000000    # another size

The ratios depend on the CPU (its vector instructions above all), which is why the docs page does not print them.
"""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from snippets.activations import relative_cost


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv else 100_000
    costs = relative_cost(n=n)
    print(
        f"forward time on {n:,} float32 numbers, one thread, relative to ReLU (torch {torch.__version__}):"
    )
    for name, ratio in costs.items():
        print(f"  {name:9s} {ratio:5.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
