"""``python -m govaudit``: the command line."""
from govaudit.cli import run

run()
