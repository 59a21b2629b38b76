"""Temporal workers: how they are built, one on the kernel's loop, one in a process that can die."""
