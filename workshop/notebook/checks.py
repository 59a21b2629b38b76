"""Check cells: tell the learner, line by line, what is right and what is still wrong.

A check cell follows each exercise::

    with Checks(2, "a retry policy that outlasts three failures") as check:
        policy = check.defined("RETRY")
        check.that(policy.maximum_attempts >= 4, "RETRY allows at least 4 attempts",
                   f"RETRY allows {policy.maximum_attempts} attempts; 3 failures need 4")

It prints one ✓ or ✗ line per check. If anything is wrong it raises `ExerciseIncomplete`
(an AssertionError) whose message lists the ✗ lines, shown without a traceback in Jupyter.
A name the exercise should define but that is missing (because the stub cell raised
NotImplementedError, or was never run) reads "run (and finish) Exercise N first", and code
that still raises NotImplementedError reads the same way: never an obscure NameError. A bug in
the learner's workflow or activity code reads as their own lines and the cell to fix (see
`failures.py`); `await check.result(handle)` and `await check.update(handle, ...)` wait with a
timeout that says what they were waiting for. When the exercise's reference answer was loaded
with `load_answer` (and is still in place), the last line says so: the pass is the
reference's, not the learner's.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from types import FrameType, ModuleType, TracebackType
from typing import Any

from ..errors import ExerciseIncomplete, WorkflowStuck
from .answers import reference_in_place
from .failures import explain, watch
from .magics import MODULES_DIR

OK = "✓"
BAD = "✗"


class _Stop(Exception):
    """Ends a check block early when later checks cannot run (their input is missing)."""


_learner_error: BaseException | None = None
"""The last error a notebook cell raised that was not a check's own (see Checks.last_error)."""


def _remember_learner_error() -> None:
    # IPython keeps the last uncaught error in sys.last_value; a check's own ExerciseIncomplete
    # must not hide the learner's, so that running a check twice says the same thing.
    global _learner_error
    error = getattr(sys, "last_value", None)
    if error is not None and not isinstance(error, ExerciseIncomplete):
        _learner_error = error


class Checks:
    """A block of checks for one exercise (use as `with Checks(N, "title") as check:`).

    Args:
        exercise: the exercise number, used in messages ("run Exercise 2 first").
        title: a few words naming the exercise, printed on the first line.
    """

    def __init__(self, exercise: int, title: str = "") -> None:
        self.exercise = exercise
        self.title = title
        self.lines: list[str] = []
        self.failures: list[str] = []
        self._frame: FrameType | None = None
        self._reference = False

    @property
    def label(self) -> str:
        """ "Exercise N" or "Exercise N (title)"."""
        return f"Exercise {self.exercise}" + (f" ({self.title})" if self.title else "")

    def __enter__(self) -> Checks:
        frame = inspect.currentframe()
        self._frame = frame.f_back if frame is not None else None
        _remember_learner_error()
        return self

    async def __aenter__(self) -> Checks:
        frame = inspect.currentframe()
        self._frame = frame.f_back if frame is not None else None
        _remember_learner_error()
        return self

    def _lookup(self, name: str) -> tuple[bool, Any]:
        # A notebook cell's names are the frame's globals; in a function, its locals first.
        if self._frame is None:
            return False, None
        for namespace in (self._frame.f_locals, self._frame.f_globals):
            if name in namespace:
                return True, namespace[name]
        return False, None

    def last_error(self, kind: type[BaseException] = Exception) -> BaseException | None:
        """The last error a cell of this notebook raised (never a check's own), if a `kind`.

        For a check that explains, in words, why the exercise cell stopped early (a refused
        update, for example). It may be older than the exercise: ask only when the exercise's
        result is missing.
        """
        return _learner_error if isinstance(_learner_error, kind) else None

    def passed(self, what: str) -> None:
        """Record a check that holds."""
        self.lines.append(f"{OK} {what}")

    def failed(self, what: str) -> None:
        """Record a check that does not hold (`what` says what is wrong and, ideally, why)."""
        self.lines.append(f"{BAD} {what}")
        self.failures.append(what)

    def that(self, ok: object, what: str, otherwise: str | None = None) -> bool:
        """Record `what` as passed when `ok` is true, else `otherwise` (or "not yet: what")."""
        if ok:
            self.passed(what)
        else:
            self.failed(otherwise or f"not yet: {what}")
        return bool(ok)

    def equal(self, got: object, expected: object, what: str) -> bool:
        """Check `got == expected`; the failure line shows both values."""
        return self.that(got == expected, what, f"{what}: expected {expected!r}, got {got!r}")

    def require(self, ok: object, what: str, otherwise: str | None = None) -> None:
        """Like `that`, but stop the block when it fails (later checks depend on it)."""
        if not self.that(ok, what, otherwise):
            raise _Stop

    def defined(self, name: str, kind: type | tuple[type, ...] | None = None) -> Any:
        """The value of `name` from the notebook; stops with "run Exercise N first" if missing.

        Args:
            name: a name the exercise cell defines.
            kind: when given, the value must be an instance of it.
        """
        found, value = self._lookup(name)
        if not found:
            self.failed(
                f"`{name}` is not defined yet: run (and finish) Exercise {self.exercise} "
                "first, then run this check again."
            )
            raise _Stop
        if kind is not None and not isinstance(value, kind):
            names = kind if isinstance(kind, tuple) else (kind,)
            wanted = " or ".join(k.__name__ for k in names)
            self.failed(f"`{name}` should be a {wanted}, but it is a {type(value).__name__}.")
            raise _Stop
        self.passed(f"`{name}` is defined")
        return value

    def module(self, name: str) -> ModuleType:
        """The lesson module `name` that a `%%workflow_module NAME` exercise cell wrote.

        Stops with "run Exercise N first" when the module is missing or its cell still
        raises (an unfinished stub fails at import, so nothing stale is checked).
        """
        qualified = f"{MODULES_DIR}.{name}"
        try:
            importlib.invalidate_caches()
            if qualified in sys.modules:
                # Import afresh: the module file may have changed since it was last imported.
                module = importlib.reload(sys.modules[qualified])
            else:
                module = importlib.import_module(qualified)
        except NotImplementedError:
            self.failed(
                f"`{MODULES_DIR}/{name}.py` still raises NotImplementedError: finish "
                f"Exercise {self.exercise}, run its cell, then this one."
            )
            raise _Stop from None
        except ImportError:
            self.failed(
                f"`{MODULES_DIR}/{name}.py` does not exist yet: run (and finish) "
                f"Exercise {self.exercise} first."
            )
            raise _Stop from None
        self.passed(f"module `{name}` imports")
        return module

    async def result(self, handle: Any, timeout: float = 30.0) -> Any:
        """The workflow's result; stops with a sentence when it fails or cannot finish.

        A failure in the learner's code shows their own lines and the cell to fix; a workflow
        that no worker polls, whose code keeps failing, or that is still running after
        `timeout` seconds says so (see `failures.watch`).
        """
        return await watch(handle.result(), handle, timeout=timeout)

    async def update(self, handle: Any, update: Any, arg: Any, timeout: float = 30.0) -> Any:
        """`handle.execute_update(update, arg)`, with the same timeout and words as `result`."""
        name = getattr(update, "__name__", update)
        return await watch(
            handle.execute_update(update, arg),
            handle,
            timeout=timeout,
            what=f"the update {name} of workflow {handle.id}",
        )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        if self._frame is not None:
            self._reference = reference_in_place(self.exercise, self._frame.f_globals)
        self._frame = None  # no reference cycle through the notebook's frame
        if exc_type is not None and not issubclass(exc_type, Exception):
            return False  # KeyboardInterrupt, cancellation: not ours to swallow
        if exc is not None and not isinstance(exc, _Stop):
            self.failed(self._explain(exc))
        self._report()
        return True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        return self.__exit__(exc_type, exc, tb)

    def _explain(self, exc: BaseException) -> str:
        """A failure line for an exception raised while checking."""
        chain: list[BaseException] = []
        current: BaseException | None = exc
        while current is not None and len(chain) < 8:
            chain.append(current)
            current = current.__cause__ or current.__context__
        # Through Temporal a stub's error arrives as ApplicationError(type="NotImplementedError").
        if any(
            isinstance(e, NotImplementedError) or getattr(e, "type", None) == "NotImplementedError"
            for e in chain
        ):
            return (
                f"your code for Exercise {self.exercise} still raises NotImplementedError: "
                "replace the `raise NotImplementedError(...)` line, run that cell, then this one."
            )
        if isinstance(exc, NameError):
            return f"{exc}: run (and finish) Exercise {self.exercise} and the cells above it first."
        if isinstance(exc, WorkflowStuck):
            return str(exc)
        mine = explain(exc)
        if mine is not None:
            lines = mine.lines("run this check again")
            return "your code raised " + "\n".join(lines)
        root = chain[-1]
        detail = f"{type(exc).__name__}: {exc}"
        if root is not exc:
            detail += f" (caused by {type(root).__name__}: {root})"
        return f"running the check raised {detail}"

    def _report(self) -> None:
        print(f"{self.label}:")
        for line in self.lines:
            first, *more = line.splitlines() or [""]
            print(f"  {first}")
            for detail in more:  # a traceback or a reason under its line
                print(f"    {detail}")
        if self.failures:
            # One line per failure here; the lines above hold the details (a traceback).
            summary = "; ".join(failure.splitlines()[0] for failure in self.failures)
            raise ExerciseIncomplete(f"{self.label} is not done yet: {summary}")
        if self._reference:
            print(
                f"{OK} {self.label} passed, with the reference answer that load_answer loaded: "
                "write your own version, run its cell, then this check again."
            )
            return
        print(f"{OK} {self.label} passed.")
