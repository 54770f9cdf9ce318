"""Entries: the fast canonical encoder agrees with the rfc8785 package on any JSON value."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from execflow.prove.log.entry import EntryError, Ref, canonical_json, encode_entry

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_canonical_json_is_rfc8785(value: Any) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


def test_keys_outside_the_bmp_sort_by_utf16() -> None:
    value = {"\U0001f600": 1, "\ufb01": 2}
    assert canonical_json(value) == rfc8785.dumps(value)


@pytest.mark.parametrize(
    "data",
    [{"x": float("inf")}, {"x": 2**60}, {"x": {1, 2}}, {"x": b"raw"}, {"reach": "a@b.example"}],
)
def test_unloggable_values_are_refused(data: dict[str, Any]) -> None:
    with pytest.raises(EntryError):
        encode_entry(
            type="custom.x",
            at=datetime(2026, 1, 1, tzinfo=UTC),
            actor=Ref("a", "1"),
            subject=Ref("b", "2"),
            data=data,
        )


def test_deep_nesting_is_refused() -> None:
    deep: dict[str, Any] = {}
    cursor = deep
    for _ in range(40):
        cursor["n"] = {}
        cursor = cursor["n"]
    with pytest.raises(EntryError):
        canonical_json(deep)
