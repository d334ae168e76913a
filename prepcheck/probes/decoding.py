"""Content decoding with a cap on the decoded bytes, so a compression bomb costs nothing.

httpx decompresses each received chunk whole: 1 MB of gzip can become 1 GB in memory before
any cap is looked at. ``BoundedDecoder`` instead asks zlib and brotli for at most the bytes
still allowed, and stops there.

Contract: ``BoundedDecoder(content_encoding, limit)``; ``feed(raw)`` returns the decoded bytes
of ``raw``, never more than ``limit`` in all: once the body passes it, ``over`` is True, the
output stops at ``limit`` bytes and nothing more is decoded; ``finish()`` returns what is left.
Supported codings: identity, gzip/x-gzip, deflate (zlib or raw), br; several codings apply in
order. An unknown coding or corrupt data raises ``httpx.DecodingError``. ``ACCEPT_ENCODING``
lists exactly what is supported.
"""

from __future__ import annotations

import zlib
from typing import Protocol

import httpx

ACCEPT_ENCODING = "gzip, deflate, br"
_STEP = 64 * 1024  # decoded bytes asked for at a time


class _Codec(Protocol):
    def feed(self, data: bytes, room: int) -> bytes: ...

    def finish(self, room: int) -> bytes: ...


class _Zlib:
    """gzip or deflate, never inflating more than ``room`` bytes (plus one step) at once."""

    def __init__(self, wbits: int) -> None:
        self._wbits = wbits
        self._engine = zlib.decompressobj(wbits)
        self._first = True

    def feed(self, data: bytes, room: int) -> bytes:
        try:
            return self._inflate(data, room)
        except zlib.error:
            if self._first and self._wbits == zlib.MAX_WBITS:  # "deflate" sent as raw deflate
                self._wbits = -zlib.MAX_WBITS
                self._engine = zlib.decompressobj(self._wbits)
                return self.feed(data, room)
            raise httpx.DecodingError("corrupt compressed body") from None

    def _inflate(self, data: bytes, room: int) -> bytes:
        out = bytearray()
        pending = data
        while True:
            chunk = self._engine.decompress(pending, min(_STEP, room - len(out) + 1))
            self._first = self._first and not chunk
            out += chunk
            if len(out) > room:
                return bytes(out)
            pending = self._engine.unconsumed_tail
            if not pending:
                return bytes(out)

    def finish(self, room: int) -> bytes:
        try:
            return self._engine.flush(min(_STEP, room + 1)) if room >= 0 else b""
        except zlib.error:
            raise httpx.DecodingError("corrupt compressed body") from None


class _Brotli:
    """brotli through ``output_buffer_limit`` (Brotli ≥ 1.2)."""

    def __init__(self) -> None:
        import brotli

        self._error = brotli.error
        self._engine = brotli.Decompressor()

    def feed(self, data: bytes, room: int) -> bytes:
        out = bytearray()
        try:
            out += self._engine.process(data, output_buffer_limit=min(_STEP, room + 1))
            while len(out) <= room and not self._engine.can_accept_more_data():
                out += self._engine.process(b"", output_buffer_limit=min(_STEP, room + 1))
        except self._error:
            raise httpx.DecodingError("corrupt brotli body") from None
        return bytes(out)

    def finish(self, room: int) -> bytes:
        return b""


class _Identity:
    def feed(self, data: bytes, room: int) -> bytes:
        return data

    def finish(self, room: int) -> bytes:
        return b""


def _codec(name: str) -> _Codec:
    if name in ("gzip", "x-gzip"):
        return _Zlib(zlib.MAX_WBITS | 16)
    if name == "deflate":
        return _Zlib(zlib.MAX_WBITS)
    if name == "br":
        return _Brotli()
    if name in ("identity", ""):
        return _Identity()
    raise httpx.DecodingError(f"unsupported content coding {name!r}")


class BoundedDecoder:
    """Decodes a body through its Content-Encoding with a cap; see the module contract."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        names = [n.strip().lower() for n in (content_encoding or "").split(",") if n.strip()]
        # Codings are listed in the order applied; undo them in reverse.
        self._codecs = [_codec(name) for name in reversed(names)]
        self.limit = limit
        self.size = 0
        self.over = False

    def feed(self, raw: bytes) -> bytes:
        if self.over:
            return b""
        data = raw
        for codec in self._codecs:
            data = codec.feed(data, self.limit - self.size)
        return self._take(data)

    def finish(self) -> bytes:
        if self.over:
            return b""
        data = b""
        for codec in self._codecs:
            if data:
                data = codec.feed(data, self.limit - self.size)
            data += codec.finish(self.limit - self.size - len(data))
        return self._take(data)

    def _take(self, data: bytes) -> bytes:
        room = self.limit - self.size
        if len(data) > room:
            self.over = True
            data = data[:room]
        self.size += len(data)
        return data
