"""Internal links resolve (anchors included) and are rewritten to the site's URLs."""

from __future__ import annotations

from course import load_course

# write_chapter bodies start on line 9 of the file


def test_chapter_link_with_anchor_is_rewritten_to_site_url(content_dir, write_chapter):
    write_chapter("01-intro.md", "See [caching](02-caching.md#stampedes).\n")
    write_chapter("02-caching.md", "## Stampedes\n", slug="cache")
    course = load_course(content_dir)
    assert course.problems == []
    assert '<a href="/chapters/cache#stampedes">caching</a>' in course.chapter("intro").html


def test_link_to_missing_chapter_names_file_and_line(write_chapter, problem_lines):
    write_chapter("01-intro.md", "Intro.\n\nRead [next](02-next.md) later.\n")
    assert problem_lines() == [
        "content/01-intro.md:11: broken link '02-next.md': no chapter file '02-next.md'"
    ]


def test_link_to_missing_anchor_in_other_chapter(write_chapter, problem_lines):
    write_chapter("01-intro.md", "[x](02-caching.md#nowhere)\n")
    write_chapter("02-caching.md", "## Somewhere\n")
    assert problem_lines() == [
        "content/01-intro.md:9: broken link '02-caching.md#nowhere': "
        "02-caching.md has no heading with id 'nowhere'"
    ]


def test_in_page_anchor_must_exist(write_chapter, problem_lines):
    write_chapter("01-intro.md", "## Real heading\n\n[ok](#real-heading) [bad](#fake)\n")
    assert problem_lines() == [
        "content/01-intro.md:11: broken link '#fake': no heading or element with id 'fake' here"
    ]


def test_missing_image_is_reported_and_present_image_rewritten(content_dir, write_chapter):
    (content_dir / "images").mkdir()
    (content_dir / "images" / "ok.svg").write_text("<svg/>")
    write_chapter("01-intro.md", "![fine](images/ok.svg)\n\n![gone](images/missing.png)\n")
    course = load_course(content_dir)
    assert [str(p) for p in course.problems] == [
        "content/01-intro.md:11: missing image 'images/missing.png': no such file under content/"
    ]
    assert 'src="/content-assets/images/ok.svg"' in course.chapters[0].html


def test_image_path_cannot_escape_the_content_dir(content_dir, write_chapter, problem_lines):
    (content_dir.parent / "secret.png").write_text("x")
    write_chapter("01-intro.md", "![x](images/../../secret.png)\n")
    assert "missing image" in problem_lines()[0]


def test_links_in_code_external_links_and_reference_links(write_chapter, problem_lines):
    fence = "```"
    body = (
        "`[not a link](03-none.md)` and [web](https://example.com/a.md)\n\n"
        f"{fence}markdown\n[also not](04-none.md)\n{fence}\n\n"
        "[ref]: 05-none.md\n\n"
        "A claim[^1].\n\n[^1]: A footnote, not a link definition.\n"
    )
    write_chapter("01-intro.md", body)
    assert problem_lines() == [
        "content/01-intro.md:15: broken link '05-none.md': no chapter file '05-none.md'"
    ]


def test_other_relative_links_are_unsupported(write_chapter, problem_lines):
    write_chapter("01-intro.md", "[notes](notes.txt)\n")
    assert problem_lines() == [
        "content/01-intro.md:9: unsupported link 'notes.txt': link chapters as "
        "NN-slug.md[#anchor] and images as images/name"
    ]
