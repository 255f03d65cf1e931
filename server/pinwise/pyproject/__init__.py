"""pyproject.toml dependency declarations with exact ranges (see docs/architecture.md).

```python
load_pyproject(path, text=None) -> Optional[PyprojectDeclarations]   # None: no such file
parse_pyproject(text, path) -> PyprojectDeclarations                 # never raises
declaration_at(decls, position) -> Optional[(Declaration, part)]     # hover / completion
```
"""

from __future__ import annotations

from pinwise.pyproject.declarations import (
    GROUPS,
    OPTIONAL,
    PROJECT,
    Declaration,
    IncludeGroup,
    Problem,
    PyprojectDeclarations,
    declaration_at,
    load_pyproject,
    parse_pyproject,
)
from pinwise.pyproject.toml import Document

__all__ = [
    "GROUPS",
    "OPTIONAL",
    "PROJECT",
    "Declaration",
    "Document",
    "IncludeGroup",
    "Problem",
    "PyprojectDeclarations",
    "declaration_at",
    "load_pyproject",
    "parse_pyproject",
]
