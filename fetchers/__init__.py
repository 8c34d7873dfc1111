"""wirewatch's core: config, fetching, parsing, storing and querying news, free of any UI."""

from __future__ import annotations

import logging
import sys

# httpx imports its own command-line client (click, rich, pygments) when it is imported, if
# those happen to be installed: 45-60 ms on every wirewatch start, for code wirewatch never
# runs. A None entry makes that one import fail, which httpx expects and tolerates.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

__version__ = "0.1.0"
PROJECT_URL = "https://pypi.org/project/wirewatch/"

logging.getLogger("wirewatch").addHandler(logging.NullHandler())
