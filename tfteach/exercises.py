"""Checking the lessons' exercises: a verdict with a hint, never the expected answer.

An exercise cell starts with `answer_1 = ...` (Python's Ellipsis: "not done yet"), so that
`None` stays available as an answer when `None` is right. Its check cell defines
`check_1(answer)`, which raises `Hint("what to look at")` through `expect(...)` when the answer
is wrong, and prints `check(1, check_1, answer_1)`:

    Exercise 1: correct!
    Exercise 1: not yet. Hint: answer_1 should be a Tensor built with tf ops, not a number
    Exercise 1: not done yet

Rules the lessons' checks follow (tests/test_lesson_exercises.py runs each with wrong answers):
- an answer that must be a TF object is type-checked first, so a typed-in number fails;
- a hint says where to look, and never contains the value the check compares against;
- a check computes what it compares against from a fresh graph or the lesson's own objects,
  so re-running earlier cells does not change the verdict.
"""

__all__ = ["NOT_DONE", "Hint", "Verdict", "expect", "check", "grade", "is_number"]

import numbers

NOT_DONE = ...


class Hint(AssertionError):
    """A wrong answer, with what the student should look at (never the expected value)."""


class Verdict(str):
    """The printed verdict; `passed` says whether the answer was accepted."""
    passed = False

    def __new__(cls, text, passed):
        v = super().__new__(cls, text)
        v.passed = passed
        return v


def expect(condition, hint):
    """Fails the check with `hint` unless `condition` holds."""
    if not condition:
        raise Hint(hint)


def is_number(value):
    """A plain number (Python or NumPy scalar), not a bool, a tensor or a string."""
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def check(number, check_fn, answer):
    """Runs `check_fn(answer)` and returns the verdict to print for exercise `number`.

    `check_fn` may return a short note to append to "correct!". Any other error raised while
    checking (an answer of the wrong kind that the check did not type-check) still yields a hint
    naming the error, so a student never sees a bare traceback from the check itself."""
    label = f"Exercise {number}"
    if answer is NOT_DONE:
        return Verdict(f"{label}: not done yet", False)
    try:
        note = check_fn(answer)
    except Hint as h:
        return Verdict(f"{label}: not yet. Hint: {h}", False)
    except AssertionError as e:
        text = str(e) or "compare your answer with what the exercise asks for"
        return Verdict(f"{label}: not yet. Hint: {text}", False)
    except Exception as e:      # a wrong kind of answer the check did not foresee
        return Verdict(f"{label}: not yet. Hint: checking your answer raised "
                       f"{type(e).__name__} ({e}); is it the kind of object the exercise "
                       f"asks for?", False)
    return Verdict(f"{label}: correct!" + (f" {note}" if note else ""), True)


class NotPassed(AssertionError):
    """Raised by `grade`: the autograder (nbgrader) scores a test cell that raises as zero."""


def grade(number, check_fn, answer):
    """`check`, for an autograder: raises NotPassed (with the verdict, hint included) unless the
    answer passes; an answer not given yet fails too. nbgrader's hidden tests call this."""
    verdict = check(number, check_fn, answer)
    if not verdict.passed:
        raise NotPassed(str(verdict))
    return verdict
