"""CourseStore reloads edited content and renders each unchanged file only once."""

from __future__ import annotations

import os

from course import CourseStore


def touch_later(path, text: str) -> None:
    """Rewrite a file and move its mtime forward, as an editor saving a second later would."""
    stat = path.stat()
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_unchanged_content_is_not_rendered_again(content_dir, write_chapter):
    write_chapter("01-intro.md")
    write_chapter("02-next.md")
    store = CourseStore(content_dir, reload=True)
    first = store.course
    assert store.cache.misses == 2
    assert store.course is first
    assert store.cache.misses == 2


def test_reload_picks_up_an_edit_and_rerenders_only_that_file(content_dir, write_chapter):
    intro = write_chapter("01-intro.md", "## Old heading\n")
    write_chapter("02-next.md")
    store = CourseStore(content_dir, reload=True)
    assert store.course.chapter("intro").toc[0].title == "Old heading"
    touch_later(intro, intro.read_text().replace("Old heading", "New heading"))
    assert store.course.chapter("intro").toc[0].title == "New heading"
    assert (store.cache.misses, store.cache.hits) == (3, 1)


def test_new_chapter_appears_and_problems_refresh(content_dir, write_chapter, write_file):
    write_chapter("01-intro.md")
    store = CourseStore(content_dir, reload=True)
    assert [c.slug for c in store.course.chapters] == ["intro"]
    write_chapter("02-next.md")
    write_file("03-broken.md", "no front matter\n")
    course = store.course
    assert [c.slug for c in course.chapters] == ["intro", "next"]
    assert [p.path for p in course.problems] == ["content/03-broken.md"]


def test_without_reload_the_first_load_is_kept(content_dir, write_chapter):
    write_chapter("01-intro.md")
    store = CourseStore(content_dir)
    first = store.course
    write_chapter("02-next.md")
    assert store.course is first
    assert len(first.chapters) == 1


def test_adding_a_missing_image_clears_the_problem_on_reload(content_dir, write_chapter):
    write_chapter("01-intro.md", "![diagram](images/flow.svg)\n")
    store = CourseStore(content_dir, reload=True)
    assert [p.message for p in store.course.problems] == [
        "missing image 'images/flow.svg': no such file under content/"
    ]
    (content_dir / "images").mkdir()
    (content_dir / "images" / "flow.svg").write_text("<svg/>")
    assert store.course.problems == []
