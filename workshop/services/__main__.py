"""`python -m workshop.services --port P --state-dir DIR`: the services process the kit starts."""

import argparse
from pathlib import Path

from .app import serve

parser = argparse.ArgumentParser(prog="python -m workshop.services")
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--state-dir", required=True)
args = parser.parse_args()
serve(args.port, Path(args.state_dir))
