# The suite registers tests.fixtures.sandbox as a plugin in tests/conftest.py; importing
# the fixtures here keeps this directory runnable on its own.
from tests.fixtures.sandbox import sandbox, sandbox_server  # noqa: F401
