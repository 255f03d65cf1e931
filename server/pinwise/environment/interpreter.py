"""Running the selected interpreter once, isolated, to learn its marker environment.

The only place in the environment layer that starts a process. The run is `python -I -S -c
<script>` (argument list, no shell, stdin closed, its own process group), killed after a timeout,
and its answer is cached per interpreter file (path, real path, mtime, size, and the stat of its
pyvenv.cfg): in memory, and on disk in `$XDG_CACHE_HOME/pinwise/interpreters.json` (default
`~/.cache`), so that the next `pinwise` process does not run it again. The disk cache is written
atomically (a temporary file renamed over it); a missing, unreadable or corrupt cache file is
ignored, and a failed write only costs the next process one run.
"""

from __future__ import annotations

import os
from _thread import allocate_lock

from pinwise.environment.errors import InspectionError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Mapping
    from typing import Any, Optional

MARKER_KEYS = (
    "implementation_name",
    "implementation_version",
    "os_name",
    "platform_machine",
    "platform_release",
    "platform_system",
    "platform_version",
    "python_full_version",
    "platform_python_implementation",
    "python_version",
    "sys_platform",
)

_SENTINEL = "PINWISE-ENV-1:"

# Runs on any Python from 2.7 on: no f-strings, nothing but the standard library. `site` is
# imported (not run: -S) only to ask where its site-packages folders are, which covers
# distribution patches such as Debian's dist-packages.
_SCRIPT = r"""
import json, os, platform, sys
def fv(info):
    v = '%d.%d.%d' % (info[0], info[1], info[2])
    if info[3] != 'final':
        v += info[3][0] + str(info[4])
    return v
impl = getattr(sys, 'implementation', None)
m = {
    'implementation_name': impl.name if impl else 'cpython',
    'implementation_version': fv(impl.version) if impl else '0',
    'os_name': os.name,
    'platform_machine': platform.machine(),
    'platform_release': platform.release(),
    'platform_system': platform.system(),
    'platform_version': platform.version(),
    'python_full_version': platform.python_version(),
    'platform_python_implementation': platform.python_implementation(),
    'python_version': '.'.join(platform.python_version_tuple()[:2]),
    'sys_platform': sys.platform,
}
out = {'markers': m, 'prefix': sys.prefix, 'base_prefix': getattr(sys, 'base_prefix', sys.prefix),
       'exec_prefix': sys.exec_prefix,
       'base_exec_prefix': getattr(sys, 'base_exec_prefix', sys.exec_prefix),
       'version': list(sys.version_info[:5]), 'path': sys.path,
       'executable': sys.executable, 'platlibdir': getattr(sys, 'platlibdir', 'lib')}
exe_dir = os.path.dirname(os.path.abspath(sys.executable))
site_prefix = os.path.dirname(exe_dir)
venv = [c for c in (os.path.join(exe_dir, 'pyvenv.cfg'), os.path.join(site_prefix, 'pyvenv.cfg'))
        if os.path.isfile(c)]
if venv:
    out['prefix'] = site_prefix
try:
    import site
    out['site'] = site.getsitepackages([site_prefix] if venv else None)
    out['base_site'] = site.getsitepackages([out['base_prefix'], out['base_exec_prefix']])
    out['user_site'] = site.getusersitepackages()
except Exception:
    pass
sys.stdout.write('%s' + json.dumps(out) + '\n')
""".replace("%s", _SENTINEL, 1)


class RunInfo:
    """What one run of the interpreter said (a plain class: no dataclasses on the freeze path)."""

    __slots__ = (
        "base_prefix",
        "base_site",
        "markers",
        "path",
        "platlibdir",
        "prefix",
        "site",
        "user_site",
        "version",
    )

    def __init__(
        self,
        *,
        markers: dict[str, str],
        prefix: str,
        base_prefix: str,
        version: tuple[int, int, int],
        path: tuple[str, ...],
        site: Optional[tuple[str, ...]],
        base_site: Optional[tuple[str, ...]],
        user_site: Optional[str],
        platlibdir: str,
    ) -> None:
        self.markers = markers
        self.prefix = prefix
        self.base_prefix = base_prefix
        self.version = version
        self.path = path
        self.site = site
        self.base_site = base_site
        self.user_site = user_site
        self.platlibdir = platlibdir

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RunInfo) and all(
            getattr(self, name) == getattr(other, name) for name in self.__slots__
        )

    __hash__ = None  # type: ignore[assignment]


CacheKey = tuple[str, str, int, int, int, int]
_CACHE: dict[CacheKey, RunInfo] = {}
_LOCK = allocate_lock()
_DISK_FORMAT = 1
_DISK_MAX_ENTRIES = 64
DISK_CACHE_NAME = "interpreters.json"


def cache_key(interpreter: str) -> CacheKey:
    """(path, real path, mtime, size of the real file, mtime and size of its pyvenv.cfg)."""
    real = os.path.realpath(interpreter)
    st = os.stat(real)
    cfg_stamp = (-1, -1)
    here = os.path.dirname(interpreter)
    for folder in (here, os.path.dirname(here)):
        try:
            cst = os.stat(os.path.join(folder, "pyvenv.cfg"))
        except OSError:
            continue
        cfg_stamp = (cst.st_mtime_ns, cst.st_size)
        break
    return (interpreter, real, st.st_mtime_ns, st.st_size, *cfg_stamp)


def clear_cache() -> None:
    """Forget the runs kept in memory (the disk cache stays: it is keyed by the file's stat)."""
    with _LOCK:
        _CACHE.clear()


def disk_cache_path(environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """`$XDG_CACHE_HOME/pinwise/interpreters.json`, `~/.cache/pinwise/...` by default; None
    when there is no home folder to put it in (then nothing is cached on disk)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):  # the XDG spec: a relative value is ignored
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None  # no $HOME and no password entry: never write to a folder named `~`
        base = os.path.join(home, ".cache")
    return os.path.join(base, "pinwise", DISK_CACHE_NAME)


def _disk_id(key: CacheKey) -> str:
    return "\0".join(str(part) for part in key)


def _read_disk() -> dict[str, Any]:
    """The disk cache's entries (id -> the run's JSON answer); {} when absent or corrupt."""
    import json

    path = disk_cache_path()
    if path is None:
        return {}
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != _DISK_FORMAT:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _from_disk(key: CacheKey) -> Optional[RunInfo]:
    raw = _read_disk().get(_disk_id(key))
    if not isinstance(raw, dict):
        return None
    try:
        return _to_info(raw)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None  # a corrupt entry: run again (and overwrite it)


def _to_disk(key: CacheKey, answer: dict[str, Any]) -> None:
    """Add one answer to the disk cache, atomically; any failure is ignored."""
    import json
    import tempfile

    path = disk_cache_path()
    if path is None:
        return
    entries = _read_disk()
    entries.pop(_disk_id(key), None)
    entries[_disk_id(key)] = answer
    while len(entries) > _DISK_MAX_ENTRIES:  # the oldest first (dicts keep insertion order)
        del entries[next(iter(entries))]
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".interpreters-", suffix=".tmp", dir=folder)
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"format": _DISK_FORMAT, "entries": entries}, handle)
        os.replace(tmp, path)
    except OSError:
        try:  # noqa: SIM105 (contextlib is not imported for this)
            os.unlink(tmp)
        except OSError:
            pass


def run_interpreter(interpreter: str, timeout: float) -> RunInfo:
    """Run `interpreter` once (or take the cached answer). Raises InspectionError."""
    try:
        key = cache_key(interpreter)
    except OSError as exc:
        raise InspectionError(
            _msg(interpreter, f"cannot read it ({exc.strerror or exc})")
        ) from None
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    cached = _from_disk(key)
    if cached is None:
        answer = _run(interpreter, timeout)
        cached = _to_info(answer)
        _to_disk(key, answer)
    with _LOCK:
        _CACHE[key] = cached
    return cached


def _msg(path: str, what: str, todo: str = "") -> str:
    todo = todo or (
        "Select a working Python interpreter (--python, or the pinwise.interpreter setting)."
    )
    return f"Cannot inspect the Python interpreter {path}: {what}. {todo}"


_ISOLATED = ("-I", "-S")
_ISOLATED_PY2 = ("-E", "-s", "-S")  # Python 2 has no -I: the same isolation, spelled out


def _run(interpreter: str, timeout: float) -> dict[str, Any]:
    try:
        return _run_once(interpreter, timeout, _ISOLATED)
    except _NoIsolatedFlag:
        return _run_once(interpreter, timeout, _ISOLATED_PY2)


class _NoIsolatedFlag(Exception):
    pass


def _run_once(interpreter: str, timeout: float, flags: tuple[str, ...]) -> dict[str, Any]:
    import subprocess  # imported when needed: most inspections hit the cache

    args = [interpreter, *flags, "-c", _SCRIPT]
    popen_kwargs: dict[str, Any] = {}
    if os.name == "posix":
        popen_kwargs["start_new_session"] = True
    try:
        proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            **popen_kwargs,
        )
    except PermissionError:
        raise InspectionError(
            _msg(
                interpreter,
                "it is not executable (permission denied)",
                "Make it executable or select another interpreter.",
            )
        ) from None
    except OSError as exc:
        if exc.errno == 8:  # ENOEXEC
            what = "it is not a program this system can run (exec format error)"
        else:
            what = f"it could not be started ({exc.strerror or exc})"
        raise InspectionError(_msg(interpreter, what)) from None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise InspectionError(
            _msg(
                interpreter,
                f"it did not answer within {timeout:g} s and was stopped",
                "Check that it is a working Python (does `<it> -c pass` return?), or use "
                "--no-exec to inspect its environment from files alone.",
            )
        ) from None
    finally:
        if proc.poll() is None:
            _kill(proc)
    text = out.decode("utf-8", "replace")
    if proc.returncode == 2 and flags == _ISOLATED and b"-I" in err + out:
        raise _NoIsolatedFlag
    if proc.returncode != 0:
        detail = err.decode("utf-8", "replace").strip().splitlines()
        tail = f" ({detail[-1][:200].rstrip('.')})" if detail else ""
        raise InspectionError(_msg(interpreter, f"it exited with status {proc.returncode}{tail}"))
    import json

    for line in text.splitlines():
        if line.startswith(_SENTINEL):
            try:
                data = json.loads(line[len(_SENTINEL) :])
                _to_info(data)  # validates the answer
            except (ValueError, TypeError, KeyError, IndexError, AttributeError):
                break
            if isinstance(data, dict):
                return data
            break
    shown = text.strip()[:80]
    raise InspectionError(
        _msg(
            interpreter,
            "it does not behave like a Python interpreter "
            + (f"(it printed {shown!r})" if shown else "(it printed nothing)"),
        )
    )


def _kill(proc: subprocess.Popen[bytes]) -> None:
    import contextlib
    import signal
    import subprocess

    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except OSError:
        pass
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def _str_tuple(value: Any) -> Optional[tuple[str, ...]]:
    if value is None:
        return None
    return tuple(str(v) for v in value)


def _to_info(data: dict[str, Any]) -> RunInfo:
    markers = {k: str(data["markers"][k]) for k in MARKER_KEYS}
    v = data["version"]
    user_site = data.get("user_site")
    return RunInfo(
        markers=markers,
        prefix=str(data["prefix"]),
        base_prefix=str(data["base_prefix"]),
        version=(int(v[0]), int(v[1]), int(v[2])),
        path=tuple(str(p) for p in data["path"]),
        site=_str_tuple(data.get("site")),
        base_site=_str_tuple(data.get("base_site")),
        user_site=str(user_site) if user_site else None,
        platlibdir=str(data.get("platlibdir") or "lib"),
    )
