"""Reading a requirements file from disk without hanging on what is not a file.

`-r fifo.txt` (a named pipe nobody writes to), `-r /dev/zero`, `-c /dev/urandom` would block or
never end with a plain `open().read()`. `read_file` opens without blocking, refuses devices
(and named pipes unless `pipes=True`, for a path the user typed on the command line, such as a
shell's `<(...)`), and reads at most `limit` bytes.
"""

from __future__ import annotations

import os
import stat

MAX_FILE_BYTES = 16 * 1024 * 1024


def read_file(path: str, *, pipes: bool = False, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file at `path`; OSError for a device, a pipe, a folder, or a
    file larger than `limit`."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)  # O_NONBLOCK: opening a FIFO does not wait for a writer
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            raise OSError(f"not a regular file (a device): {path!r}")
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, "Is a directory", path)
        if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
            if not pipes:
                raise OSError(f"not a regular file (a named pipe): {path!r}")
            os.set_blocking(fd, True)  # a pipe with a writer: wait for its data
        elif not stat.S_ISREG(mode):
            raise OSError(f"not a regular file: {path!r}")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > limit:
        raise OSError(
            f"file is larger than {limit // (1024 * 1024)} MiB, not a requirements file: {path!r}"
        )
    return b"".join(chunks)
