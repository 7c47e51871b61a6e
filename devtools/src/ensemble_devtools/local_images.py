"""Stand-in images for an engine without a registry (deploy/local-images/README.md): a Debian
base from debootstrap + `docker import`, then one small recipe per official image, fed with the
binaries and jars the local path already builds. Built once; a changed recipe is rebuilt."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ensemble_devtools import local_caddy, local_ferretdb, local_kafka, local_mailpit
from ensemble_devtools.paths import RESOURCES, cache_dir, repo_root

RECIPES = repo_root() / "deploy" / "local-images"
DEBIAN = "ensemble-local/debian:bookworm"
DEBIAN_MIRROR = os.environ.get("ENSEMBLE_DEBIAN_MIRROR", "http://deb.debian.org/debian")
EXTRA_CAS = Path("/usr/local/share/ca-certificates")
RECIPE_LABEL = "dev.ensemble.recipe"
MONGOSH_VERSION = "2.12.0"


def mongosh() -> Path:
    """mongosh from npm, installed once into the cache (the store's healthcheck runs it)."""
    prefix = cache_dir() / f"mongosh-{MONGOSH_VERSION}"
    if not (prefix / "node_modules" / "mongosh").exists():
        partial = prefix.with_suffix(".partial")
        shutil.rmtree(partial, ignore_errors=True)
        subprocess.run(
            [
                *("npm", "install", "--prefix", str(partial), "--omit=optional"),
                *("--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"),
                f"mongosh@{MONGOSH_VERSION}",
            ],
            check=True,
        )
        partial.rename(prefix)
    return prefix


@dataclass(frozen=True)
class StandIn:
    """One image: its recipe folder, what it stands in for, the compose variable naming it,
    and the files its recipe copies in (made or found by the local path's provisioning)."""

    tag: str
    recipe: str
    stands_in_for: str
    variable: str
    inputs: Callable[[], Mapping[str, Path]]


def node() -> Path:
    """The machine's Node.js for the store stand-in's mongosh: 20 or newer (Mailpit's UI build
    needs the same), and a self-contained binary, not Debian's (which links libnode)."""
    found = shutil.which("node")
    if found is None:
        raise RuntimeError("Node.js 20+ is needed (mongosh in the store's stand-in image)")
    version = subprocess.run([found, "--version"], capture_output=True, text=True, check=True)
    linked = subprocess.run(["ldd", found], capture_output=True, text=True, check=False).stdout
    if int(version.stdout.strip().lstrip("v").split(".")[0]) < 20 or "libnode" in linked:
        raise RuntimeError(f"{found} ({version.stdout.strip()}) is not a Node.js 20+ binary")
    return Path(found).resolve()


def _kafka_inputs() -> Mapping[str, Path]:
    libs = local_kafka.provision("kafka-image-pom.xml", f"kafka-image-{local_kafka.KAFKA_VERSION}")
    return {"libs": libs, "log4j2.properties": RESOURCES / "kafka-log4j2.properties"}


STAND_INS = (
    StandIn(
        "ensemble-local/python:3.11-bookworm",
        "python",
        "python:3.11-slim-bookworm",
        "PYTHON_IMAGE",
        dict,
    ),
    StandIn(
        f"ensemble-local/kafka:{local_kafka.KAFKA_VERSION}",
        "kafka",
        "apache/kafka:4.3.1",
        "KAFKA_IMAGE",
        _kafka_inputs,
    ),
    StandIn(
        f"ensemble-local/ferretdb:{local_ferretdb.FERRETDB_VERSION.lstrip('v')}",
        "ferretdb",
        "mongo:8.0",
        "MONGO_IMAGE",
        lambda: {"ferretdb": local_ferretdb.provision(), "mongosh": mongosh(), "node": node()},
    ),
    StandIn(
        f"ensemble-local/caddy:{local_caddy.CADDY_VERSION.lstrip('v')}",
        "caddy",
        "caddy:2.11",
        "CADDY_IMAGE",
        lambda: {"caddy": local_caddy.provision()},
    ),
    StandIn(
        f"ensemble-local/mailpit:{local_mailpit.MAILPIT_VERSION.lstrip('v')}",
        "mailpit",
        "axllent/mailpit:v1.33.1",
        "MAILPIT_IMAGE",
        lambda: {"mailpit": local_mailpit.provision()},
    ),
)


def variables() -> dict[str, str]:
    """The compose file's image variables, pointed at the stand-ins."""
    return {stand_in.variable: stand_in.tag for stand_in in STAND_INS}


def _digest(*parts: str | Path) -> str:
    """Names what an image is made of: recipe files' contents, and the cached inputs' paths
    (which carry their versions) or our own files' contents."""
    sha = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path) and part.is_dir():
            for path in sorted(p for p in part.rglob("*") if p.is_file()):
                sha.update(path.name.encode() + path.read_bytes())
        elif isinstance(part, Path):
            sha.update(part.read_bytes())
        else:
            sha.update(part.encode())
    return sha.hexdigest()[:16]


def _current(client: Any, tag: str, digest: str) -> bool:
    import docker

    try:
        image = client.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return bool(image.labels.get(RECIPE_LABEL) == digest)


def _debian(client: Any, rebuild: bool) -> float | None:
    """debootstrap a minimal bookworm (with the host's extra CAs) and import it."""
    cas = sorted(EXTRA_CAS.glob("*.crt")) if EXTRA_CAS.is_dir() else []
    digest = _digest("bookworm minbase ca-certificates", DEBIAN_MIRROR, *cas)
    if not rebuild and _current(client, DEBIAN, digest):
        return None
    if shutil.which("debootstrap") is None or os.geteuid() != 0:
        raise RuntimeError(
            f"{DEBIAN} is made with debootstrap, as root (`apt-get install debootstrap`)"
        )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(dir=cache_dir()) as work:
        rootfs, archive = Path(work) / "rootfs", Path(work) / "rootfs.tar"
        subprocess.run(
            [
                *("debootstrap", "--variant=minbase", "--include=ca-certificates"),
                *("bookworm", str(rootfs), DEBIAN_MIRROR),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        for ca in cas:
            shutil.copy(ca, rootfs / "usr/local/share/ca-certificates" / ca.name)
        subprocess.run(["chroot", str(rootfs), "update-ca-certificates"], check=True)
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
            shutil.rmtree(rootfs / junk, ignore_errors=True)
            (rootfs / junk).mkdir(parents=True)
        subprocess.run(
            ["tar", "--numeric-owner", "-C", str(rootfs), "-cf", str(archive), "."], check=True
        )
        repository, tag = DEBIAN.split(":")
        client.api.import_image(
            src=str(archive),
            repository=repository,
            tag=tag,
            changes=[
                "ENV LANG=C.UTF-8",
                # uv and others read this; Debian's own tools use the same bundle.
                "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
                f"LABEL {RECIPE_LABEL}={digest}",
                'CMD ["bash"]',
            ],
        )
    return time.monotonic() - started


def _build(client: Any, stand_in: StandIn, base_digest: str, rebuild: bool) -> float | None:
    inputs = stand_in.inputs()
    recipe = RECIPES / stand_in.recipe
    cached = [
        str(p.relative_to(cache_dir())) for p in inputs.values() if p.is_relative_to(cache_dir())
    ]
    ours = [p for p in inputs.values() if not p.is_relative_to(cache_dir())]
    digest = _digest(recipe, base_digest, *sorted(cached), *ours)
    if not rebuild and _current(client, stand_in.tag, digest):
        return None
    started = time.monotonic()
    with tempfile.TemporaryDirectory(dir=cache_dir()) as work:
        context = Path(work) / "context"
        shutil.copytree(recipe, context)
        for name, path in inputs.items():
            if path.is_dir():
                shutil.copytree(path, context / name, symlinks=True)
            else:
                shutil.copy2(path, context / name)
        client.images.build(
            path=str(context),
            tag=stand_in.tag,
            buildargs={"DEBIAN_IMAGE": DEBIAN},
            labels={RECIPE_LABEL: digest, "dev.ensemble.stands-in-for": stand_in.stands_in_for},
            rm=True,
            forcerm=True,
        )
    return time.monotonic() - started


def build_all(environment: Mapping[str, str], *, rebuild: bool = False) -> dict[str, float | None]:
    """Every stand-in, made if missing or changed: seconds spent per image (None: was there)."""
    import docker

    client = docker.from_env(environment={**os.environ, **environment}, timeout=600)
    spent = {DEBIAN: _debian(client, rebuild)}
    base_digest = str(client.images.get(DEBIAN).labels.get(RECIPE_LABEL))
    for stand_in in STAND_INS:
        spent[stand_in.tag] = _build(client, stand_in, base_digest, rebuild)
    return spent
