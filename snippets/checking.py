"""What every exercise checker shares: the answer is asked for, compared and its mistakes named.

`snippets/exercises.py` holds `check`, which readers call; each chapter's checkers are in
`snippets/exercises_CHAPTER.py` and use these helpers.
"""

import torch


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
    return f"{'an' if name[0] in 'aeiouAEIOU' else 'a'} {name}"


def unanswered(value) -> bool:
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


def same(name, yours, expected: torch.Tensor, hint="", mistakes=(), place=None):
    """Refuse `yours` unless it is a float tensor (or a float) close to `expected`. If not, name the first
    of `mistakes`, (wrong answer, message) pairs, that it equals; else say what differs and where:
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
    yours = yours.to(expected.dtype)
    finite = torch.isfinite(yours)
    difference = torch.where(finite, (yours - expected).abs(), torch.inf)
    index = tuple(
        i.item() for i in torch.unravel_index(difference.argmax(), difference.shape)
    )
    at = place(index) if place else (f"at {list(index)}" if index else "")
    at = f" {at}" if at else ""
    if not finite.all():
        raise Wrong(f"your {name} is {yours[index].item()}{at}. {hint}".rstrip())
    raise Wrong(
        f"your {name} differs from the right one by {difference.max():.3g}{at}. {hint}".rstrip()
    )


def numbers_in(name: str, value) -> torch.Tensor:
    """A tensor, a list or a number as a float64 tensor, or a message saying what it should be."""
    try:
        return torch.as_tensor(value, dtype=torch.float64).detach().cpu()
    except (TypeError, ValueError, RuntimeError):
        raise Wrong(f"{name} should be numbers, got {kind(value)}") from None
