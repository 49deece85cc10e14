"""Errors of the workflows; services turn them into a DomainError the page shows as it is."""
from __future__ import annotations


class TransitionRefused(Exception):
    """A lifecycle step the rules do not allow now; `message` is Chinese, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
