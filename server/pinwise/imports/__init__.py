"""Imports against declarations: which third-party packages a workspace's code imports, and
which installed distribution provides each (see docs/architecture.md).

```python
collect(root) -> WorkspaceImports             # every needed absolute import, first-party removed
parse_imports(text, path) -> FileImports       # one file or editor buffer
file_imports(path) -> FileImports              # cached by (path, mtime_ns, size)
with_buffer(workspace, path, text)             # one file from an editor buffer
ImportMap.from_snapshot(snapshot).resolve("google.protobuf.message") -> Resolution
is_stdlib("tomllib", "3.10.4") -> False
```
"""

from __future__ import annotations

from pinwise.imports.collect import (
    FileImports,
    ImportRef,
    WorkspaceImports,
    collect,
    file_imports,
    first_party_modules,
    parse_imports,
    python_files,
    with_buffer,
)
from pinwise.imports.collect import clear_cache as _clear_files
from pinwise.imports.mapping import (
    ALTERNATIVES,
    WELL_KNOWN,
    ImportMap,
    Resolution,
    fallback_name,
    import_names_for,
    provided_modules,
)
from pinwise.imports.mapping import clear_cache as _clear_records
from pinwise.imports.stdlib import is_stdlib, stdlib_names


def clear_caches() -> None:
    """Forget every cached file parse and RECORD read."""
    _clear_files()
    _clear_records()


__all__ = [
    "ALTERNATIVES",
    "WELL_KNOWN",
    "FileImports",
    "ImportMap",
    "ImportRef",
    "Resolution",
    "WorkspaceImports",
    "clear_caches",
    "collect",
    "fallback_name",
    "file_imports",
    "first_party_modules",
    "import_names_for",
    "is_stdlib",
    "parse_imports",
    "provided_modules",
    "python_files",
    "stdlib_names",
    "with_buffer",
]
