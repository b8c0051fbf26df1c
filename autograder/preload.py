"""Imported once by the fork server, so every forked child starts with all it needs in memory.

Besides torch and the kit, it runs the reference probes once on the CPU: every module those
code paths import lazily is then loaded too. That matters when a child drops to an
unprivileged user who may not be allowed to read the Python installation (under /root, say).
Never initialise CUDA here: a process must not fork after CUDA is initialised. On a machine with a
GPU the warm-up is skipped (see below); there, children that drop to another user need the
Python installation readable by all, or AUTOGRADER_SAME_USER=1.
"""

import collections  # noqa: F401  modules students commonly import, loaded while readable
import copy  # noqa: F401
import dataclasses  # noqa: F401
import functools  # noqa: F401
import itertools  # noqa: F401
import math  # noqa: F401
import os
import random  # noqa: F401
import statistics  # noqa: F401
import sys  # noqa: F401
import time  # noqa: F401
import typing  # noqa: F401
import warnings

import numpy  # noqa: F401
import torch
import torch.nn.functional  # noqa: F401
import torch.utils.data  # noqa: F401

import autograder.sandbox  # noqa: F401
from autograder.levels import LEVELS
from autograder.runner import reference_results

torch.set_num_threads(1)
# The warm-up runs backward(). On a machine with CUDA devices that starts autograd's device
# threads, and a process forked after that cannot use autograd; so the parent, which may look
# at CUDA, decides (AUTOGRADER_WARMUP), and this process never touches CUDA itself.
if os.environ.get("AUTOGRADER_WARMUP") == "1":
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _level in LEVELS:
            reference_results(_level, "cpu")
else:
    # What the optimizers import lazily (torch._dynamo); seen failing to import as another user.
    try:
        import torch._dynamo  # noqa: F401
    except Exception:
        pass
