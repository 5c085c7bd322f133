from gridgov.registry import flags


def test_raise_flag_reaches_only_handlers_of_its_code(monkeypatch):
    monkeypatch.setattr(flags, "_handlers", {})
    seen = []
    flags.register_flag_handler(
        "key_petitioner", lambda flag, actor: seen.append((flag, actor)) or 1
    )
    flags.register_flag_handler(
        "key_petitioner", flags._handlers["key_petitioner"][0]
    )  # twice: once
    flag = flags.Flag(code="key_petitioner", person=None, reason="一年内信访三次")
    assert flags.raise_flag(flag, actor="u") == [1]
    assert seen == [(flag, "u")]
    assert flags.handles("key_petitioner") and not flags.handles("other")
    assert flags.raise_flag(flags.Flag(code="other", person=None, reason=""), actor="u") == []
