"""Event-history model, live view, comparison view and control panel (public names in workshop)."""
