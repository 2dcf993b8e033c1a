"""Virus scanning with ClamAV when the server has it (Debian's clamav-daemon).

The daemon's socket (settings.ARCHIVE_CLAMD_SOCKET) is asked first, over its INSTREAM
protocol; else ``clamdscan`` on the PATH is run on the file. Without either the file is
stored with the status "not_scanned", which the catalogue shows: a missing scanner must
not stop an office's work, but nobody may think a file was scanned when it was not. A
file the scanner finds infected is refused; a scanner that fails is a refusal too (the
file's state is unknown), saying so.
"""

import shutil
import socket
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_noop

from config.errors import BadRequest

from .models import ScanStatus

CHUNK = 1024 * 1024
TIMEOUT_S = 120


@dataclass(frozen=True)
class ScanResult:
    status: str
    detail: str


def _socket_path() -> Path | None:
    configured = getattr(settings, "ARCHIVE_CLAMD_SOCKET", "")
    path = Path(configured) if configured else None
    return path if path is not None and path.is_socket() else None


INFECTED = gettext_noop("file: infected (%(virus)s): refused")


def _clamd(path: Path, socket_path: Path) -> ScanResult:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(TIMEOUT_S)
        conn.connect(str(socket_path))
        conn.sendall(b"zINSTREAM\0")
        with path.open("rb") as fh:
            while block := fh.read(CHUNK):
                conn.sendall(struct.pack(">I", len(block)) + block)
        conn.sendall(struct.pack(">I", 0))
        answer = b""
        while not answer.endswith(b"\0") and (part := conn.recv(4096)):
            answer += part
    text = answer.rstrip(b"\0").decode("utf-8", "replace")
    if text.endswith("OK"):
        return ScanResult(ScanStatus.CLEAN, f"clamd: {text}")
    if text.endswith("FOUND"):
        raise BadRequest.of(INFECTED, virus=text.split(":", 1)[-1].strip())
    raise BadRequest.of(gettext_noop("file: the virus scanner (clamd) failed: %(answer)s: "
                                     "refused, try again"), answer=text)


def _clamdscan(path: Path, program: str) -> ScanResult:
    done = subprocess.run([program, "--no-summary", "--fdpass", str(path)],
                          capture_output=True, text=True, timeout=TIMEOUT_S)
    said = (done.stdout.strip() or done.stderr.strip())[-250:]
    if done.returncode == 0:
        return ScanResult(ScanStatus.CLEAN, f"clamdscan: {said}")
    if done.returncode == 1:
        raise BadRequest.of(INFECTED, virus=said.split(":", 1)[-1].strip())
    raise BadRequest.of(gettext_noop("file: the virus scanner (clamdscan) failed (exit "
                                     "%(code)s: %(answer)s): refused, try again"),
                        code=done.returncode, answer=said)


def scan(path: Path) -> ScanResult:
    socket_path = _socket_path()
    if socket_path is not None:
        return _clamd(path, socket_path)
    program = shutil.which("clamdscan")
    if program is not None:
        return _clamdscan(path, program)
    return ScanResult(ScanStatus.NOT_SCANNED, "no ClamAV on the server (no clamd socket at "
                      f"{getattr(settings, 'ARCHIVE_CLAMD_SOCKET', '') or '—'}, no clamdscan)")
