"""A distant difusor on loopback: a TCP relay that delays every byte by a fixed one-way time.

Loopback has no round-trip time, so a harness checked only against it never waits on the
network, while a real difusor is tens of milliseconds away. :class:`LatencyProxy` listens on
127.0.0.1 and relays to one upstream address; each chunk read from either side is delivered to
the other ``rtt_ms / 2`` later, in order, and a new connection waits one round trip before its
first byte moves (the TCP handshake a real client pays). Bandwidth is not limited and nothing
is altered: TLS, SNI and certificates pass through untouched.

Memory is bounded: each direction holds at most :data:`QUEUED_CHUNKS` chunks of at most
:data:`CHUNK_BYTES`; a faster sender waits (back-pressure) like one on a full TCP window. An end
read from one side is delivered as a half-close to the other; the connection is closed when both
directions have ended or either fails (a reset). A client that closes on a silent upstream leaves
that connection open until :meth:`LatencyProxy.close`, as a real silent server would. The netem
qdisc would do this in the kernel; it is not built into this machine's kernel, hence this relay
(bench/scale.py uses it).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from types import TracebackType
from typing import Any

CHUNK_BYTES = 64 * 1024
QUEUED_CHUNKS = 64


class LatencyProxy:
    """Relays 127.0.0.1:``port`` (chosen free) to ``upstream`` with ``rtt_ms`` of round trip.

    Serves from construction until :meth:`close`, on an event loop in a daemon thread of its own.
    ``connections`` counts the connections accepted so far (what a client opened, not reused).
    """

    def __init__(self, upstream: tuple[str, int], rtt_ms: float) -> None:
        self.upstream = upstream
        self.one_way_s = rtt_ms / 2000
        self._sock = socket.create_server(("127.0.0.1", 0), backlog=256)
        self.port = int(self._sock.getsockname()[1])
        self._loop = asyncio.new_event_loop()
        self._connections: set[asyncio.Task[None]] = set()
        self.connections = 0
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="prepcheck-lejos", daemon=True)
        self._thread.start()
        self._ready.wait()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._accepted, sock=self._sock, limit=CHUNK_BYTES)
        )
        self._ready.set()
        self._loop.run_forever()

    async def _accepted(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        self.connections += 1
        try:
            await self._relay(reader, writer)
        except asyncio.CancelledError:
            pass  # close() ends the connection; nothing is left to report
        finally:
            self._connections.discard(task)

    async def _relay(self, client: asyncio.StreamReader, to_client: asyncio.StreamWriter) -> None:
        """One connection: connect upstream, wait a round trip, then carry both ways delayed."""
        try:
            upstream, to_upstream = await asyncio.open_connection(*self.upstream)
        except OSError:
            to_client.transport.abort()
            return
        pending: set[asyncio.Future[bool]] = set()
        try:
            await asyncio.sleep(2 * self.one_way_s)
            pending = {
                asyncio.ensure_future(self._carry(client, to_upstream)),
                asyncio.ensure_future(self._carry(upstream, to_client)),
            }
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                if not all(direction.result() for direction in done):
                    break
        finally:
            await _cancelled(pending)
            await asyncio.gather(_close(to_client), _close(to_upstream))

    async def _carry(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Deliver what ``reader`` yields to ``writer`` one-way later, then half-close ``writer``.

        True when the end was delivered, False when either side failed.
        """
        queue: asyncio.Queue[tuple[float, bytes | None]] = asyncio.Queue(maxsize=QUEUED_CHUNKS)
        reading = asyncio.ensure_future(self._read_into(reader, queue))
        try:
            while True:
                due, data = await queue.get()
                await asyncio.sleep(max(0.0, due - self._loop.time()))
                if data is None:
                    return False
                if not data:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return True
                writer.write(data)
                await writer.drain()
        except OSError:
            return False
        finally:
            await _cancelled({reading})

    async def _read_into(
        self, reader: asyncio.StreamReader, queue: asyncio.Queue[tuple[float, bytes | None]]
    ) -> None:
        """Queue each chunk with the time it is due: ``b""`` marks the end, ``None`` a failure."""
        while True:
            data: bytes | None
            try:
                data = await reader.read(CHUNK_BYTES)
            except OSError:
                data = None
            await queue.put((self._loop.time() + self.one_way_s, data))
            if not data:
                return

    def close(self) -> None:
        """Stop listening, end every relayed connection and the thread (idempotent)."""
        if self._loop.is_closed():
            return
        with contextlib.suppress(TimeoutError):
            asyncio.run_coroutine_threadsafe(self._shut(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    async def _shut(self) -> None:
        self._server.close()
        # A copy: each connection's task leaves the set as it ends.
        await asyncio.wait_for(_cancelled(set(self._connections)), timeout=8)

    def __enter__(self) -> LatencyProxy:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


async def _cancelled(tasks: set[asyncio.Future[Any]]) -> None:
    """Cancel ``tasks`` and wait until they have ended."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _close(writer: asyncio.StreamWriter) -> None:
    """Close after flushing what is written (a FIN, not a reset); give up after 5 s."""
    writer.close()
    with contextlib.suppress(OSError, TimeoutError):
        await asyncio.wait_for(writer.wait_closed(), 5)
