"""pyproject.toml dependency declarations with exact ranges (see docs/architecture.md).

```python
load_pyproject(path, text=None) -> Optional[PyprojectDeclarations]   # None: no such file
parse_pyproject(text, path) -> PyprojectDeclarations                 # never raises
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
    "load_pyproject",
    "parse_pyproject",
]
