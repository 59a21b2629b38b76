"""A worker module that fails to import, as a learner's typo would."""

import a_module_that_does_not_exist  # noqa: F401
from temporalio import workflow  # noqa: F401
