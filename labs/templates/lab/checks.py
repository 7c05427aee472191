"""Checks of the scaffolded greeting lab: one per promise of README.md, in README order."""

from labs.checks import CheckContext, Checks

checks = Checks()


@checks.check("The service answers its health check", points=1,
              hint="Answer GET /healthz with 200 once the service is ready.")
def health_answers(ctx: CheckContext) -> None:
    ctx.expect_status(ctx.http.get("/healthz"), 200)


@checks.check("A greeting names the caller", points=2,
              hint='Answer GET /greetings/<name> with {"greeting": "Hello, <name>!"}.')
def greeting_names_the_caller(ctx: CheckContext) -> None:
    name = ctx.random.choice(["ada", "grace", "linus", "barbara"]) + str(ctx.random.randrange(100))
    response = ctx.http.get(f"/greetings/{name}")
    ctx.expect_status(response, 200)
    body = ctx.expect_json(response)
    ctx.expect_member(body, "greeting", f"Hello, {name}!", evidence=response)
