"""PostgreSQL from Debian's `postgresql` package, as FerretDB's other backend, on loopback.

FerretDB 1.24 over PostgreSQL pushes top-level equality filters down to SQL (SQLite pushes only
a lone `_id`), so the inbox's filtered reads scan in the database instead of in FerretDB. The
server refuses to run as root: as root, the cluster is made and run as the `postgres` user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ensemble_devtools import processes

DATABASE = "ferretdb"


def available() -> bool:
    """True when Debian's server binaries are installed (`apt-get install postgresql`)."""
    return _bin_dir() is not None


def _bin_dir() -> Path | None:
    for found in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (found / "postgres").exists() and (found / "initdb").exists():
            return found
    postgres = shutil.which("postgres")
    return Path(postgres).resolve().parent if postgres else None


def _as_server_user() -> list[str]:
    """The prefix that runs a command as a user PostgreSQL accepts (never root)."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@dataclass
class LocalPostgres:
    """One cluster under `data_dir`, listening on 127.0.0.1:`port`, trusting loopback."""

    data_dir: Path
    port: int

    @property
    def url(self) -> str:
        user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        return f"postgres://{user}@127.0.0.1:{self.port}/{DATABASE}"

    def start(
        self, *, pid_dir: Path | None = None, log_path: Path | None = None
    ) -> processes.Managed:
        bin_dir = _bin_dir()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql")
        cluster = self.data_dir / "cluster"
        if not (cluster / "PG_VERSION").exists():
            self._init(bin_dir, cluster)
        managed = processes.start_listening(
            "postgres",
            [
                *_as_server_user(),
                str(bin_dir / "postgres"),
                "-D",
                str(cluster),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-k",
                str(self.data_dir),
                # A disposable local store: durability traded for speed, as FerretDB's own
                # test setup does.
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "shared_buffers=256MB",
            ],
            port=self.port,
            log_path=log_path or self.data_dir / "postgres.log",
            pid_dir=pid_dir,
        )
        try:
            self._create_database(bin_dir)
        except BaseException:
            managed.stop()
            raise
        return managed

    def _init(self, bin_dir: Path, cluster: Path) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in self.data_dir.parents:  # let postgres reach its directory
                if not path.stat().st_mode & 0o001:
                    os.chmod(path, path.stat().st_mode | 0o001)
            os.chown(self.data_dir, owner.pw_uid, owner.pw_gid)
        subprocess.run(
            [
                *_as_server_user(),
                str(bin_dir / "initdb"),
                "-D",
                str(cluster),
                "--auth=trust",
                "--encoding=UTF8",
                "--no-instructions",
            ],
            check=True,
            capture_output=True,
        )

    def _create_database(self, bin_dir: Path) -> None:
        processes.wait_until(
            lambda: self._try_create(bin_dir), timeout=30, what="PostgreSQL to accept connections"
        )

    def _try_create(self, bin_dir: Path) -> bool:
        """True once the database exists; False while the server is still starting."""
        created = subprocess.run(
            [
                *_as_server_user(),
                str(bin_dir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                DATABASE,
            ],
            capture_output=True,
            text=True,
        )
        if created.returncode == 0 or "already exists" in created.stderr:
            return True
        if "starting up" in created.stderr or "could not connect" in created.stderr:
            return False
        raise RuntimeError(f"createdb failed: {created.stderr}")
