"""Running the selected interpreter once, isolated, to learn its marker environment.

The only place in the environment layer that starts a process. The run is `python -I -S -c
<script>` (argument list, no shell, stdin closed, its own process group), killed after a timeout,
and its answer is cached per interpreter file (path, real path, mtime, size).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from pinwise.environment.model import InspectionError

if TYPE_CHECKING:
    import subprocess

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


@dataclass(frozen=True)
class RunInfo:
    markers: dict[str, str]
    prefix: str
    base_prefix: str
    version: tuple[int, int, int]
    path: tuple[str, ...]
    site: Optional[tuple[str, ...]]
    base_site: Optional[tuple[str, ...]]
    user_site: Optional[str]
    platlibdir: str


_CACHE: dict[tuple[str, str, int, int], RunInfo] = {}
_LOCK = threading.Lock()


def cache_key(interpreter: str) -> tuple[str, str, int, int]:
    real = os.path.realpath(interpreter)
    st = os.stat(real)
    return (interpreter, real, st.st_mtime_ns, st.st_size)


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()


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
    info = _run(interpreter, timeout)
    with _LOCK:
        _CACHE[key] = info
    return info


def _msg(path: str, what: str, todo: str = "") -> str:
    todo = todo or (
        "Select a working Python interpreter (--python, or the pinwise.interpreter setting)."
    )
    return f"Cannot inspect the Python interpreter {path}: {what}. {todo}"


_ISOLATED = ("-I", "-S")
_ISOLATED_PY2 = ("-E", "-s", "-S")  # Python 2 has no -I: the same isolation, spelled out


def _run(interpreter: str, timeout: float) -> RunInfo:
    try:
        return _run_once(interpreter, timeout, _ISOLATED)
    except _NoIsolatedFlag:
        return _run_once(interpreter, timeout, _ISOLATED_PY2)


class _NoIsolatedFlag(Exception):
    pass


def _run_once(interpreter: str, timeout: float, flags: tuple[str, ...]) -> RunInfo:
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
    for line in text.splitlines():
        if line.startswith(_SENTINEL):
            try:
                data = json.loads(line[len(_SENTINEL) :])
                return _to_info(data)
            except (ValueError, TypeError, KeyError, IndexError):
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
