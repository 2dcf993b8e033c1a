"""ClamAV's daemon is asked over its socket (INSTREAM) when the socket is there: a small
clamd speaking the protocol on a real Unix socket stands in for clamav-daemon."""

import shutil
import socket
import struct
import tempfile
import threading
from pathlib import Path

import pytest

from archives import services
from archives.models import DocumentVersion
from config.errors import BadRequest

from . import support


def serve_clamd(path: Path, answer: bytes, received: list) -> threading.Thread:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)

    def one_scan():
        conn, _ = server.accept()
        with conn, server:
            command = b""
            while not command.endswith(b"\0"):
                command += conn.recv(1)
            data = b""
            while True:
                (size,) = struct.unpack(">I", conn.recv(4, socket.MSG_WAITALL))
                if size == 0:
                    break
                data += conn.recv(size, socket.MSG_WAITALL)
            received.append((command, data))
            conn.sendall(answer + b"\0")

    thread = threading.Thread(target=one_scan, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def clamd_socket(settings):
    folder = Path(tempfile.mkdtemp(prefix="clamd-"))  # short: socket paths are limited
    settings.ARCHIVE_CLAMD_SOCKET = str(folder / "clamd.ctl")
    yield folder / "clamd.ctl"
    shutil.rmtree(folder, ignore_errors=True)


def upload(people):
    return services.document_upload(actor=people["archivist"],
                                    file=support.upload(support.pdf("扫描件")), title="扫描件",
                                    category="other", retention="short")


def test_it_streams_the_file_to_clamd_and_records_it_clean(people, clamd_socket):
    received = []
    thread = serve_clamd(clamd_socket, b"stream: OK", received)
    version = upload(people).versions.get()
    thread.join(timeout=10)
    assert received == [(b"zINSTREAM\0", support.pdf("扫描件"))]
    assert (version.scan_status, version.scan_detail) == ("clean", "clamd: stream: OK")


def test_it_refuses_what_clamd_finds_infected(people, clamd_socket):
    thread = serve_clamd(clamd_socket, b"stream: Win.Test.EICAR_HDB-1 FOUND", [])
    with pytest.raises(BadRequest, match="infected.*EICAR"):
        upload(people)
    thread.join(timeout=10)
    assert not DocumentVersion.objects.exists()
