"""FerretDB v1.24 with its SQLite backend: a MongoDB-wire store built from the Go module proxy.

`go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` builds a binary that panics at
start ("Invalid build/version/version.txt"): the release expects a generated version file. So the
module's source is taken from the proxy, the file written, and it is built (see gobuild).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ensemble_devtools import processes
from ensemble_devtools.gobuild import GoProgram

FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
FERRETDB_VERSION = "v1.24.2"


def _write_version_file(tree: Path) -> None:
    (tree / "build" / "version" / "version.txt").write_text(FERRETDB_VERSION + "\n")


FERRETDB = GoProgram(
    "ferretdb",
    FERRETDB_VERSION,
    package="./cmd/ferretdb",
    module=FERRETDB_MODULE,
    prepare=_write_version_file,
)


def provision() -> Path:
    """The FerretDB binary, built once into the cache."""
    return FERRETDB.provision()


@dataclass
class LocalFerretDB:
    """FerretDB on loopback; each database is one SQLite file under `data_dir`, or a schema
    of the PostgreSQL at `postgresql_url` when one is given."""

    data_dir: Path
    port: int
    postgresql_url: str | None = None

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/"

    def start(
        self, *, pid_dir: Path | None = None, log_path: Path | None = None
    ) -> processes.Managed:
        binary = provision()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return processes.start_listening(
            "ferretdb",
            [
                str(binary),
                *self._backend(),
                f"--state-dir={self.data_dir}",
                f"--listen-addr=127.0.0.1:{self.port}",
                "--debug-addr=-",
                "--telemetry=disable",
                "--log-level=warn",
            ],
            port=self.port,
            log_path=log_path or self.data_dir / "ferretdb.log",
            pid_dir=pid_dir,
        )

    def _backend(self) -> list[str]:
        if self.postgresql_url is not None:
            return ["--handler=postgresql", f"--postgresql-url={self.postgresql_url}"]
        return ["--handler=sqlite", f"--sqlite-url=file:{self.data_dir}/"]
