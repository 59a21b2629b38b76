"""Declared crashes: kill points for worker processes, and lesson 01's bare agent in a process."""
