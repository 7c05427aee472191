"""Checks of the hostile-target lab: health, a sum, a counter and an echo, each quick."""

from labs.checks import CheckContext, Checks
from labs.wording import json_value

checks = Checks()


@checks.check("The service answers its health check", points=1,
              hint="Answer GET /healthz with 200.")
def health_answers(ctx: CheckContext) -> None:
    ctx.expect_status(ctx.http.get("/healthz"), 200)


@checks.check("GET /sum adds two numbers", points=2, hint="Answer {\"sum\": a + b}.")
def sum_adds(ctx: CheckContext) -> None:
    a, b = ctx.random.randrange(1000), ctx.random.randrange(1000)
    response = ctx.http.get("/sum", params={"a": a, "b": b})
    ctx.expect_status(response, 200)
    total = ctx.expect_member(ctx.expect_json(response), "sum", evidence=response)
    ctx.expect_equal(total, a + b, "sum", evidence=response)


@checks.check("POST /count counts up by one", points=2,
              hint="Keep a counter; each POST /count answers its new value.")
def counter_counts(ctx: CheckContext) -> None:
    first = ctx.expect_json(ctx.http.post("/count")).get("count")
    response = ctx.http.post("/count")
    second = ctx.expect_json(response).get("count")
    ctx.expect(isinstance(first, int) and second == first + 1,
               f"expected {json_value(first)} + 1, got {json_value(second)}", evidence=response)


@checks.check("POST /echo answers the body it was sent", points=1,
              hint="Answer POST /echo with the request body, unchanged.")
def echo_echoes(ctx: CheckContext) -> None:
    text = f"echo-{ctx.random.randrange(10**9)}"
    response = ctx.http.post("/echo", content=text.encode())
    ctx.expect_status(response, 200)
    ctx.expect(response.text == text, f"expected {json_value(text)}, got "
               f"{json_value(response.text, 80)}", evidence=response)
