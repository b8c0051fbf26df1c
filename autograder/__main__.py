import os
import sys

from autograder.cli import main


def run():
    """python -m autograder, and the `autograder` console command."""
    code = main()
    if code == 130:  # interrupted: every sandbox is ended and every result written; a worker thread
        sys.stdout.flush()  # still unwinding must not hold the exit (the interpreter joins them)
        sys.stderr.flush()
        os._exit(130)
    sys.exit(code)


if __name__ == "__main__":  # importing the package must not run the CLI
    run()
