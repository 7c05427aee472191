"""The messages service on asyncio: one event loop, one connection per request."""
