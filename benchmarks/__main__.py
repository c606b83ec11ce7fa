"""`python -m benchmarks`: run the benchmark table (see run.py)."""

import sys

from .run import main

sys.exit(main())
