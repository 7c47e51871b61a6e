"""Identity sends its own email (sign-in must not wait behind notify's queue): a message is
queued in the store, sent at once by the replica that queued it, and retried with backoff by
whichever replica sweeps it if that first attempt failed or its sender died.

Attempts are claimed by a unique insert, so two replicas never send the same attempt; the
claim's age is a lease, after which a silent attempt counts as failed. The rendered body holds
a sign-in link, so it is stored encrypted with the key-encryption key and deleted once sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta

from cryptography.fernet import MultiFernet

from ensemble_identity.email.smtp import SendFailed, SmtpSender
from ensemble_identity.email.templates import Rendered
from ensemble_identity.storage import EmailQueue
from ensemble_shared.events import new_id, utcnow
from ensemble_shared.retries import Backoff
from ensemble_shared.runtime import repeat
from ensemble_shared.storage import Document

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)


class Mailer:
    def __init__(
        self,
        queue: EmailQueue,
        sender: SmtpSender,
        fernet: MultiFernet,
        *,
        owner: str,
        max_attempts: int,
        retry_seconds: float,
    ) -> None:
        self._queue = queue
        self._sender = sender
        self._fernet = fernet
        self._owner = owner
        self._max_attempts = max_attempts
        self._backoff = Backoff(base_seconds=retry_seconds, max_seconds=3600.0)
        self._tasks: set[asyncio.Task[None]] = set()

    async def send(self, to: str, message: Rendered) -> str:
        """Queue `message` and start sending it; returns the email id (the Message-ID seed)."""
        now = utcnow()
        body = json.dumps(
            {"subject": message.subject, "text": message.text, "html": message.html}
        ).encode()
        document = {
            "_id": new_id(),
            "to": to,
            "language": message.language,
            "body": self._fernet.encrypt(body).decode(),
            "attempt": 0,
            "created_at": now,
            "next_at": now + LEASE,  # the sweep leaves the first attempt to us
            "last_error": None,
        }
        await self._queue.insert(document)
        task = asyncio.create_task(self._attempt(document))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return str(document["_id"])

    async def sweep_once(self) -> int:
        """Send what is due: retries, and first attempts whose sender vanished."""
        sent = 0
        for document in await self._queue.due(utcnow()):
            claimed_at = await self._queue.claimed_at(document["_id"], document["attempt"])
            if claimed_at is not None:
                if claimed_at + LEASE < utcnow():  # its sender died mid-attempt
                    await self._failed(document, "the attempt's sender vanished")
                continue
            await self._attempt(document)
            sent += 1
        return sent

    async def run(self, every: float) -> None:
        await repeat(self.sweep_once, every=every, what="email sweep")

    async def drain(self) -> None:
        """Let attempts in flight finish (at shutdown)."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=10)

    async def _attempt(self, document: Document) -> None:
        email_id, attempt = str(document["_id"]), int(document["attempt"])
        if not await self._queue.claim(email_id, attempt, self._owner):
            return
        body = json.loads(self._fernet.decrypt(document["body"].encode()))
        message = Rendered(language=document["language"], **body)
        try:
            await self._sender.send(email_id, document["to"], message)
        except SendFailed as exc:
            log.warning("email %s attempt %d failed: %s", email_id, attempt, exc)
            if exc.permanent:
                await self._queue.remove(email_id)
            else:
                await self._failed(document, str(exc))
            return
        except Exception as exc:  # a bug must not leave the message unsent silently
            log.exception("email %s attempt %d crashed", email_id, attempt)
            await self._failed(document, repr(exc))
            return
        await self._queue.remove(email_id)

    async def _failed(self, document: Document, error: str) -> None:
        attempt = int(document["attempt"]) + 1
        if attempt >= self._max_attempts:
            log.error("email %s to %s given up: %s", document["_id"], document["to"], error)
            await self._queue.remove(str(document["_id"]))
            return
        delay = self._backoff.delay(attempt)
        await self._queue.reschedule(
            str(document["_id"]),
            attempt=attempt,
            next_at=utcnow() + timedelta(seconds=delay),
            error=error[:500],
        )
