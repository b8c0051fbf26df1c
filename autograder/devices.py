"""Device names: `auto` resolves to cuda, then mps, then cpu."""

import torch


def resolve_device(name="cpu"):
    if name in (None, "", "auto"):
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return "mps"
        return "cpu"
    torch.device(name)  # raises a clear RuntimeError for a malformed device string
    return name
