"""The sources screen without JavaScript (plain forms), against the real identity and ingest:
a new source's secret shown once on the form's answer, health, pause and resume, the raw
payload archive by status with cursor pages, and re-drive of a pending payload."""

from __future__ import annotations

import re

from support.console_ops import Ops
from support.mentions import mention_body, signed

SECRET = re.compile(r'<code id="new-secret">(whsec_[^<]+)</code>')


async def test_an_admin_connects_a_source_pauses_it_and_redrives_a_pending_payload(
    ops: Ops,
) -> None:
    async with ops.admin() as browser:
        created = await browser.submit(
            "/w/acme/sources", "/w/acme/sources", {"name": "Community forum", "platform": "generic"}
        )
        assert created.status_code == 201, created.text[:500]
        assert "location" not in created.headers
        assert created.headers["hx-push-url"] == "false"
        found = SECRET.search(created.text)
        assert found, "the secret is shown on the form's answer"
        listed = await browser.get("/w/acme/sources")
        assert found.group(1) not in listed.text  # shown once
        assert "Community forum" in listed.text
        sources = (await ops.ingest.client.get("/sources", headers=ops.ingest.admin)).json()
        [source] = [s for s in sources if s["name"] == "Community forum"]
        source["secret"] = found.group(1)
        assert f"The platform posts to {source['webhook_path']}." in listed.text

        # The secret works: a signed mention is accepted and archived as processed.
        await ops.ingest.send(source, "forum-1", text="Love the new app")
        crashed = await ops.crashed_payload(source, mention_body("forum-2"))

        paused = await browser.submit(
            "/w/acme/sources", f"/w/acme/sources/{source['id']}/enabled", {"enabled": "off"}
        )
        assert paused.headers["location"] == "/w/acme/sources?notice=source_disabled"
        shown = await browser.get(paused.headers["location"])
        assert "The source is paused." in shown.text
        assert "Resume Community forum" in shown.text
        body = mention_body("forum-3")
        refused = await ops.ingest.post(source, body, signed(source["secret"], body))
        assert refused.status_code == 404
        resumed = await browser.submit(
            "/w/acme/sources", f"/w/acme/sources/{source['id']}/enabled", {"enabled": "on"}
        )
        assert resumed.headers["location"] == "/w/acme/sources?notice=source_enabled"

        raw = f"/w/acme/sources/{source['id']}/raw"
        for _ in range(2):  # looking changes nothing
            everything = await browser.get(raw)
            assert everything.status_code == 200
            assert everything.text.count("<td>Pending") == 1
            assert everything.text.count("<td>Processed") == 1
        pending = await browser.get(f"{raw}?status=pending")
        assert crashed in pending.text
        assert "Processed" not in pending.text.split("<tbody>")[1]
        assert await ops.ingest.count("mentions") == 1
        redriven = await browser.submit(f"{raw}?status=pending", f"{raw}/{crashed}/redrive", {})
        assert redriven.headers["location"] == f"{raw}?notice=raw_redriven"
        assert (
            "The payload is processed again."
            in (await browser.get(redriven.headers["location"])).text
        )
        assert await ops.ingest.count("mentions") == 2
        again = await browser.submit(raw, f"{raw}/{crashed}/redrive", {})
        assert again.headers["location"] == f"{raw}?notice=raw_already_settled"
        assert "Nothing here." in (await browser.get(f"{raw}?status=pending")).text
        assert (await browser.get(f"{raw}?status=lost")).status_code == 400
        assert (await browser.get(f"{raw}?cursor=made-up")).status_code == 400
        assert (await browser.get("/w/acme/sources/nope/raw")).status_code == 404


async def test_raw_payloads_come_in_cursor_pages_and_a_bad_form_is_a_422(ops: Ops) -> None:
    async with ops.admin("fr") as browser:
        source = await ops.ingest.source()
        for n in range(27):  # the console asks for 25 a page
            await ops.crashed_payload(source, mention_body(f"bulk-{n}"))
        raw = f"/w/acme/sources/{source['id']}/raw"
        first = await browser.get(raw)
        assert '<html lang="fr"' in first.text
        assert "Contenus bruts de forum" in first.text
        assert first.text.count("Retraiter") == 25
        older = re.search(r'href="\?cursor=([^"]+)"', first.text)
        assert older, "a link to the next page"
        second = await browser.get(f"{raw}?cursor={older.group(1)}")
        assert second.text.count("Retraiter") == 2
        assert "Contenus plus anciens" not in second.text
        bad = await browser.submit(
            "/w/acme/sources",
            "/w/acme/sources",
            {"name": "News", "platform": "rss", "feed_url": "not a url"},
        )
        assert bad.status_code == 422
        assert "un flux RSS a besoin de son adresse" in bad.text
