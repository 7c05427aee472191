"""`archlab content check` and `archlab content new`, driven through click's CliRunner."""

from __future__ import annotations

from click.testing import CliRunner

from course import load_course
from webapp.cli import content as content_cli
from webapp.cli import main


def run(*args: str):
    return CliRunner().invoke(main, ["content", *args])


def test_check_exits_1_and_prints_file_line_on_broken_content(content_dir, write_chapter):
    write_chapter("01-intro.md", "[next](02-missing.md)\n")
    result = run("check", "--content-dir", str(content_dir))
    assert result.exit_code == 1, result.output
    assert "content/01-intro.md:9: broken link '02-missing.md'" in result.output
    assert "1 problem(s) in" in result.output


def test_check_exits_0_on_good_content(content_dir, write_chapter):
    write_chapter("01-intro.md")
    write_chapter("02-next.md", "Back to [intro](01-intro.md#start).\n")
    result = run("check", "--content-dir", str(content_dir))
    assert result.exit_code == 0, result.output
    assert "2 chapters in" in result.output
    assert "no problems" in result.output


def test_check_reports_unknown_lab_from_the_labs_catalog(content_dir, write_chapter):
    write_chapter("01-intro.md", lab="no-such-lab-anywhere")
    result = run("check", "--content-dir", str(content_dir))
    assert result.exit_code == 1
    assert "content/01-intro.md:8: lab 'no-such-lab-anywhere' does not exist" in result.output


def test_check_validates_lab_blocks_against_the_labs_real_checks(content_dir, write_chapter):
    body = "Intro.\n\n```lab\n- section: start\n  build: x\n  checks: [no_such_check]\n```\n\n"
    write_chapter("01-intro.md", body + "## Start\n", lab="cache-aside")
    result = run("check", "--content-dir", str(content_dir))
    assert result.exit_code == 1, result.output
    assert "content/01-intro.md:15: lab block: lab 'cache-aside' has no check 'no_such_check'" \
        in result.output
    assert "content/01-intro.md:12: lab block: checks of lab 'cache-aside' in no row: " \
        in result.output


def test_new_scaffolds_a_chapter_that_checks_clean(content_dir, write_chapter):
    write_chapter("01-intro.md")
    result = run("new", "Event Sourcing & CQRS", "--content-dir", str(content_dir))
    assert result.exit_code == 0, result.output
    created = content_dir / "02-event-sourcing-cqrs.md"
    assert created.is_file()
    text = created.read_text()
    assert "## Common mistakes" in text
    assert "## Self-check" in text
    check = run("check", "--content-dir", str(content_dir))
    assert check.exit_code == 0, check.output
    chapter = load_course(content_dir).chapter("event-sourcing-cqrs")
    assert chapter.title == "Event Sourcing & CQRS"
    assert len(chapter.quiz.questions) == 1


def test_new_with_order_and_lab(content_dir, monkeypatch):
    monkeypatch.setattr(content_cli, "known_labs", lambda: {"cache-aside": {}})
    result = run(
        "new", "Caching", "--order", "5", "--lab", "cache-aside", "--content-dir", str(content_dir)
    )
    assert result.exit_code == 0, result.output
    chapter = load_course(content_dir, {"cache-aside": {}}).chapter("caching")
    assert (chapter.path.name, chapter.order, chapter.lab) == ("05-caching.md", 5, "cache-aside")


def test_new_refuses_to_overwrite_or_reuse_order(content_dir, write_chapter):
    original = write_chapter("03-caching.md")
    before = original.read_text()
    taken_slug = run("new", "Caching", "--order", "4", "--content-dir", str(content_dir))
    assert taken_slug.exit_code == 1
    assert "slug 'caching' is taken by 03-caching.md" in taken_slug.output
    taken_order = run("new", "Queues", "--order", "3", "--content-dir", str(content_dir))
    assert taken_order.exit_code == 1
    assert "order 3 is taken by 03-caching.md" in taken_order.output
    assert original.read_text() == before


def test_new_rejects_unknown_lab(content_dir):
    result = run("new", "Caching", "--lab", "nope-lab", "--content-dir", str(content_dir))
    assert result.exit_code == 2
    assert "no lab with id 'nope-lab'" in result.output
    assert not any(content_dir.iterdir())
