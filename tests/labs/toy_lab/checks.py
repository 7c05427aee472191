"""Checks of the toy lab: health, create (201 + id), read back (which needs the create)."""

from labs.checks import CheckContext, Checks

checks = Checks()


@checks.check("The service answers its health check", points=1,
              hint="Answer GET /healthz with 200.")
def health_answers(ctx: CheckContext) -> None:
    ctx.expect_status(ctx.http.get("/healthz"), 200)


@checks.check("Creating an item answers 201 with its id", points=2,
              hint="Return 201 Created and the new item's integer id.")
def create_item_returns_201(ctx: CheckContext) -> None:
    name = f"item-{ctx.random.randrange(10**6)}"
    ctx.state["name"] = name
    response = ctx.http.post("/items", json={"name": name})
    ctx.expect_status(response, 201)
    body = ctx.expect_json(response)
    ctx.expect(isinstance(body.get("id"), int),
               f"expected an integer id, got {body.get('id')!r}", evidence=response)
    ctx.state["id"] = body["id"]


@checks.check("A created item can be read back", points=3,
              hint="Keep items and serve them at GET /items/<id>.",
              needs=("create_item_returns_201",))
def item_can_be_read_back(ctx: CheckContext) -> None:
    response = ctx.http.get(f"/items/{ctx.state.get('id', 0)}")
    ctx.expect_status(response, 200)
    name = ctx.expect_json(response).get("name")
    ctx.expect(name == ctx.state.get("name"),
               f"expected name {ctx.state.get('name')!r}, got {name!r}", evidence=response)
