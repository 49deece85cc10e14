"""Helpers shared by pages: the validated actor of this run, and showing results."""
from ui.context import actor, client_ip, page, recheck_session, run_action, set_actor, set_pages

__all__ = ["actor", "client_ip", "page", "recheck_session", "run_action", "set_actor", "set_pages"]
