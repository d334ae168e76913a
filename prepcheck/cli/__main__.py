"""``python -m prepcheck.cli``: the same as the ``prepcheck`` command."""

import sys

from prepcheck.cli.entry import main

sys.exit(main())
