"""The checks registry: order of definition, ids from function names, no duplicates."""

from __future__ import annotations

import pytest

from labs.checks import Checks


def test_checks_keep_definition_order_and_take_ids_from_function_names() -> None:
    checks = Checks()

    @checks.check("Second in the alphabet, first in the file", points=3, hint="h")
    def zebra(ctx) -> None:
        pass

    @checks.check("First in the alphabet, second in the file", points=2)
    def aardvark(ctx) -> None:
        pass

    assert checks.ids() == ["zebra", "aardvark"]
    assert [c.name for c in checks] == ["Second in the alphabet, first in the file",
                                        "First in the alphabet, second in the file"]
    assert checks.max_score == 5
    assert "zebra" in checks and "lion" not in checks
    assert next(iter(checks)).hint == "h"


def test_duplicate_check_ids_are_rejected() -> None:
    checks = Checks()

    @checks.check("one", points=1)
    def same(ctx) -> None:
        pass

    with pytest.raises(ValueError, match="duplicate check id 'same'"):
        @checks.check("two", points=1)
        def same(ctx) -> None:
            pass


@pytest.mark.parametrize("points", [-1, 1.5, True, "3"])
def test_points_must_be_a_non_negative_int(points) -> None:
    with pytest.raises(ValueError, match="points"):
        Checks().check("bad", points=points)


def test_needs_name_earlier_checks_and_are_kept_in_order() -> None:
    checks = Checks()

    @checks.check("one", points=1)
    def first(ctx) -> None:
        pass

    @checks.check("two", points=1)
    def second(ctx) -> None:
        pass

    @checks.check("three", points=1, needs=("second", "first"))
    def third(ctx) -> None:
        pass

    @checks.check("four", points=1, needs="third")
    def fourth(ctx) -> None:
        pass

    assert [c.needs for c in checks] == [(), (), ("second", "first"), ("third",)]


@pytest.mark.parametrize("needed", ["missing", "later", "itself"])
def test_a_need_that_is_not_an_earlier_check_is_rejected_naming_the_check(needed) -> None:
    checks = Checks()

    @checks.check("one", points=1)
    def first(ctx) -> None:
        pass

    with pytest.raises(ValueError, match=rf"check 'itself' needs '{needed}', which is not a "
                                         r"check registered before it \(registered: first\)"):
        @checks.check("two", points=1, needs=("first", needed))
        def itself(ctx) -> None:
            pass

    assert checks.ids() == ["first"], "a rejected check is not registered"
