"""The child process that runs a student's code: `python -m autograder.sandbox RESULT_FD`.

It reads a request (JSON on stdin), imports each level file, runs the probes and writes one JSON
line per event to the pipe RESULT_FD: {"start": id} before a step, {"id": id, "result": ...}
after it, {"level": n, "load_error": ...} when a file does not import. It never judges. The
parent watches the "start" lines, so a hang or a crash costs only the step that was running.
"""

import json
import os
import sys


def main():
    result_fd = int(sys.argv[1])
    request = json.loads(sys.stdin.read())
    out = os.fdopen(result_fd, "w", buffering=1)
    # The result pipe must not be reachable through the usual streams the student writes to.
    sys.stdin = open(os.devnull)

    def emit(event):
        out.write(json.dumps(event) + "\n")
        out.flush()

    from autograder.runner import load_and_probe  # imports torch
    from autograder.checks import checks_for_level

    skip = set(request.get("skip", []))
    for level_text, path in request["files"].items():
        level = int(level_text)
        if all(check.id in skip for check in checks_for_level(level)):
            continue  # every check of this level has its result from an earlier child
        load_and_probe(level, path, request["device"], request["solutions"], emit, skip)
    emit({"done": True})
    out.close()
    os._exit(0)  # skip interpreter teardown: student objects' __del__ must not run after the results


if __name__ == "__main__":
    main()
