"""Device placement probes that need no GPU: run each level's stubs on PyTorch's `meta` device.

A meta tensor has a shape, a dtype and a device but no data, and every machine has that device.
A stub that creates a tensor on a fixed device (torch.zeros(n) inside forward, a weight that
ignores the `device` argument) fails there exactly as it would on a GPU. The judge is
autograder.checks.placement.
"""

import torch

from autograder.probe.tensors import describe, describe_exception, is_tensor

META = "meta"
# What a meta tensor cannot do: give out data (.item(), .tolist()). Reaching that point is not a
# device mistake (train_step's final loss.item() means the step ran).
NO_DATA_ON_META = ("cannot be called on meta tensors", "Cannot copy out of meta tensor")


def device_of(obj):
    return str(obj.device) if is_tensor(obj) else None


class Trial:
    """Collect, stub by stub, where each output landed or what went wrong."""

    def __init__(self):
        self.entries = []

    def run(self, stub, call, *expect, produces=True):
        """call() returns tensors (or a tuple of them) that must all be on meta. produces=False: the
        tensor checked is the input itself (an in-place stub), so it proves nothing ran."""
        try:
            out = call()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:
            self.entries.append({"stub": stub, "error": describe_exception(exc)})
            return None
        outs = out if isinstance(out, tuple) else (out,)
        self.entries.append({"stub": stub, "devices": [device_of(o) for o in outs], "names": list(expect),
                             "produces": produces})
        return out


def created_on_meta(make):
    """What make() (a stub that creates weights, called with device='meta') gives: a leaf on the CPU
    can be a leaf only by accident (`.to('cpu')` returns the tensor itself), while on any other device
    a tensor created and then moved is a copy that autograd recorded. meta shows what a GPU would."""
    try:
        out = make()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # the device check reports it
        return {"kind": "error", "error": describe_exception(exc)}
    return describe(out, values=False)


def meta_inputs(batch=4):
    x = torch.stack([torch.ones(batch, device=META), torch.randn(batch, device=META)], dim=1)
    return x, torch.randn(batch, device=META)
