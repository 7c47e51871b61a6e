"""Typed clients of the services' APIs: one module per backend, one method per call."""

from ensemble_console.clients.base import ApiError, Caller, Origin, ServiceClient
from ensemble_console.clients.bundle import Clients

__all__ = ["ApiError", "Caller", "Clients", "Origin", "ServiceClient"]
