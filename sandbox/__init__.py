"""A stateful HTTP fake of the VTEX APIs the back office uses.

Served by Werkzeug, driven over loopback by tests, benchmarks and `make run`.
It knows VTEX's behaviour (order workflow, feed, hook, invoices, faults) and
nothing of the back office; see `sandbox/README.md` and `docs/sandbox-interface.md`.
"""

from sandbox.control import SandboxControl
from sandbox.server import SandboxServer

__all__ = ["SandboxControl", "SandboxServer"]
