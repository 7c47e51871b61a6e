"""Tokens in paths and queries never reach the logs: a service under uvicorn, logging the way
`./dev up` and the images run it (uvicorn's access log through the service's JSON handler)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_scheduler.config import SchedulerSettings
from ensemble_scheduler.main import create_app
from ensemble_shared.capabilities import Capabilities
from ensemble_shared.events import utcnow
from support.apps import SECRET_KEY, settings_for
from support.notify import serving


async def test_access_logs_carry_no_capability_token_nor_ticket(
    infra: Infra,
    unique_name: Callable[[str], str],
    issuer: LocalIssuer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    token = Capabilities(SECRET_KEY, "calendar-feed").sign(
        {"id": "f-1", "ws": "acme", "team": None}, expires=utcnow() + timedelta(days=1)
    )
    paths = [
        f"/calendar.ics?token={token}",
        f"/approval-links/{token}",
        "/inbox/stream?ticket=t-0123456789&x=1",
        "/sign-in/oidc/callback?state=s-42&code=c-42",
    ]
    settings = SchedulerSettings(**settings_for(infra, unique_name("scheduler"), issuer))
    app = create_app(settings)
    served = serving(app, log_config=None, log_level="info", access_log=True)
    async with served as url, httpx.AsyncClient(base_url=url) as http:
        for path in paths:
            await http.get(path)
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line[:1] == "{"]
    access = [line["message"] for line in logged if line["logger"] == "uvicorn.access"]
    assert len(access) == len(paths), access
    everything = json.dumps(logged)
    for secret in (token, "t-0123456789", "s-42", "c-42"):
        assert secret not in everything, [x for x in logged if secret in json.dumps(x)]
    assert any("/calendar.ics?token=[redacted]" in line for line in access)
    assert any("/approval-links/[redacted]" in line for line in access)
    assert any("/inbox/stream?ticket=[redacted]&x=1" in line for line in access)
