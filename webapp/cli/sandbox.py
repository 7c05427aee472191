"""`archlab sandbox build-images|reap|doctor`: the sandbox machinery, from the command line."""

from __future__ import annotations

from contextlib import closing

import click

from sandboxes import SandboxError


def docker_client(timeout: int = 600):
    """A client of an answering engine (the caller closes it), or a ClickException saying
    there is none."""
    import docker

    client = None
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
    except Exception as exc:  # any failure to reach the engine means "no engine"
        if client is not None:
            client.close()
        raise click.ClickException(f"no Docker engine answers ({exc}); start dockerd or use "
                                   "the process backend (ARCHLAB_SANDBOX=process)") from exc
    return client


@click.group()
def sandbox() -> None:
    """Build the lab image, clean up leftovers, and say which backend would run."""


@sandbox.command("build-images")
@click.option("--force", is_flag=True, help="Build again even if the image exists.")
@click.option("--dockerfile", is_flag=True,
              help="Build from sandboxes/images/Dockerfile (needs a registry) instead of "
                   "offline with debootstrap from this machine's apt mirror.")
def build_images(force: bool, dockerfile: bool) -> None:
    """Build the lab runtime image once per recipe (offline by default)."""
    from sandboxes.images.builder import build_runtime_image

    try:
        with closing(docker_client()) as client:
            reference = build_runtime_image(client, force=force, dockerfile=dockerfile,
                                            say=lambda line: click.echo(line, err=True))
    except SandboxError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(reference)


@sandbox.command("reap")
@click.option("--all", "everything", is_flag=True,
              help="Remove every archlab sandbox, running or not.")
def reap_command(everything: bool) -> None:
    """Remove sandboxes whose grader died or whose deadline passed: Docker containers,
    networks, volumes and images built from submissions when an engine answers, and process
    sandboxes."""
    from sandboxes.docker.reaper import reap
    from sandboxes.process.reaper import reap as reap_processes

    removed = f"{reap_processes(everything=everything)} process sandboxes"
    try:
        client = docker_client(timeout=60)
    except click.ClickException as exc:
        click.echo(f"{removed} removed; Docker not reaped: {exc.message}")
        return
    with closing(client):
        counts = reap(client, everything=everything)
    click.echo(", ".join([f"{count} {kind}" for kind, count in counts.items()] + [removed])
               + " removed")


@sandbox.command("doctor")
def doctor() -> None:
    """Which backend would run a session here, and why; what each one is missing."""
    from sandboxes.doctor import findings

    for line in findings():
        click.echo(line)
