"""Checkers for the exercises at the end of each chapter.

In a chapter's notebook (or anywhere):

    from snippets.exercises import check
    check("nand", w, b)

prints whether the answer is right and, if not, what differs and the likely cause. An answer left as
`...` is "not answered yet". Checkers compare with tolerances against a reference computed afresh,
never against numbers copied from a run. A checker's data can be redrawn (`seed=`, shapes) so that the
tests can run it on more than one batch; readers only ever call `check`.
"""

import inspect

from snippets import (
    exercises_activations,
    exercises_gradient_descent,
    exercises_losses,
    exercises_mlp,
    exercises_mnist,
    exercises_perceptron,
)
from snippets.checking import NotAnswered, Wrong
from snippets.exercises_mlp import relu_forward

CHECKERS = {
    **exercises_gradient_descent.CHECKERS,
    **exercises_perceptron.CHECKERS,
    **exercises_activations.CHECKERS,
    **exercises_losses.CHECKERS,
    **exercises_mlp.CHECKERS,
    **exercises_mnist.CHECKERS,
}


def check(exercise: str, *answer) -> None:
    """Check your answer to an exercise; print whether it is right and, if not, what differs."""
    if exercise not in CHECKERS:
        raise ValueError(
            f"there is no exercise {exercise!r}; the exercises are {', '.join(CHECKERS)}"
        )
    checker = CHECKERS[exercise]
    names = [
        name
        for name, parameter in inspect.signature(checker).parameters.items()
        if parameter.kind is parameter.POSITIONAL_OR_KEYWORD
    ]
    try:
        if any(part is ... for part in answer):
            raise NotAnswered
        if len(answer) != len(names):
            raise Wrong(
                f"call check({exercise!r}, {', '.join(names)}): {len(names)} answer(s) "
                f"after the name, you gave {len(answer)}"
            )
        confirmation = checker(*answer)
    except NotAnswered:
        print(
            f"{exercise}: not answered yet; replace each ... with your answer and run the cell again"
        )
    except Wrong as wrong:
        print(f"{exercise}: not yet. {wrong}")
    except Exception as error:  # noqa: BLE001  (no checker foresaw it: a message, no traceback)
        print(
            f"{exercise}: not yet. The checker could not check your answer "
            f"({type(error).__name__}: {error})"
        )
    else:
        print(f"{exercise}: right. {confirmation}")


__all__ = ["CHECKERS", "Wrong", "check", "relu_forward"]
