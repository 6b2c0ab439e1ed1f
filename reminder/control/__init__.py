"""The control endpoint: how the CLI (and IT scripts) reach the running service."""

from reminder.control.client import send_request
from reminder.control.protocol import MAX_REQUEST_BYTES
from reminder.control.server import AlreadyRunning, ControlServer, claim_endpoint

__all__ = ["MAX_REQUEST_BYTES", "AlreadyRunning", "ControlServer", "claim_endpoint", "send_request"]
