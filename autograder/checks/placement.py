"""Judging device placement from the meta-device trials of autograder.probe.placement.

A stub that creates a tensor on a fixed device fails on meta exactly as it would on a GPU, so
the mistake is caught on a laptop or in CI without one.
"""

from autograder.checks.explain import KNOWN_ERRORS
from autograder.checks.verdicts import Problem, passed, require_entries, scrub
from autograder.probe.placement import META, NO_DATA_ON_META


def fix_text(stub):
    if stub.startswith(("zero_grad", "sgd_update")):  # their only input is w
        return (f"Inside {stub}, create tensors on w's device (device=w.device, torch.zeros_like(w), or "
                ".to(w.device)), never on a fixed device.")
    return (f"Inside {stub}, create tensors on the device of the inputs (device=x.device, torch.zeros_like(x), "
            "or .to(x.device)) or on the `device` argument, never on a fixed device.")


def meta_cannot(error):
    """The meta device, not the stub, stopped: a value asked for (.item(), .tolist()), or an operation
    PyTorch has no meta kernel for (its NotImplementedError names the meta backend). On a GPU the
    same code runs."""
    message = str(error.get("message", ""))
    if any(text in message for text in NO_DATA_ON_META):
        return True
    return error.get("type") == "NotImplementedError" and "meta" in message.lower() and not is_stub_marker(message)


def is_stub_marker(message):
    """The NotImplementedError of an unfilled stub: the kit's ("level1.forward: ...") or nbgrader's bare one."""
    return not message or message.startswith("level")


def raised_problem(stub, error):
    """A stub that raised on the meta device earns no device points, whatever it raised: an unfilled
    stub, a device mistake, or any other error (its own check says more)."""
    kind, message = error["type"], scrub(error["message"])
    first = message.splitlines()[0] if message else ""
    if kind == "NotImplementedError":
        return Problem(f"not implemented yet: {message or stub}", "not_implemented")
    if "device" in message or "meta" in message:
        return Problem(f"{stub} fails when its inputs live on another device (the grader tried the meta device, "
                       f"which every machine has, in place of a GPU): {kind}: {first}. {fix_text(stub)}",
                       "wrong_device")
    diagnosis = next((code for text, code, _ in KNOWN_ERRORS if text in message), "raised")
    first = first if first.endswith((".", "!", "?")) else f"{first}."
    return Problem(f"{stub} raised {kind} when the grader ran it on the meta device (in place of a GPU): {first} "
                   "A stub that raises earns no device points; the check of the stub itself says more.", diagnosis)


def judge_placement(entries, level3=False, tried=None):
    """Fail on the first stub that misplaces a tensor or breaks on another device; pass only when
    some stub really ran on the meta device (empty stubs earn nothing here). tried: the stubs the
    grader's probe tries (the reference's entries): the data must report on exactly those."""
    if tried is not None:
        require_entries(entries, len(tried), "the device check")
        if [entry.get("stub") for entry in entries] != [entry["stub"] for entry in tried]:
            raise Problem("the device check: the probe's data was replaced (stubs it did not try).", "malformed")
    ran = 0
    for entry in entries:
        stub = entry["stub"]
        error = entry.get("error")
        if error:
            if meta_cannot(error):
                continue  # reached a data access, or an operation meta has no kernel for: not proof either way
            raise raised_problem(stub, error)
        ran += entry.get("produces", True) and any(device == META for device in entry["devices"])
        for name, device in zip(entry["names"], entry["devices"]):
            if device is None or device == META:
                continue
            if level3 and name == "model.w":
                raise Problem(f"CustomLinearModel(device='meta').w is on {device}. A plain tensor attribute is "
                              "not a parameter, so model.to(device) would leave it behind too: create it on "
                              "the `device` argument, torch.randn(..., device=device).", "w_left_behind")
            if name == "model.w" and ".to(" in stub:
                raise Problem(f"{stub} left model.w on {device}: model.to() moves parameters and buffers only, "
                              "and w is a plain tensor. Make it an nn.Parameter.", "plain_tensor_not_parameter")
            raise Problem(f"{stub}: {name} is on {device}, not on the device asked for (meta). "
                          f"{fix_text(stub)}", "wrong_device")
    if not ran:
        raise Problem("No stub of this level produced a tensor when run on the meta device (see the other "
                      "checks for why), so device placement could not be checked.", "nothing_ran")
    return passed("every stub keeps its tensors on the device of its inputs (tried on the meta device)")
