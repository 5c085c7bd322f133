"""Action codes of the notifications app: none. A notification belongs to its recipient, who
always may read it and mark it read; no role grants anything over anyone else's inbox."""

ACTIONS: dict[str, str] = {}
