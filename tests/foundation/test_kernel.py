"""In a real Jupyter kernel: top-level await workers, asyncio.run in a cell, cells run twice."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tests.conftest import REPO_ROOT
from tests.support.kernels import execute
from tests.support.steps import expected_result

CELLS = [
    "import asyncio, uuid\nimport workshop, workshop.testing\n"
    "from tests.support.steps import StepsWorkflow, step",
    # A worker on the kernel's loop: the cell returns at once. Run twice, as a learner might.
    "w = await workshop.start_worker('kq', workflows=[StepsWorkflow], activities=[step])",
    "w = await workshop.start_worker('kq', workflows=[StepsWorkflow], activities=[step])",
    "print(len([x for x in workshop.testing.running_workers() if x.task_queue == 'kq']))",
    # A script-style cell: asyncio.run inside the kernel works (nest-asyncio, applied by the kit).
    "async def main():\n"
    "    client = await workshop.connect()\n"
    "    return await client.execute_workflow(StepsWorkflow.run, 1, id=f'k-{uuid.uuid4()}',"
    " task_queue='kq')\n"
    "print(asyncio.run(main()))",
    "await workshop.stop_all_workers()\nprint(workshop.testing.running_workers())",
]


def test_kernel_worker_and_asyncio_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = tmp_path / "ledger.txt"
    monkeypatch.setenv("STEPS_LEDGER", str(ledger))
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    execute(nb, REPO_ROOT, timeout=60, allow_errors=False)
    outputs = ["".join(o.get("text", "") for o in cell.outputs) for cell in nb.cells]
    assert outputs[3].strip() == "1"
    assert int(outputs[4]) == expected_result(1)
    assert outputs[5].strip() == "[]"
