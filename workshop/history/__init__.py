"""A workflow's event history as steps, the live view, the comparison and the control panel."""
