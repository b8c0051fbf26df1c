import sys

from autograder.cli import main

if __name__ == "__main__":  # importing the package must not run the CLI
    sys.exit(main())
