"""The one way the kit writes a result file: whole or not at all (a reader never sees half a file)."""

import os
from pathlib import Path


def write_atomically(path, text):
    """Write text to path through a hidden temporary file beside it, then rename it into place."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
