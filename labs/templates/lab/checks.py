"""Checks of the scaffolded greeting lab: one per promise of README.md, in README order."""

from labs.checks import CheckContext, Checks

checks = Checks()
SALUTATION = "Welcome"  # what services/salutations.py answers
FALLBACK = "Hello"


def greet(ctx: CheckContext, salutation: str) -> None:
    """GET /greetings/<a random name> must answer {"greeting": "<salutation>, <name>!"}."""
    name = ctx.random.choice(["ada", "grace", "linus", "barbara"]) + str(ctx.random.randrange(100))
    response = ctx.http.get(f"/greetings/{name}")
    ctx.expect_status(response, 200)
    body = ctx.expect_json(response)
    ctx.expect_member(body, "greeting", f"{salutation}, {name}!", evidence=response)


@checks.check("The service answers its health check", points=20,
              hint="Answer GET /healthz with 200 once the service is ready.")
def health_answers(ctx: CheckContext) -> None:
    ctx.expect_status(ctx.http.get("/healthz"), 200)


@checks.check("A greeting names the caller", points=40,
              hint='Answer GET /greetings/<name> with {"greeting": "<salutation>, <name>!"}, '
                   "the salutation read from GET $SALUTATIONS_URL/salutation.")
def greeting_names_the_caller(ctx: CheckContext) -> None:
    greet(ctx, SALUTATION)


@checks.check("A failing salutations service costs only the salutation", points=40,
              hint="When GET $SALUTATIONS_URL/salutation fails or takes over a second, "
                   'greet with "Hello" instead.',
              needs=("greeting_names_the_caller",))
def salutations_down_falls_back_to_hello(ctx: CheckContext) -> None:
    stub = ctx.client("salutations")  # the stub's fault knobs (labs/stubkit.py)
    ctx.expect_status(stub.post("/admin/faults", json={"action": "salutation", "down": 1}), 200)
    try:
        greet(ctx, FALLBACK)
    finally:
        stub.post("/admin/reset")
