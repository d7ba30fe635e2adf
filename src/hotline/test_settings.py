"""Settings for the test suite: production settings with the explicit local opt-out.

The suite runs a throwaway instance (test client, live servers on 127.0.0.1, `hotline` subprocesses,
which inherit the variable): HOTLINE_INSECURE_LOCAL=1 gives it the built-in key and plain HTTP. Tests of
the production defaults run `hotline` in a subprocess with the variable removed.
"""
import os

os.environ.setdefault("HOTLINE_INSECURE_LOCAL", "1")

from hotline.settings import *  # noqa: E402,F401,F403
