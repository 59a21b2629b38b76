"""Run by IPython as a kernel the kit launched starts: out-of-order help from the very first cell.

IPython runs the file named by PYTHONSTARTUP in every kernel it starts (ipykernel's
`exec_PYTHONSTARTUP`, on by default). The kit sets that variable only for what it launches:
JupyterLab from `python3 tasks.py lab` (and so its kernels), lesson 00 in `tasks.py check`,
and every test session (the root conftest), so a learner's other Jupyter use is untouched. A
PYTHONSTARTUP the learner had set is kept in WORKSHOP_USER_PYTHONSTARTUP and run after this.

Importing the kit here costs milliseconds (its names load on first use). In a starting kernel
`import workshop` installs the which-cell-to-run hints and the `%%workflow_module` magic at
once and leaves the model routing and the rest for the first cell (see `workshop/__init__.py`),
so `require(...)`, `Checks` or a `lesson_modules` import run before the setup cell get one line
naming the cell to run, instead of a bare NameError or ModuleNotFoundError.
"""


def _workshop_kernel_start() -> None:
    import os
    import sys

    if "IPython" not in sys.modules:
        return  # a plain `python` prompt, not a kernel
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return
    if "ipykernel" in sys.modules:
        try:
            import workshop  # noqa: F401  (the kernel preparation runs at import)
        except Exception as exc:  # never stop a kernel from starting
            print(f"workshop: the kit's kernel help is off: {exc!r}", file=sys.stderr)
    user_startup = os.environ.get("WORKSHOP_USER_PYTHONSTARTUP", "")
    if user_startup and os.path.isfile(user_startup):
        shell.safe_execfile(user_startup, shell.user_ns)


if __name__ == "__main__":  # IPython runs this file in the kernel's namespace, as __main__
    _workshop_kernel_start()
    del _workshop_kernel_start
