"""The trust boundary. Student code runs only on the probe side, inside a sandbox; everything that
decides a grade runs on the judge side, in the grader's own process.

probe side (inside the sandbox):  child.py (the program), probe_steps.py (import, probe)
judge side (the grader):          runner.py (schedule, deadlines, retries), jail.py (bubblewrap),
                                  caps.py (cgroups or fallbacks)
between them:                     protocol.py (frames with limits the judge side enforces)
"""
