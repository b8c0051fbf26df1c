"""The wire protocol between a sandboxed child (probe side) and the grader (judge side).

One frame is a 4-byte big-endian length and that many bytes of UTF-8 JSON. The child writes
frames; the parent reads them with limits it enforces itself: a frame larger than MAX_FRAME, more
bytes than MAX_BYTES in all, or JSON it cannot parse ends the child. The parent never waits on
a read without a deadline (see FrameReader.read).

Frames, in order:
  {"hello": 1}                                  sent before any student code runs
  {"id": step_id, "result": {...}}              one per due step, in the order the parent asked
  {"done": true}

Every frame the child sends is sealed: its body starts with an HMAC-SHA256 of the frame's number and
body under a key the parent draws for each sandbox and hands over in the request. Student code shares
the child's process and can find the channel's descriptor, but a frame it writes there does not
carry the probe's seal: the parent stops at it (ForgedFrame) and the submission is held for review.
"""

import hashlib
import hmac
import json
import os
import secrets
import select
import struct
import threading
import time

HEADER = struct.Struct(">I")
MAX_FRAME = 256 * 1024  # the largest honest result (make_data's 200 rows) is about 10 KB
MAX_BYTES = 2 * 2**20  # everything one student's sandbox may send, in all its attempts (honest: ~0.5 MiB)
MAX_DEPTH = 40  # JSON nesting: honest results nest less than 10 deep


class ProtocolError(Exception):
    """The child sent something no honest probe sends."""


class ForgedFrame(ProtocolError):
    """A frame without the probe's seal: something else in the sandbox wrote on the channel."""


class Seal:
    """The MAC of each frame in turn under one sandbox's key: the child seals, the parent checks."""

    SIZE = hashlib.sha256().digest_size

    def __init__(self, key: bytes):
        self._key, self._count = key, 0

    @classmethod
    def new_key(cls) -> str:
        return secrets.token_hex(32)

    def next(self, body: bytes) -> bytes:
        mac = hmac.new(self._key, self._count.to_bytes(8, "big") + body, hashlib.sha256).digest()
        self._count += 1
        return mac


def encode(event, seal=None):
    body = json.dumps(event, allow_nan=True, separators=(",", ":")).encode()
    if seal is not None:
        body = seal.next(body) + body
    return HEADER.pack(len(body)) + body


def write_frame(fd, event, seal=None):
    data = encode(event, seal)
    while data:
        written = os.write(fd, data)
        data = data[written:]


def _depth_ok(raw):
    """Reject deep nesting before json.loads sees it: a crafted frame must not raise RecursionError here."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return False
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return True


def decode(raw):
    if not _depth_ok(raw):
        raise ProtocolError(f"a message nested more than {MAX_DEPTH} levels deep")
    try:
        event = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise ProtocolError(f"a message that is not JSON ({type(error).__name__})") from None
    if not isinstance(event, dict):
        raise ProtocolError("a message that is not a JSON object")
    return scrub(event)


def scrub(value):
    """Strings as valid Unicode: JSON may carry lone surrogates ("\\udc80"), which no file or
    terminal can encode; they become "?" here, at the boundary."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8") if not value.isascii() else value
    if isinstance(value, list):
        return [scrub(item) for item in value]
    if isinstance(value, dict):
        return {scrub(key): scrub(item) for key, item in value.items()}
    return value


class FrameReader:
    """Reads frames from a non-blocking pipe, never past a deadline and never past the byte budget."""

    def __init__(self, fd, budget, seal=None):
        self.fd, self.seal = fd, seal
        self.buffer = bytearray()
        self.budget = budget  # a Budget shared by every attempt for one student
        self.eof = False
        os.set_blocking(fd, False)

    def _frame(self):
        if len(self.buffer) < HEADER.size:
            return None
        (length,) = HEADER.unpack_from(self.buffer)
        if length > MAX_FRAME:
            raise ProtocolError(f"a message of {length} bytes (the limit is {MAX_FRAME})")
        if len(self.buffer) < HEADER.size + length:
            return None
        raw = bytes(self.buffer[HEADER.size:HEADER.size + length])
        del self.buffer[:HEADER.size + length]
        if self.seal is not None:
            mac, raw = raw[:Seal.SIZE], raw[Seal.SIZE:]
            if not hmac.compare_digest(mac, self.seal.next(raw)):
                raise ForgedFrame("a message its probe did not send")
        return decode(raw)

    def read(self, deadline, tick=None):
        """The next event; None at end of file; TimeoutError once time.monotonic() passes deadline.
        tick() runs at least every 0.1 s while waiting (the memory watch)."""
        while True:
            event = self._frame()
            if event is not None:
                return event
            if self.eof:
                return None
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise TimeoutError
            if tick is not None:
                tick()
            ready, _, _ = select.select([self.fd], [], [], min(wait, 0.1))
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except BlockingIOError:
                continue
            if not chunk:
                self.eof = True
                continue
            self.budget.spend(len(chunk))
            self.buffer += chunk


class Budget:
    """Bytes one student may still send, across all the sandboxes it takes."""

    def __init__(self, total=MAX_BYTES):
        self.left = total
        self.total = total
        self._lock = threading.Lock()  # a student's forks may run at once, each reading its own channel

    def spend(self, count):
        with self._lock:
            self.left -= count
        if self.left < 0:
            raise ProtocolError(f"more than {self.total // 2**20} MiB of messages")
