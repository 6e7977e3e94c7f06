"""``python -m desktop`` starts Chorus."""
import sys

from desktop.bootstrap import main

sys.exit(main())
