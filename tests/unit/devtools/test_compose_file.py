"""The compose file and the image recipe keep up with the workspace: every service image is
built from the swappable base image (no registry is needed), and the recipe sees every
workspace member that uv's lock names."""

from __future__ import annotations

import re
from pathlib import Path

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
