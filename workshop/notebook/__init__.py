"""The notebook layer: cell helpers, exercise checks, magics, quiet logs, widgets' text form."""
