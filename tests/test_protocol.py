"""The channel between a sandbox and the grader (autograder/probe/protocol.py): torn frames,
malformed frames, deep nesting, lone surrogates and floods are refused within the reader's limits."""

import json
import os
import resource
import struct
import threading
import time

import pytest

from autograder.probe.protocol import MAX_BYTES, Budget, FrameReader, ProtocolError, decode


def frame(obj):
    body = json.dumps(obj).encode()
    return struct.pack(">I", len(body)) + body


def test_a_torn_frame_cannot_hold_the_reader_past_its_deadline():
    read_fd, write_fd = os.pipe()
    os.write(write_fd, struct.pack(">I", 100) + b'{"id": "x", ')  # a header, then part of the body
    reader = FrameReader(read_fd, Budget())
    began = time.monotonic()
    with pytest.raises(TimeoutError):
        reader.read(time.monotonic() + 0.5)
    assert time.monotonic() - began < 2
    os.close(read_fd), os.close(write_fd)


@pytest.mark.parametrize("raw, why", [
    (struct.pack(">I", 2**30), "bytes (the limit"),
    (frame([]), "not a JSON object"),
    (struct.pack(">I", 4) + b"\xff\xfe{}", "not JSON"),
])
def test_malformed_frames_are_refused(raw, why):
    read_fd, write_fd = os.pipe()
    os.write(write_fd, raw)
    with pytest.raises(ProtocolError, match=why.split(" (")[0]):
        FrameReader(read_fd, Budget()).read(time.monotonic() + 2)
    os.close(read_fd), os.close(write_fd)


def test_deep_nesting_is_refused_before_the_json_parser_sees_it():
    with pytest.raises(ProtocolError, match="nested"):
        decode(b"[" * 100000 + b"]" * 100000)


def test_lone_surrogates_become_printable_at_the_boundary():
    event = decode(b'{"message": "bad \\udc80 text", "items": ["\\ud800"]}')
    json.dumps(event, ensure_ascii=False).encode("utf-8")  # no UnicodeEncodeError
    assert "\udc80" not in event["message"]


def test_a_flood_stops_at_the_byte_budget_and_the_parent_stays_small():
    read_fd, write_fd = os.pipe()
    reader = FrameReader(read_fd, Budget())
    chunk = frame({"pad": "x" * 200_000})

    def flood():
        try:
            for _ in range(4 * MAX_BYTES // len(chunk)):
                os.write(write_fd, chunk)
        except OSError:
            pass
        finally:
            os.close(write_fd)

    writer = threading.Thread(target=flood)
    writer.start()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ProtocolError, match="MiB of messages"):
        while reader.read(time.monotonic() + 10) is not None:
            pass
    grew_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    os.close(read_fd)
    writer.join(10)
    assert grew_mb < 100, grew_mb
