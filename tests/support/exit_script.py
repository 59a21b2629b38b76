"""A standalone script using the kit: connect, run a workflow on an in-process worker, exit."""

import uuid

import workshop
import workshop.testing
from tests.support.steps import StepsWorkflow, expected_result, step


async def main() -> None:
    client = await workshop.connect()
    queue = f"exit-script-{uuid.uuid4().hex[:8]}"  # scripts may run side by side
    async with workshop.testing.build_worker(
        client, queue, workflows=[StepsWorkflow], activities=[step]
    ):
        result = await client.execute_workflow(
            StepsWorkflow.run, 1, id=f"exit-{uuid.uuid4()}", task_queue=queue
        )
    assert result == expected_result(1)
    print("ok", result)


if __name__ == "__main__":
    workshop.testing.run_script(main())
