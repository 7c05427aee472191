"""A chapter's further labs: front matter `extra_labs`, checked like `lab`, and link_lab,
which adds a lab to a chapter by editing only the lines that change."""

from __future__ import annotations

from course import load_course
from course.lablinking import link_lab

LABS = {"sharding": {}, "rate-limiter": {}, "quota": {}}


def test_extra_labs_load_after_the_main_lab(content_dir, write_chapter) -> None:
    write_chapter("01-intro.md", lab="sharding", extra_labs=["rate-limiter", "quota"])
    course = load_course(content_dir, LABS)
    assert course.problems == []
    assert course.chapters[0].extra_labs == ("rate-limiter", "quota")


def test_an_unknown_extra_lab_is_named_with_its_line(content_dir, write_chapter,
                                                     problem_lines) -> None:
    write_chapter("01-intro.md", lab="sharding", extra_labs=["rate-limitr"])
    [problem] = problem_lines(LABS)
    assert problem.startswith("content/01-intro.md:9: lab 'rate-limitr' does not exist")
    assert "did you mean 'rate-limiter'" in problem


def test_extra_labs_must_be_a_list_and_need_a_main_lab(content_dir, write_chapter,
                                                       problem_lines) -> None:
    write_chapter("01-intro.md", extra_labs="quota")
    write_chapter("02-next.md", extra_labs=["quota"])
    problems = problem_lines(LABS)
    assert any("01-intro.md:8: extra_labs: expected a list of distinct lab ids" in p
               for p in problems), problems
    assert "content/02-next.md:8: extra_labs needs a `lab:` first: the chapter's main lab, " \
        "which its box maps" in problems


def test_link_lab_fills_lab_then_extra_labs_and_keeps_the_rest(content_dir,
                                                               write_chapter) -> None:
    path = write_chapter("01-intro.md")
    before = path.read_text()
    assert link_lab(path, "sharding") == "lab"
    assert link_lab(path, "rate-limiter") == "extra_labs"
    assert link_lab(path, "quota") == "extra_labs"
    assert link_lab(path, "quota") == ""
    after = path.read_text()
    assert after.replace("lab: sharding\nextra_labs: [rate-limiter, quota]\n", "") == before
    chapter = load_course(content_dir, LABS).chapters[0]
    assert (chapter.lab, chapter.extra_labs) == ("sharding", ("rate-limiter", "quota"))


def test_link_lab_rewrites_a_block_list_of_extra_labs(content_dir) -> None:
    path = content_dir / "01-intro.md"
    path.write_text("---\ntitle: A Chapter\norder: 1\nlab: sharding\nextra_labs:\n  - quota\n"
                    "minutes: 30\nsummary: One sentence.\nobjectives: [Explain one thing]\n---\n"
                    "## Start\n")
    link_lab(path, "rate-limiter")
    assert "lab: sharding\nextra_labs: [quota, rate-limiter]\nminutes: 30\n" in path.read_text()
    assert load_course(content_dir, LABS).chapters[0].extra_labs == ("quota", "rate-limiter")
