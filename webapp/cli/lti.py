"""`archlab lti add-platform|platforms`: register the LMSs that may launch into archlab."""

from __future__ import annotations

import click

from webapp.cli.users import site_session
from webapp.lti.platforms import Registration, RegistrationError, add_platform, all_platforms


@click.group()
def lti() -> None:
    """LTI 1.3: LMS platforms that launch learners into labs and receive their grades."""


@lti.command("add-platform")
@click.option("--name", required=True, help="How archlab names this LMS.")
@click.option("--issuer", required=True, help="The LMS's issuer (platform ID), an https URL.")
@click.option("--client-id", required=True, help="The client id the LMS gave archlab.")
@click.option("--auth-login-url", required=True, help="The LMS's OIDC authentication URL.")
@click.option("--token-url", required=True, help="The LMS's OAuth2 access token URL.")
@click.option("--jwks-url", required=True, help="The LMS's public keyset URL.")
@click.option("--deployment-id", "deployment_ids", multiple=True, required=True,
              help="A deployment id of archlab in the LMS (repeat for more).")
def add(name: str, issuer: str, client_id: str, auth_login_url: str, token_url: str,
        jwks_url: str, deployment_ids: tuple[str, ...]) -> None:
    """Register an LMS: launches from it are accepted from now on."""
    registration = Registration(name, issuer, client_id, auth_login_url, token_url, jwks_url,
                                deployment_ids)
    with site_session() as session:
        try:
            platform = add_platform(session, registration)
        except RegistrationError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"registered {platform.name} (id {platform.id}): issuer {platform.issuer}, "
                   f"client_id {platform.client_id}, "
                   f"{len(platform.deployments)} deployment(s)")


@lti.command("platforms")
def platforms() -> None:
    """List the registered LMSs."""
    with site_session() as session:
        for platform in all_platforms(session):
            deployments = ", ".join(d.deployment_id for d in platform.deployments)
            click.echo(f"{platform.id:>4}  {platform.name}  {platform.issuer}  "
                       f"client_id={platform.client_id}  deployments={deployments}")
