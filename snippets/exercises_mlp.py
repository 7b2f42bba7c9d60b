"""The checkers of the MLP chapter's exercises (docs/mlp.md); readers call them through
`snippets.exercises.check`."""

import numbers

import torch
from torch import nn

from snippets.checking import Wrong, ask, kind, same, slips


def relu_forward(X, params) -> dict:
    """The network of the MLP chapter with a ReLU hidden layer: Z1 = W1 X + b1, A1 = relu(Z1), then as before."""
    Z1 = params["W1"] @ X + params["b1"]
    A1 = torch.relu(Z1)
    Z2 = params["W2"] @ A1 + params["b2"]
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": torch.sigmoid(Z2)}


def gradient_dict(yours) -> dict:
    """The reader's gradients, once they are a dict with the four keys."""
    keys = '"dW1", "db1", "dW2", "db2"'
    if not isinstance(yours, dict):
        raise Wrong(f"return a dict with the keys {keys}, got {kind(yours)}")
    missing = [
        f'"{name}"' for name in ("dW1", "db1", "dW2", "db2") if name not in yours
    ]
    if missing:
        raise Wrong(
            f"return a dict with the keys {keys}; yours lacks {', '.join(missing)}"
        )
    return yours


def rows_for_m(name: str, right: torch.Tensor, n_in: int, m: int) -> tuple:
    """The mistake m = X.shape[0]: a gradient divided by the number of inputs instead of examples."""
    return (
        m / n_in * right,
        (
            f"your {name} is divided by X.shape[0] = {n_in}, the number of rows (inputs); "
            "divide by m = X.shape[1], the number of columns (examples)"
        ),
    )


def _relu_backward(answer, *, seed=4, sizes=(3, 5, 10)) -> str:
    """answer(X, Y, params, cache) -> {"dW1", "db1", "dW2", "db2"} of the log loss, with a ReLU hidden
    layer; sizes: inputs, hidden units, examples."""
    n_in, hidden, m = sizes
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n_in, m, generator=generator, dtype=torch.float64)
    Y = (torch.rand(1, m, generator=generator) > 0.5).double()
    params = {
        "W1": torch.randn(hidden, n_in, generator=generator, dtype=torch.float64),
        "b1": torch.randn(hidden, 1, generator=generator, dtype=torch.float64),
        "W2": torch.randn(1, hidden, generator=generator, dtype=torch.float64),
        "b2": torch.zeros(1, 1, dtype=torch.float64),
    }
    leaves = {name: p.clone().requires_grad_() for name, p in params.items()}
    cache = relu_forward(X, leaves)
    nn.functional.binary_cross_entropy(cache["A2"], Y).backward()
    right = {"d" + name: leaves[name].grad for name in ("W2", "b2", "W1", "b1")}
    cache = {name: value.detach() for name, value in cache.items()}
    copies = [{name: t.clone() for name, t in d.items()} for d in (params, cache)]
    yours = ask(answer, X.clone(), Y.clone(), *copies)  # copies: yours may change them
    gradient_dict(yours)
    back = params["W2"].T @ (cache["A2"] - Y)  # dA1
    for name, other in (("dW2", "dW1"), ("db2", "db1"), ("dW1", "dW2"), ("db1", "db2")):
        mistakes = []
        if name == "dW1":
            mistakes = [
                (
                    back * (1 - cache["A1"] ** 2) @ X.T / m,
                    (
                        "your dW1 uses tanh's derivative 1 − A1²; ReLU's derivative is 1 where "
                        "Z1 > 0 and 0 elsewhere"
                    ),
                ),
                (
                    back @ X.T / m,
                    (
                        "your dW1 leaves out the hidden activation's derivative: multiply by "
                        "(Z1 > 0) element-wise"
                    ),
                ),
            ]
        mistakes += [
            (
                right[other],
                f"your {name} is {other}: dW1 and dW2 are swapped (or db1 and db2)",
            ),
            (
                right[other].T,
                f"your {name} is {other}, transposed: W1 and W2 are mixed up",
            ),
            (
                right[name].T,
                (
                    f"your {name} is transposed: it should have the shape of {name[1:]}, "
                    f"{tuple(right[name].shape)}"
                ),
            ),
            (
                m * right[name],
                f"your {name} is a sum over the examples, not the mean: you forgot the 1/m",
            ),
            rows_for_m(name, right[name], n_in, m),
            *slips(name, right[name]),
        ]
        hint = "Did you multiply by the derivative of the hidden activation?"
        hint = hint if name in ("dW1", "db1") else ""
        same(name, yours[name], right[name], hint, mistakes)
    return "All four gradients equal autograd's, in float64."


def _count_parameters(answer, *, seed=None) -> str:
    """answer(sizes) -> the number of parameters of an MLP with those layer sizes (nn.Linear layers);
    with a seed, two random sizes more."""
    cases = [(784, 128, 64, 10), (2, 3, 1), (10, 10)]
    if seed is not None:
        generator = torch.Generator().manual_seed(seed)
        for depth in torch.randint(2, 6, (2,), generator=generator).tolist():
            cases.append(
                tuple(torch.randint(1, 300, (depth,), generator=generator).tolist())
            )
    for sizes in cases:
        pairs = list(zip(sizes[:-1], sizes[1:]))
        right = sum(  # on the meta device: counted, not allocated
            p.numel()
            for a, b in pairs
            for p in nn.Linear(a, b, device="meta").parameters()
        )
        yours = ask(answer, sizes)
        if isinstance(yours, str):
            raise Wrong(
                f"for {sizes} you return the string {yours!r}; return the count as a number"
            )
        if isinstance(yours, torch.Tensor) and yours.numel() == 1:
            yours = yours.item()
        if isinstance(yours, bool) or not isinstance(yours, numbers.Real):
            raise Wrong(f"return the count as a number (an int), got {kind(yours)}")
        weights = sum(a * b for a, b in pairs)
        if yours == right:
            continue
        if yours == weights:
            raise Wrong(
                f"for {sizes} you count {yours}, the weights only; each layer also has one "
                "bias per unit"
            )
        if yours == weights + sum(a for a, _ in pairs):
            raise Wrong(
                f"for {sizes} you count {yours}: a bias per input instead of per output unit; "
                "nn.Linear(n_in, n_out) has n_out biases"
            )
        raise Wrong(f"for {sizes} you count {yours}, nn.Linear layers have {right}")
    return (
        "Right for (784, 128, 64, 10), (2, 3, 1) and (10, 10): 109,386 for the first."
    )


def linear_output_forward(X, params) -> dict:
    """The network of the MLP chapter with a linear output: Z1 = W1 X + b1, A1 = tanh(Z1),
    A2 = Z2 = W2 A1 + b2."""
    Z1 = params["W1"] @ X + params["b1"]
    A1 = torch.tanh(Z1)
    Z2 = params["W2"] @ A1 + params["b2"]
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": Z2}


def _mse_output_backward(answer, *, seed=7, sizes=(3, 5, 10)) -> str:
    """answer(X, Y, params, cache) -> {"dW1", "db1", "dW2", "db2"} of L = mean((A2 - Y)²), with a tanh
    hidden layer and a linear output A2 = Z2; sizes: inputs, hidden units, examples."""
    n_in, hidden, m = sizes
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n_in, m, generator=generator, dtype=torch.float64)
    Y = torch.randn(1, m, generator=generator, dtype=torch.float64)
    params = {
        "W1": torch.randn(hidden, n_in, generator=generator, dtype=torch.float64),
        "b1": torch.randn(hidden, 1, generator=generator, dtype=torch.float64),
        "W2": torch.randn(1, hidden, generator=generator, dtype=torch.float64),
        "b2": torch.randn(1, 1, generator=generator, dtype=torch.float64),
    }
    leaves = {name: p.clone().requires_grad_() for name, p in params.items()}
    cache = linear_output_forward(X, leaves)
    ((cache["A2"] - Y) ** 2).mean().backward()
    right = {"d" + name: leaves[name].grad for name in ("W2", "b2", "W1", "b1")}
    cache = {name: value.detach() for name, value in cache.items()}
    copies = [{name: t.clone() for name, t in d.items()} for d in (params, cache)]
    yours = gradient_dict(ask(answer, X.clone(), Y.clone(), *copies))
    A1, A2 = cache["A1"], cache["A2"]

    def gradients(dZ2, hidden_derivative):  # the chapter's formulas, from dZ2 on
        dZ1 = params["W2"].T @ dZ2 * hidden_derivative
        return {
            "dW2": dZ2 @ A1.T / m,
            "db2": dZ2.mean(dim=1, keepdim=True),
            "dW1": dZ1 @ X.T / m,
            "db1": dZ1.mean(dim=1, keepdim=True),
        }

    dZ2, tanh = 2 * (A2 - Y), 1 - A1**2
    log_loss = gradients(A2 - Y, tanh)
    sigmoid_kept = gradients(dZ2 * A2 * (1 - A2), tanh)
    relu_hidden = gradients(dZ2, (cache["Z1"] > 0).double())
    no_derivative = gradients(dZ2, 1)
    for name, other in (("dW2", "dW1"), ("db2", "db1"), ("dW1", "dW2"), ("db1", "db2")):
        mistakes = [
            (
                log_loss[name],
                (
                    f"your {name} is half the right one: the derivative of (A2 − Y)² is "
                    "2(A2 − Y); dZ2 = A2 − Y is the log loss's formula, copied"
                ),
            ),
            (
                sigmoid_kept[name],
                (
                    f"your {name} keeps a sigmoid's derivative A2(1 − A2); the output is "
                    "linear now, A2 = Z2, so dA2/dZ2 = 1"
                ),
            ),
            (
                m * right[name],
                (
                    f"your {name} is the sum over the {m} examples; L is their mean: "
                    "divide by m"
                ),
            ),
            (
                right[name] / m,
                (
                    f"your {name} is divided by m twice: once in dZ2, once more in the "
                    "mean over the examples"
                ),
            ),
            rows_for_m(name, right[name], n_in, m),
        ]
        if name in ("dW1", "db1"):
            mistakes += [
                (
                    relu_hidden[name],
                    (
                        f"your {name} uses ReLU's derivative (Z1 > 0); the hidden layer is "
                        "tanh here: its derivative is 1 − A1²"
                    ),
                ),
                (
                    no_derivative[name],
                    (
                        f"your {name} leaves out tanh's derivative: multiply W2ᵀ dZ2 by "
                        "1 − A1² element-wise"
                    ),
                ),
            ]
        mistakes += [
            (
                right[other],
                f"your {name} is {other}: dW1 and dW2 are swapped (or db1 and db2)",
            ),
            (
                right[name].T,
                (
                    f"your {name} is transposed: it should have the shape of {name[1:]}, "
                    f"{tuple(right[name].shape)}"
                ),
            ),
            *slips(name, right[name]),
        ]
        hint = (
            "Start from dZ2 = dℓ/dZ2 for one example, then follow the chapter's steps."
        )
        same(name, yours[name], right[name], hint, mistakes)
    return "All four gradients of the squared error equal autograd's, in float64."


CHECKERS = {
    "relu-backward": _relu_backward,
    "count-parameters": _count_parameters,
    "mse-output-backward": _mse_output_backward,
}
