import sys

from autograder.cli import main

if __name__ == "__main__":  # the fork server may import this module; it must not run the CLI
    sys.exit(main())
