"""python3 -m messages: serve until SIGTERM, then finish the requests in flight and exit 0."""

import asyncio
import os
import signal

from messages.protocol import serve_one
from messages.service import Service


async def main():
    service = Service()
    in_flight = set()

    async def on_connection(reader, writer):
        task = asyncio.current_task()
        in_flight.add(task)
        try:
            await serve_one(reader, writer, service.route)
        finally:
            in_flight.discard(task)

    host = os.environ.get("HOST", "0.0.0.0")  # noqa: S104 - a container listens on all
    server = await asyncio.start_server(on_connection, host, int(os.environ["PORT"]))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(f"messages {service.release} serving", flush=True)
    await stop.wait()
    service.stopping = True
    server.close()                     # no new connections from here on
    if in_flight:
        await asyncio.wait(set(in_flight))
    print("drained, exiting", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
