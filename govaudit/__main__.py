"""``python -m govaudit``: the command line."""
import sys

from govaudit.cli import main

sys.exit(main())
