"""Model fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import models


class PathField(models.CharField):
    """A materialized area path ("330203/101/201/"), compared byte by byte on every database.

    Scoping filters paths by range (`path >= p AND path < p + "~"`), which is right only under a
    bytewise collation. SQLite compares bytes already (BINARY); on PostgreSQL the column gets
    COLLATE "C", whatever the database's locale, so the same btree index answers the range, the
    prefix match and ORDER BY path.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
