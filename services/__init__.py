# Registered with the package, not with any one service: every write that can change the
# roster findings marks them stale, whichever service or command makes it.
from services import roster_findings as _roster_findings  # noqa: F401
