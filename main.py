"""Start Chorus from a source checkout: ``python main.py``."""
import sys

from desktop.bootstrap import main

if __name__ == "__main__":
    sys.exit(main())
