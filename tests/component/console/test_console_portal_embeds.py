"""The portal's embeds (`/c/{workspace}/embed/…`) in front of the real identity and feedback
(real store and broker), on the portal's own stage (test_console_portal.py): any site may
frame them while every other page still refuses frames; they set no cookie and hold no
form; the board's top ideas and one idea with its votes, in English or French; a held,
rejected or unknown idea is a 404; staff copy the code from the Community screen."""

from __future__ import annotations

import html
import re

from component.console.test_console_portal import (  # noqa: F401 (the module's stage)
    Community,
    community,
)
from support.console import Browser
from support.identity import ADMIN_EMAIL, PASSWORD

EMBED = "/c/acme/embed"
SITE = "https://console.example.org"


def listed(page: str) -> list[str]:
    """The ideas' titles in a board embed, in order."""
    found = re.findall(r'<li>\s*<a href="/c/acme/ideas/[^"]+"[^>]*>([^<]+)</a>', page)
    return [html.unescape(title) for title in found]


def words(page: str) -> str:
    """The page's text, tags removed, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def links_open_a_new_tab(page: str) -> bool:
    links = re.findall(r"<a [^>]*>", page)
    return bool(links) and all('target="_blank" rel="noopener"' in link for link in links)


def code_in(page: str, name: str) -> str:
    """The text of the page's `<textarea id=name>`: the code a person copies."""
    found = re.search(rf'<textarea id="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, f"no {name} on the page"
    return html.unescape(found.group(1))


async def test_any_site_may_frame_an_embed_which_sets_no_cookie_and_other_pages_refuse_frames(
    community: Community,  # noqa: F811
) -> None:
    maps = community.ideas["maps"]
    async with community.console.browser() as browser:
        embeds = (f"{EMBED}/board", f"{EMBED}/roadmap", f"{EMBED}/ideas/{maps}")
        for path in (*embeds, f"{EMBED}/ideas/unknown"):
            embed = await browser.get(path)
            assert embed.status_code in (200, 404), path
            assert embed.headers["content-security-policy"].endswith("frame-ancestors *")
            assert "x-frame-options" not in embed.headers, path
            assert "set-cookie" not in embed.headers, path
            assert "<form" not in embed.text, path
            assert "csrf_token" not in embed.text, path
        assert not browser.http.cookies.jar  # nothing stored by an embed
        for path in ("/c/acme/", f"/c/acme/ideas/{maps}", "/sign-in"):
            page = await browser.get(path)
            assert page.status_code == 200, path
            assert page.headers["x-frame-options"] == "DENY", path
            assert page.headers["content-security-policy"].endswith("frame-ancestors 'none'")
        assert browser.http.cookies.jar  # the portal itself binds its forms to a cookie

        script = await browser.get("/c/acme/embed.js")
        assert script.status_code == 200
        assert script.headers["content-type"].startswith("text/javascript")
        assert script.headers["cache-control"] == "public, max-age=3600"
        assert "ensemble:embed-height" in script.text
        assert "event.origin !== origin" in script.text


async def test_the_board_embed_shows_the_top_published_ideas_in_the_asked_language(
    community: Community,  # noqa: F811
) -> None:
    async with community.console.browser() as browser:
        board = await browser.get(f"{EMBED}/board")
        assert board.status_code == 200, board.text[:500]
        assert '<html lang="en">' in board.text
        assert "<title>Ideas · acme</title>" in board.text
        shown = listed(board.text)
        assert shown[0] == "Offline maps for hikers"  # the most votes first
        assert shown.index("Export my data as CSV") < shown.index("Dark mode for the app")
        assert "Votes: 3 · Planned" in words(board.text)
        assert links_open_a_new_tab(board.text)
        assert 'href="/c/acme/submit"' in board.text
        assert "pico" not in board.text  # light: its own CSS only, no htmx
        assert "htmx" not in board.text
        assert len(listed((await browser.get(f"{EMBED}/board?limit=2")).text)) == 2
        newest = listed((await browser.get(f"{EMBED}/board?sort=new")).text)
        assert newest[0] == "Dark mode for the app"
        assert (await browser.get(f"{EMBED}/board?limit=50")).status_code == 400

        french = await browser.get(f"{EMBED}/board?lang=fr")
        assert '<html lang="fr">' in french.text
        assert "Les idées de la communauté acme" in french.text
        assert "Votes : 3 · Prévue" in words(french.text)
        unknown_language = await browser.get(f"{EMBED}/board?lang=de")
        assert '<html lang="en">' in unknown_language.text  # the browser's then
    async with community.console.browser("fr-FR,fr;q=0.9") as french_browser:
        by_browser = await french_browser.get(f"{EMBED}/board")
        assert '<html lang="fr">' in by_browser.text
        english = await french_browser.get(f"{EMBED}/board?lang=en")
        assert '<html lang="en">' in english.text


async def test_the_roadmap_embed_shows_each_column_in_the_asked_language(
    community: Community,  # noqa: F811
) -> None:
    async with community.console.browser() as browser:
        roadmap = await browser.get(f"{EMBED}/roadmap")
        assert roadmap.status_code == 200, roadmap.text[:500]
        assert "<title>Roadmap · acme</title>" in roadmap.text
        planned = roadmap.text.split('id="col-planned"')[1].split("</section>")[0]
        assert listed(planned) == ["Offline maps for hikers"]
        assert "Votes: 3" in words(planned)
        for column in ("in_progress", "done"):
            empty = roadmap.text.split(f'id="col-{column}"')[1].split("</section>")[0]
            assert "Nothing here yet." in words(empty)
        assert links_open_a_new_tab(roadmap.text)
        assert 'href="/c/acme/roadmap"' in roadmap.text
        assert (await browser.get(f"{EMBED}/roadmap?limit=21")).status_code == 400
        french = await browser.get(f"{EMBED}/roadmap?lang=fr")
        assert "La feuille de route de acme, à partir des idées de la communauté" in french.text
        assert "Prévue" in words(french.text)


async def test_an_idea_embed_shows_its_votes_and_a_vote_button_opening_its_portal_page(
    community: Community,  # noqa: F811
) -> None:
    maps = community.ideas["maps"]
    async with community.console.browser() as browser:
        idea = await browser.get(f"{EMBED}/ideas/{maps}")
        assert idea.status_code == 200, idea.text[:500]
        assert "<title>Offline maps for hikers · acme</title>" in idea.text
        assert "Votes: 3 · Planned · Idea" in words(idea.text)
        assert links_open_a_new_tab(idea.text)
        vote = re.search(r'<a class="button" href="([^"]+)"[^>]*>Vote for this idea', idea.text)
        assert vote
        assert vote.group(1) == f"/c/acme/ideas/{maps}#vote"
        portal = await browser.get(vote.group(1).split("#")[0])
        assert '<footer class="actions" id="vote">' in portal.text  # where the link lands
        french = await browser.get(f"{EMBED}/ideas/{maps}?lang=fr")
        assert "Voter pour cette idée" in french.text
        assert "(ouvre le site de la communauté)" in french.text


async def test_a_held_rejected_or_unknown_idea_is_never_shown_in_an_embed(
    community: Community,  # noqa: F811
) -> None:
    _, newcomer = await community.feedback.join("Nina Newcomer")
    held = await community.idea(newcomer, "Held back secret plans")
    _, second = await community.feedback.join("Oli Newcomer")
    rejected = await community.idea(second, "Buy followers cheap")
    await community.api("POST", f"/moderation/items/submission:{rejected}/reject", reason="Spam")
    async with community.console.browser() as browser:
        for idea_id in (held, rejected, "s_unknown"):
            missing = await browser.get(f"{EMBED}/ideas/{idea_id}")
            assert missing.status_code == 404, idea_id
            assert "Idea not found" in missing.text
            assert "secret plans" not in missing.text
            assert "followers" not in missing.text
        french = await browser.get(f"{EMBED}/ideas/{held}?lang=fr")
        assert (french.status_code, "Idée introuvable" in french.text) == (404, True)
        board = await browser.get(f"{EMBED}/board?sort=new&limit=20")
        assert "Held back secret plans" not in listed(board.text)
        assert "Buy followers cheap" not in listed(board.text)
        assert (await browser.get(f"{EMBED}/ideas/..%2Fboard")).status_code in (400, 404)


async def staff_browser(browser: Browser) -> None:
    opened = await browser.submit(
        "/sign-in", "/sign-in", {"email": ADMIN_EMAIL, "password": PASSWORD}
    )
    assert opened.status_code == 303, opened.text[:500]


async def test_staff_copy_the_code_of_the_board_or_of_one_idea_with_a_preview(
    community: Community,  # noqa: F811
) -> None:
    maps = community.ideas["maps"]
    page = "/w/acme/community/embeds"
    async with community.console.browser() as anonymous:
        assert (await anonymous.get(page)).status_code == 303  # to the sign-in
        portal_idea = await anonymous.get(f"/c/acme/ideas/{maps}")
        assert "Embed this idea" not in portal_idea.text
    async with community.console.browser() as browser:
        await staff_browser(browser)
        shown = await browser.get(page)
        assert shown.status_code == 200, shown.text[:500]
        assert shown.headers["x-frame-options"] == "DENY"
        assert code_in(shown.text, "board-code") == (
            f'<iframe src="{SITE}/c/acme/embed/board?sort=top&amp;limit=5"'
            ' title="Ideas of the acme community" width="100%" height="420" style="border:0"'
            ' loading="lazy" data-ensemble-embed></iframe>\n'
            f'<script src="{SITE}/c/acme/embed.js" async></script>'
        )
        assert '<iframe src="https://console.example.org/c/acme/embed/board?' in shown.text
        assert code_in(shown.text, "roadmap-code").startswith(
            f'<iframe src="{SITE}/c/acme/embed/roadmap?limit=5"'
            ' title="The acme roadmap, from the community&#x27;s ideas" width="100%" height="560"'
        )
        assert "Offline maps for hikers" in shown.text  # offered as one idea to embed

        from_portal = await browser.get(f"/c/acme/ideas/{maps}")
        link = re.search(r'<a href="([^"]+)">Embed this idea on your site</a>', from_portal.text)
        assert link
        assert link.group(1) == f"{page}?idea={maps}"
        chosen = await browser.get(f"{page}?idea={maps}&lang=fr&sort=new&limit=3")
        code = code_in(chosen.text, "idea-code")
        assert code.startswith(
            f'<iframe src="{SITE}/c/acme/embed/ideas/{maps}?lang=fr"'
            ' title="Offline maps for hikers" width="100%" height="260"'
        )
        board_code = code_in(chosen.text, "board-code")
        assert "embed/board?sort=new&amp;limit=3&amp;lang=fr" in board_code

        _, newcomer = await community.feedback.join("Pia Newcomer")
        held = await community.idea(newcomer, "Not public yet")
        refused = await browser.get(f"{page}?idea={held}")
        assert refused.status_code == 200
        assert "This idea is not on the public board" in refused.text
        assert 'id="idea-code"' not in refused.text
        assert (await browser.get(f"{page}?limit=99")).status_code == 400
