"""`python -m zerograd <command>`: the same command line as the `zerograd` script (cli.py)."""

from .cli import main

raise SystemExit(main())
