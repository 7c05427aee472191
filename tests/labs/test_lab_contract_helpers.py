"""The shared README-contract helpers fail when a phrase is missing and find each lab's own
chapter and box, also where one chapter holds the boxes of two labs."""

from __future__ import annotations

import pytest

from tests.support import lab_contract
from tests.support.lab_folder import LabFolder


def test_a_phrase_the_readme_does_not_say_fails_naming_it() -> None:
    limiter = LabFolder("rate_limiter")
    lab_contract.expect_readme_says(limiter, "burst of 5 requests")
    with pytest.raises(AssertionError, match="burst of 6 requests"):
        lab_contract.expect_readme_says(limiter, "burst of 5 requests", "burst of 6 requests")


def test_each_lab_of_a_chapter_gets_its_own_box() -> None:
    limiter, sharding = LabFolder("rate_limiter"), LabFolder("sharding")
    assert limiter.spec.chapter == sharding.spec.chapter
    assert "X-Api-Key" in lab_contract.lab_box(limiter)
    assert "X-Api-Key" not in lab_contract.lab_box(sharding)
    assert "virtual nodes" in lab_contract.lab_box(sharding)
    with pytest.raises(AssertionError, match="does not say"):
        lab_contract.expect_lab_box_says(sharding, "X-Api-Key")


def test_a_lab_and_an_extra_lab_find_the_chapter_that_links_them() -> None:
    limiter, cache = LabFolder("rate_limiter"), LabFolder("cache_aside")
    assert "Consistent hashing" in lab_contract.chapter_text(limiter)  # chapter 7's extra lab
    lab_contract.expect_chapter_says(cache, "Cache-aside (also called lazy loading)")
    with pytest.raises(AssertionError, match="does not say \\['token bucket'\\]"):
        lab_contract.expect_chapter_says(cache, "X-Cache", "token bucket")
