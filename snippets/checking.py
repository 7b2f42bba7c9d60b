"""What every exercise checker shares: the answer is asked for, compared and its mistakes named.

`snippets/exercises.py` holds `check`, which readers call; each chapter's checkers are in
`snippets/exercises_CHAPTER.py` and use these helpers.
"""

import numbers

import torch
from torch.overrides import TorchFunctionMode


class Wrong(Exception):
    """An answer that is not right yet; its message says what differs, in the reader's terms."""


class NotAnswered(Exception):
    """The answer, or what it returns, is still the `...` of the exercise."""


class Raised(Wrong):
    """The reader's function raised `error`; a checker may catch this to name the likely cause."""

    def __init__(self, error: Exception):
        lines = str(error).strip().splitlines() or [""]
        super().__init__(f"your function raised {type(error).__name__}: {lines[0]}")
        self.error = error


def kind(value) -> str:
    """What a value is, for a message: 'None', 'a str', 'an int'."""
    if value is None:
        return "None"
    name = type(value).__name__
    vowel_sound = name[0] in "aeiouAEIOU" or name in (
        "ndarray",
        "NDArray",
    )  # "an en-dee-array"
    return f"{'an' if vowel_sound else 'a'} {name}"


def unanswered(value) -> bool:
    """Whether a value is `...`, or a tuple, list or dict with a `...` in it, one level down."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        return any(part is ... for part in value)
    return value is ...


def ask(answer, *args):
    """Call the reader's function: a `...` it returns means not answered yet, an exception it raises is
    Raised (a message, not a traceback)."""
    if not callable(answer):
        raise Wrong(
            f"the answer should be your function (its name, not a call), got {kind(answer)}"
        )
    try:
        result = answer(*args)
    except Exception as error:
        raise Raised(error) from error
    if unanswered(result):
        raise NotAnswered
    return result


def matches(yours, candidate: torch.Tensor) -> bool:
    """Whether an answer (a tensor, or a float) equals `candidate`, to name a mistake by what it gives."""
    if isinstance(yours, float):
        yours = torch.tensor(yours, dtype=torch.float64)
    return (
        isinstance(yours, torch.Tensor)
        and yours.shape == candidate.shape
        and not yours.is_complex()
        and torch.allclose(yours.detach().cpu().to(candidate.dtype), candidate)
    )


def slips(name: str, right: torch.Tensor, count=None, over="examples") -> list:
    """The slips any number can have: a sum over `count` items instead of their mean, a sign, a factor 2."""
    found = [
        (-right, f"your {name} has the wrong sign"),
        (2 * right, f"your {name} is twice the right one: a factor of 2 too many"),
        (right / 2, f"your {name} is half the right one: a factor of 2 missing"),
    ]
    if count:
        mean = f"your {name} is the sum over the {count} {over}, not their mean"
        found.insert(0, (count * right, mean))
    return found


LOW_PRECISION = {  # a dtype below float64: the relative error its rounding alone may leave
    torch.float32: 1e-4,
    torch.float16: 1e-2,
    torch.bfloat16: 5e-2,
}


def same(name, yours, expected: torch.Tensor, hint="", mistakes=(), place=None):
    """Refuse `yours` unless it is a float tensor (or a float) close to `expected`. If not, name the first
    of `mistakes`, (wrong answer, message) pairs, that it equals; else say that it is computed in float32
    if that is all, or what differs and where, at the point furthest outside the tolerance:
    `place(index)` words an index, such as "at x = 0.5"."""
    if isinstance(yours, float):
        yours = torch.tensor(yours, dtype=expected.dtype)
    if not isinstance(yours, torch.Tensor):
        raise Wrong(f"your {name} should be a tensor, got {kind(yours)}")
    yours = yours.detach().cpu()
    if matches(yours, expected) and yours.is_floating_point():
        return
    for candidate, message in mistakes:
        if matches(yours, candidate):
            raise Wrong(message)
    if yours.shape != expected.shape:
        raise Wrong(
            f"your {name} has shape {tuple(yours.shape)}, expected {tuple(expected.shape)}"
        )
    if not yours.is_floating_point():
        raise Wrong(
            f"your {name} has dtype {yours.dtype}; it should hold floats, like {expected.dtype}"
        )
    dtype, yours = yours.dtype, yours.to(expected.dtype)
    low = LOW_PRECISION.get(dtype) if expected.dtype == torch.float64 else None
    if low and torch.allclose(
        yours, expected, rtol=low, atol=low * expected.abs().max().item()
    ):
        raise Wrong(
            f"your {name} is computed in {str(dtype).removeprefix('torch.')}; compute in "
            "the input's dtype (float64)"
        )
    finite = torch.isfinite(yours)
    difference = torch.where(finite, (yours - expected).abs(), torch.inf)
    # the worst point is the one furthest outside allclose's tolerance, not the largest difference
    outside = difference / (1e-8 + 1e-5 * expected.abs())
    index = tuple(
        i.item() for i in torch.unravel_index(outside.argmax(), outside.shape)
    )
    at = place(index) if place else (f"at {list(index)}" if index else "")
    at = f" {at}" if at else ""
    if not finite.all():
        raise Wrong(f"your {name} is {yours[index].item()}{at}. {hint}".rstrip())
    raise Wrong(
        f"your {name} differs from the right one by {difference[index]:.3g}{at}. {hint}".rstrip()
    )


def numbers_in(name: str, value) -> torch.Tensor:
    """A tensor, a list or a number as a float64 tensor, or a message saying what it should be; a list
    still holding a `...`, such as [..., ...], is not answered yet."""
    if unanswered(value):
        raise NotAnswered
    try:
        return torch.as_tensor(value, dtype=torch.float64).detach().cpu()
    except (TypeError, ValueError, RuntimeError):
        raise Wrong(f"{name} should be numbers, got {kind(value)}") from None


class Calls(TorchFunctionMode):
    """Within `with Calls() as calls:`, the names of the torch functions called, in calls.names, and each
    call as (name, args, kwargs), in calls.made: to refuse an answer that calls the function it is
    compared with, or to name a mistake by the arguments of a call."""

    def __init__(self):
        super().__init__()
        self.names = set()
        self.made = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        self.names.add(name)
        self.made.append((name, args, kwargs or {}))
        return func(*args, **(kwargs or {}))


AUTOGRAD = (
    "write the derivative yourself, without autograd: torch.autograd.grad or .backward() "
    "is what we compare against"
)


def by_hand(answer, *args):
    """What answer(*args) returns, refused if it calls autograd: these exercises say "without autograd"."""
    return without(
        {"grad", "backward"}, AUTOGRAD, answer, *(arg.clone() for arg in args)
    )


def without(refused: set, message: str, answer, *args):
    """What answer(*args) returns, refused with `message` if it calls a torch function in `refused`."""
    with Calls() as calls:
        yours = ask(answer, *args)
    if calls.names & refused:
        raise Wrong(message)
    return yours


NOT_A_TENSOR = "return a tensor (no .item()), so that backward() works"


def a_tensor(name: str, yours) -> torch.Tensor:
    """Refuse a value that is not a tensor where the exercise asks for a tensor to call .backward() on: a
    number, such as .item() gives, with NOT_A_TENSOR, anything else by what it is."""
    if isinstance(yours, torch.Tensor):
        return yours
    if isinstance(yours, numbers.Number) and not isinstance(yours, bool):
        raise Wrong(f"your {name} is {kind(yours)}: {NOT_A_TENSOR}")
    raise Wrong(f"your {name} should be a tensor, got {kind(yours)}")
