"""The compose file and the image recipe keep up with the workspace: every service image is
built from the swappable base image (no registry is needed), and the recipe sees every
workspace member that uv's lock names."""

from __future__ import annotations

import re
from pathlib import Path

from ensemble_devtools.stack import SECRET_KEYS

ROOT = Path(__file__).resolve().parents[3]


def _service_blocks() -> dict[str, str]:
    """The compose file's services, each with its text (two-space indented keys)."""
    text = (ROOT / "docker-compose.yml").read_text()
    section = text.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    blocks = re.split(r"\n(?=  [a-z][a-z0-9-]*:\n)", "\n" + section)
    return {block.strip().split(":", 1)[0]: block for block in blocks if block.strip()}


def test_every_built_service_takes_the_base_image_and_is_named() -> None:
    built = {
        name: block
        for name, block in _service_blocks().items()
        if "dockerfile: services/Dockerfile" in block
    }
    assert {"ingest", "feedback", "scheduler", "notify", "insights", "identity", "console"} <= set(
        built
    )
    for name, block in built.items():
        assert "<<: *build-args" in block, f"{name} ignores PYTHON_IMAGE"
        assert f"/{name}:${{ENSEMBLE_VERSION" in block, f"{name} has no image name"


def test_the_image_recipe_copies_every_members_metadata() -> None:
    dockerfile = (ROOT / "services" / "Dockerfile").read_text()
    members = [p.parent for p in (ROOT / "services").glob("*/pyproject.toml")]
    assert members
    for member in members:
        relative = member.relative_to(ROOT).as_posix()
        assert f"COPY {relative}/pyproject.toml {relative}/" in dockerfile, relative


def test_each_service_signing_links_needs_its_own_key_and_none_shares_one() -> None:
    blocks = _service_blocks()
    for name in SECRET_KEYS:
        variable = f"{name.upper()}_SECRET_KEY"
        assert f"{variable}: ${{{variable}:?" in blocks[name], f"{name} has no required key"
        others = [other for other, block in blocks.items() if other != name and variable in block]
        assert others == [], f"{variable} also reaches {others}"
    everything = (ROOT / "docker-compose.yml").read_text() + (ROOT / ".env.example").read_text()
    assert "ENSEMBLE_AUTH_SECRET" not in everything
    assert "ENSEMBLE_AUTH_JWKS_URL: ${ENSEMBLE_AUTH_JWKS_URL:-http://identity:8000/" in everything
    for variable in (f"{name.upper()}_SECRET_KEY=" for name in SECRET_KEYS):
        assert f"\n{variable}\n" in (ROOT / ".env.example").read_text(), variable
