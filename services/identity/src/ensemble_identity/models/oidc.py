"""OpenID Connect sign-in as the console drives it: start (where to send the browser), then
complete (the code and state the provider sent back)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ProviderView(BaseModel):
    name: str
    title: str


class OidcStarted(BaseModel):
    authorization_url: str = Field(description="Redirect the browser here.")
    state: str = Field(
        description="Also keep it in a short-lived cookie and check that the callback's state "
        "equals it: that binds the sign-in to the browser that started it."
    )


class OidcComplete(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: str = Field(min_length=10, max_length=200)
    code: str = Field(min_length=1, max_length=2048)
