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
    kind = torch.device(name).type  # raises a clear RuntimeError for a malformed device string
    if kind not in ("cpu", "cuda", "mps"):
        raise RuntimeError(f"the kit grades on cpu, cuda or mps (or auto), not {kind}")
    if kind == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("CUDA is not available on this machine (no GPU, or a CPU build of torch)")
    if kind == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise RuntimeError("MPS is not available on this machine")
    return name


