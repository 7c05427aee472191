"""Front matter problems name the file and the line the author must fix."""

from __future__ import annotations

from course import load_course

# write_chapter puts extra keys on line 8: after ---, title, order, minutes, summary and a
# two-line objectives list.


def test_valid_chapter_loads_with_its_fields(content_dir, write_chapter):
    write_chapter("03-caching.md", title="Caching", minutes=45, lab="cache-aside")
    course = load_course(content_dir, {"cache-aside": {}})
    assert course.problems == []
    chapter = course.chapter("caching")
    assert chapter is not None
    assert (chapter.title, chapter.order, chapter.minutes, chapter.lab) == (
        "Caching",
        3,
        45,
        "cache-aside",
    )
    assert chapter.path == content_dir / "03-caching.md"


def test_explicit_slug_overrides_file_name(content_dir, write_chapter):
    write_chapter("01-intro.md", slug="welcome")
    course = load_course(content_dir)
    assert [c.slug for c in course.chapters] == ["welcome"]


def test_missing_required_key_is_reported_and_chapter_left_out(content_dir, write_chapter):
    write_chapter("01-intro.md", summary=None)
    course = load_course(content_dir)
    assert [str(p) for p in course.problems] == [
        "content/01-intro.md:1: missing required key 'summary'"
    ]
    assert course.chapters == []


def test_wrong_type_names_the_key_line(write_file, problem_lines):
    write_file(
        "01-intro.md",
        "---\ntitle: Intro\norder: 1\nminutes: soon\nsummary: S.\nobjectives: [a]\n---\nBody\n",
    )
    assert problem_lines() == [
        "content/01-intro.md:4: minutes: expected a positive integer, got 'soon' (str)"
    ]


def test_objectives_must_be_a_non_empty_list_of_strings(write_chapter, problem_lines):
    write_chapter("01-intro.md", objectives=[])
    assert problem_lines() == [
        "content/01-intro.md:6: objectives: expected a non-empty list of non-empty strings, "
        "got [] (list)"
    ]


def test_zero_minutes_is_rejected(write_chapter, problem_lines):
    write_chapter("01-intro.md", minutes=0)
    assert "minutes: expected a positive integer, got 0 (int)" in problem_lines()[0]


def test_malformed_yaml_reports_the_real_file_line(content_dir, write_file):
    write_file(
        "02-apis.md",
        "---\ntitle: APIs\norder: 2\nminutes: 10\nsummary: [unclosed\nobjectives: [a]\n---\n",
    )
    problems = load_course(content_dir).problems
    assert len(problems) == 1
    assert problems[0].path == "content/02-apis.md"
    # the flow sequence opened on line 5 breaks where the next key starts, line 6
    assert problems[0].line == 6
    assert problems[0].message.startswith("front matter: malformed YAML")


def test_unknown_key_gets_a_did_you_mean_hint(write_chapter, problem_lines):
    write_chapter("01-intro.md", minutse=5)
    assert problem_lines() == [
        "content/01-intro.md:8: unknown key 'minutse' (did you mean 'minutes'?)"
    ]


def test_file_without_front_matter(write_file, problem_lines):
    write_file("01-intro.md", "# Just Markdown\n")
    assert problem_lines() == [
        "content/01-intro.md:1: missing front matter: the file must start with a '---' line"
    ]


def test_unclosed_front_matter(write_file, problem_lines):
    write_file("01-intro.md", "---\ntitle: Intro\n")
    assert problem_lines() == ["content/01-intro.md:1: front matter is not closed by a '---' line"]


def test_files_not_named_like_chapters_are_ignored(content_dir, write_file):
    write_file("README.md", "notes for authors\n")
    write_file("1-intro.md", "no front matter\n")
    assert load_course(content_dir).problems == []


def test_duplicate_slug_keeps_first_and_names_both_files(content_dir, write_chapter):
    write_chapter("01-intro.md", slug="start")
    write_chapter("02-begin.md", slug="start")
    course = load_course(content_dir)
    assert [c.path.name for c in course.chapters] == ["01-intro.md"]
    assert [str(p) for p in course.problems] == [
        "content/02-begin.md:8: duplicate slug 'start' (also content/01-intro.md)"
    ]


def test_duplicate_order_is_reported_on_the_order_line(write_chapter, problem_lines):
    write_chapter("01-intro.md")
    write_chapter("02-begin.md", order=1)
    assert problem_lines() == [
        "content/02-begin.md:3: duplicate order 1 (also content/01-intro.md)"
    ]


def test_missing_lab_id_is_reported_but_chapter_kept(content_dir, write_chapter):
    write_chapter("01-intro.md", lab="cache-asid")
    course = load_course(content_dir, {"cache-aside": {}, "rest-api": {}})
    assert [str(p) for p in course.problems] == [
        "content/01-intro.md:8: lab 'cache-asid' does not exist (did you mean 'cache-aside'?) "
        "(labs: cache-aside, rest-api)"
    ]
    assert [c.slug for c in course.chapters] == ["intro"]


def test_lab_check_skipped_without_labs(content_dir, write_chapter):
    write_chapter("01-intro.md", lab="anything")
    assert load_course(content_dir).problems == []


def test_chapters_sorted_by_order_with_neighbours(content_dir, write_chapter):
    write_chapter("02-middle.md")
    write_chapter("10-last.md")
    write_chapter("01-first.md")
    course = load_course(content_dir)
    assert [c.slug for c in course.chapters] == ["first", "middle", "last"]
    previous, following = course.neighbours("middle")
    assert (previous.slug, following.slug) == ("first", "last")
    assert course.neighbours("first")[0] is None
    assert course.neighbours("last")[1] is None
    assert course.neighbours("nope") == (None, None)
    assert course.chapter("nope") is None


def test_missing_content_dir_is_a_problem_not_an_exception(tmp_path):
    course = load_course(tmp_path / "absent")
    assert course.chapters == []
    assert course.problems[0].message == "content directory not found"


def test_non_utf8_file_is_a_problem(content_dir, problem_lines):
    (content_dir / "01-intro.md").write_bytes(b"---\ntitle: Caf\xe9\n---\n")
    assert problem_lines() == ["content/01-intro.md:1: not valid UTF-8: invalid continuation byte"]
