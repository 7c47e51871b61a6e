"""FastAPI pieces every service mounts: health, metrics, AsyncAPI, limits, errors, auth."""

from ensemble_shared.web.app import create_service_app, install_common
from ensemble_shared.web.auth import CurrentPrincipal, require_roles

__all__ = ["CurrentPrincipal", "create_service_app", "install_common", "require_roles"]
