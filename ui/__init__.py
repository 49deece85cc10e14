"""Helpers shared by pages: the validated actor of this run, and showing results."""
from ui.context import actor, client_ip, recheck_session, run_action, set_actor

__all__ = ["actor", "client_ip", "recheck_session", "run_action", "set_actor"]
