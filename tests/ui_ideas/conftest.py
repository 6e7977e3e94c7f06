from tests.ideas.conftest import feed_server  # noqa: F401  (a real feed server on 127.0.0.1)
from tests.ui.conftest import make_window  # noqa: F401  (the real main window over an isolated profile)
