"""`./dev`: run the whole system, run the tests, and the helpers around them."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ensemble_devtools import compose_tool, docker_env, infra, processes
from ensemble_devtools.front_door import LocalFrontDoor
from ensemble_devtools.local_mailpit import LocalMailpit
from ensemble_devtools.operator_tokens import TokenError, access_token, save_identity_env
from ensemble_devtools.paths import repo_root, state_dir
from ensemble_devtools.stack import SECRET_KEYS, SERVICES, Stack, dev_secret, parse_scale

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console()

DEV_PORTS = {
    "proxy": 8000,
    "ingest": 8001,
    "feedback": 8002,
    "scheduler": 8003,
    "notify": 8004,
    "identity": 8005,
    "insights": 8006,
    "console": 8007,
    "mail-smtp": 1025,
    "mail-ui": 8025,
}
INFRA_PROCESSES = ("proxy", "mailpit", "kafka", "ferretdb")  # stopped after the services


def _secret(name: str) -> str:
    """A random secret made on first use and kept in this checkout's state (mode 600)."""
    path = state_dir() / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _stack_secret() -> str:
    """The root of every service's development secret (the file kept its first name, so keys
    stored by identity in earlier runs still decrypt)."""
    return _secret("auth-secret")


def _identity_env_path() -> Path:
    return state_dir() / "identity.env.json"


def _pid_dir() -> Path:
    return state_dir() / "pids"


def _running() -> dict[str, int]:
    alive: dict[str, int] = {}
    for pid_file in sorted(_pid_dir().glob("*.pid")):
        pid = int(pid_file.read_text())
        if processes.pid_alive(pid):
            alive[pid_file.stem] = pid
        else:
            pid_file.unlink()
    return alive


def _ports() -> dict[str, int]:
    """Fixed ports (the proxy on 8000, services on 8001-8004) when free, remembered per checkout."""
    path = state_dir() / "ports.json"
    known = {k: int(v) for k, v in json.loads(path.read_text()).items()} if path.exists() else {}
    for name, port in DEV_PORTS.items():
        if name not in known:
            known[name] = port if not processes.port_open(port) else processes.free_port()
    path.write_text(json.dumps(known))
    return known


def _compose(*args: str) -> int:
    env = {
        **os.environ,
        **{
            f"{name.upper()}_SECRET_KEY": dev_secret(_stack_secret(), f"{name}-secret-key")
            for name in SECRET_KEYS
        },
        "MONGO_PASSWORD": _secret("mongo-password"),
        "COMPOSE_PROFILES": os.environ.get("COMPOSE_PROFILES", "dev"),
    }
    return subprocess.call([*compose_tool.command({}), *args], cwd=repo_root(), env=env)


ScaleOption = Annotated[
    list[str] | None,
    typer.Option(help="Replicas per service behind the proxy, e.g. ingest=2,notify=3."),
]


@app.command()
def up(
    scale: ScaleOption = None,
    mail: Annotated[bool, typer.Option(help="Run the Mailpit mail catcher.")] = True,
) -> None:
    """Start Kafka, the store, the services, the mail catcher and the proxy in front of them;
    Ctrl-C (or ./dev down) stops them."""
    try:
        replicas = parse_scale(scale or [])
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--scale") from exc
    if _running():
        console.print("[red]Already up[/] (see ./dev status); run ./dev down first.")
        raise typer.Exit(1)
    given = infra.from_env()
    if given is None and docker_env.ready():
        console.print("A Docker engine answers: [bold]docker compose up --build[/]")
        args = [f"--scale={name}={count}" for name, count in replicas.items()]
        raise typer.Exit(_compose("up", "--build", *args))
    state = state_dir()
    log_dir = state / "logs"
    if given is None:
        console.print(
            "No Docker engine: provisioning Kafka (Maven Central) and FerretDB (Go) locally…"
        )
        found = infra.start_local(state / "data", pid_dir=_pid_dir(), log_dir=log_dir)
    else:
        found = given
    ports = _ports()
    mailpit = LocalMailpit(state / "data" / "mailpit", ports["mail-smtp"], ports["mail-ui"])
    door = LocalFrontDoor(
        state, ports["proxy"], mailpit if mail else None, pid_dir=_pid_dir(), log_dir=log_dir
    )
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    up_pid = _pid_dir() / "up.pid"
    up_pid.write_text(str(os.getpid()))
    stack: Stack | None = None
    try:
        stack = Stack(
            infra=found,
            log_dir=log_dir,
            secret=_stack_secret(),
            pid_dir=_pid_dir(),
            env=door.mail_env(),
            public_url=door.url,
        )
        stack.start_all(ports, replicas)
        identity = stack.services["identity"]
        save_identity_env(
            _identity_env_path(), stack.environment("identity", identity.port, identity.extra_env)
        )
        door.open(stack)
        ports_by_process = {s.key: s.port for s in stack.services.values()}
        (state / "replicas.json").write_text(json.dumps(ports_by_process))
        _announce(door, stack, found)
        while not stopping.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        console.print("Stopping…")
        if stack is not None:
            stack.stop_all()
        door.stop()
        found.stop()
        up_pid.unlink(missing_ok=True)


def _announce(door: LocalFrontDoor, stack: Stack, found: infra.Infra) -> None:
    lines = [
        f"[bold]Ensemble is up[/] ({found.mode} infrastructure): [bold]{door.url}[/]",
        f"  APIs       {door.url}/api/<service>/   docs: {door.url}/api/ingest/docs, …",
        f"  webhooks   {door.url}/webhooks/<platform>/<source id>",
    ]
    if door.mailpit is not None:
        lines.append(f"  email      {door.url}/dev/mail/   (every email sent lands here)")
    replicas = ", ".join(f"{s.key} :{s.port}" for s in stack.services.values())
    lines += [
        f"  debugging  each process on its own port: {replicas}",
        f"  logs       {stack.log_dir}/<process>.log  (./dev logs <process>)",
        f"Kafka {found.kafka_bootstrap} · store {found.mongodb_url}",
        "Token: ./dev token --workspace acme --role admin   (identity signs it)",
        "Ctrl-C stops everything.",
    ]
    for line in lines:
        console.print(line, soft_wrap=True)


@app.command()
def down() -> None:
    """Stop everything ./dev up started (services first, then Kafka and the store)."""
    running = _running()
    if not running and docker_env.engine_available():
        raise typer.Exit(_compose("down"))
    up = running.pop("up", None)
    if up is not None:  # ./dev up stops what it started itself, in order
        console.print(f"asking ./dev up (pid {up}) to stop")
        os.kill(up, signal.SIGTERM)
        processes.wait_until(lambda: not processes.pid_alive(up), timeout=90, what="./dev up")
        running = _running()
    order = [n for n in running if n not in INFRA_PROCESSES] + [
        n for n in INFRA_PROCESSES if n in running
    ]
    for name in order:
        console.print(f"stopping {name} (pid {running[name]})")
        processes.stop_pid(running[name])
        (_pid_dir() / f"{name}.pid").unlink(missing_ok=True)
    if not running and up is None:
        console.print("Nothing was running.")


@app.command()
def status() -> None:
    """What is running, and whether each service replica is ready."""
    import httpx

    running = _running()
    running.pop("up", None)
    path = state_dir() / "replicas.json"
    replicas: dict[str, int] = json.loads(path.read_text()) if path.exists() else {}
    table = Table()
    for column in ("process", "pid", "state"):
        table.add_column(column)
    for name in sorted({*INFRA_PROCESSES, *SERVICES, *running}):
        pid = running.get(name)
        state = "stopped"
        if pid and name in replicas:
            try:
                ready = httpx.get(f"http://127.0.0.1:{replicas[name]}/readyz", timeout=2)
                state = "ready" if ready.status_code == 200 else f"not ready: {ready.text[:80]}"
            except httpx.HTTPError as exc:
                state = f"not answering ({type(exc).__name__})"
        elif pid:
            state = "running"
        table.add_row(name, str(pid or "-"), state)
    console.print(table)


@app.command()
def logs(service: str, lines: int = 100) -> None:
    """Follow a process's log (ingest, ingest-2, …, identity, insights, console, proxy, mailpit,
    kafka, ferretdb)."""
    path = state_dir() / "logs" / f"{service}.log"
    if not path.exists():
        console.print(f"[red]no log at {path}[/]")
        raise typer.Exit(1)
    os.execvp("tail", ["tail", "-n", str(lines), "-F", str(path)])  # noqa: S606


@app.command()
def token(
    workspace: Annotated[str, typer.Option(help="Workspace the token is for.")],
    role: Annotated[
        list[str] | None, typer.Option(help="admin (default), manager, approver, viewer")
    ] = None,
) -> None:
    """An access token from the running identity (./dev up), through an API key holding these
    roles; the workspace is created if missing (its admin's invitation goes to the mail catcher)."""
    replicas_path = state_dir() / "replicas.json"
    replicas = json.loads(replicas_path.read_text()) if replicas_path.exists() else {}
    if "identity" not in replicas or not _identity_env_path().exists():
        console.print("[red]Identity is not running[/]: start ./dev up first.")
        raise typer.Exit(1)
    try:
        issued = access_token(
            f"http://127.0.0.1:{replicas['identity']}",
            json.loads(_identity_env_path().read_text()),
            state_dir() / "api-keys.json",
            workspace,
            role or ["admin"],
        )
    except TokenError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc
    print(issued)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def test(ctx: typer.Context) -> None:
    """Run the whole test suite (extra arguments go to pytest); fails when no test ran.

    Without arguments the suite runs on `ENSEMBLE_TEST_WORKERS` pytest-xdist workers (2 by
    default; 0 runs it in this one process): most of a test's time is spent waiting on Kafka,
    the store and the services it started, so two of them share the machine's cores well."""
    workers = os.environ.get("ENSEMBLE_TEST_WORKERS", "2")
    spread = [] if ctx.args or workers == "0" else ["-n", workers, "--dist", "loadgroup"]
    code = subprocess.call([sys.executable, "-m", "pytest", *spread, *ctx.args], cwd=repo_root())
    if code == 5:
        console.print("[red]no tests ran[/]")
    raise typer.Exit(code)


MAX_MODULE_LINES = 450


def _oversized_modules() -> list[str]:
    """Production modules longer than a newcomer can hold in mind at once."""
    root = repo_root()
    modules = [*root.glob("shared/src/**/*.py"), *root.glob("services/*/src/**/*.py")]
    sizes = {path: len(path.read_text().splitlines()) for path in modules}
    return [
        f"{path.relative_to(root)}: {lines} lines"
        for path, lines in sorted(sizes.items())
        if lines > MAX_MODULE_LINES
    ]


def _clashing_test_names() -> list[str]:
    """Test files sharing a name: pytest imports them as one module (test folders are not
    packages), so the second is never collected."""
    seen: dict[str, list[str]] = {}
    for path in sorted(repo_root().glob("tests/**/test_*.py")):
        seen.setdefault(path.name, []).append(str(path.relative_to(repo_root())))
    return [" and ".join(paths) for paths in seen.values() if len(paths) > 1]


@app.command()
def check() -> None:
    """Lint, formatting, types, import contracts and module sizes, as CI runs them."""
    python = [sys.executable, "-m"]
    steps = (
        [*python, "ruff", "check", "."],
        [*python, "ruff", "format", "--check", "."],
        [*python, "mypy"],
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
    )
    for step in steps:
        console.print(
            f"[bold]$ {' '.join(step[len(python) :] if step[0] == python[0] else step)}[/]"
        )
        code = subprocess.call(step, cwd=repo_root())
        if code:
            raise typer.Exit(code)
    console.print(f"[bold]$ modules over {MAX_MODULE_LINES} lines[/]")
    oversized = _oversized_modules()
    for line in oversized:
        console.print(f"[red]{line}[/]")
    if oversized:
        raise typer.Exit(1)
    console.print("none")
    console.print("[bold]$ test files sharing a name[/]")
    clashing = _clashing_test_names()
    for line in clashing:
        console.print(f"[red]{line}[/]")
    if clashing:
        raise typer.Exit(1)
    console.print("none")


@app.command()
def caddyfile() -> None:
    """Write deploy/Caddyfile, the compose proxy's configuration, from devtools' route table."""
    from ensemble_devtools.proxy_config import compose_front_door

    path = repo_root() / "deploy" / "Caddyfile"
    path.write_text(compose_front_door().render())
    console.print(f"wrote {path.relative_to(repo_root())}")


@app.command("compose-check")
def compose_check(
    rebuild_images: Annotated[
        bool, typer.Option(help="Make the stand-in base images again, even if unchanged.")
    ] = False,
    keep: Annotated[bool, typer.Option(help="Leave the stack running (no down -v).")] = False,
) -> None:
    """Run docker-compose.yml for real: images built here, scaled, mentions and an approval
    through the proxy, Kafka and the store killed and started; prints what it measured."""
    from ensemble_devtools import compose_check as check

    check.run(rebuild_images=rebuild_images, keep=keep, console=console)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def bench(ctx: typer.Context) -> None:
    """Run the benchmarks in bench/ (JSON in bench/results/, a table on screen)."""
    raise typer.Exit(subprocess.call([sys.executable, "-m", "bench", *ctx.args], cwd=repo_root()))
