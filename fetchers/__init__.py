"""wirewatch's core: config, fetching, parsing, storing and querying news, free of any UI."""

from __future__ import annotations

import logging

__version__ = "0.1.0"
PROJECT_URL = "https://pypi.org/project/wirewatch/"

logging.getLogger("wirewatch").addHandler(logging.NullHandler())
