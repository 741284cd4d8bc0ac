"""OpenAI's Files and Batch API through the official SDK (any endpoint that serves them).

Calls here are few and not urgent (an upload, a create, a poll every half minute), so the
SDK's own retries with backoff are left on, unlike the live runner which counts its own.
Errors come back as :class:`~planbench.errors.InputError` naming the batch and saying that
nothing recorded is lost; the API key is blanked out of every message.
"""

from __future__ import annotations

import os
from pathlib import Path

from planbench.errors import InputError
from planbench.redact import redact

TERMINAL = ("completed", "failed", "expired", "cancelled")
FIND_LIMIT = 1_000  # batches looked through for one whose id was not recorded


class BatchAPI:
    def __init__(self, base_url: str | None, api_key: str | None, timeout: float = 600.0, max_retries: int = 5):
        import openai

        self.secret = api_key
        self.client = openai.OpenAI(api_key=api_key or "not-needed", base_url=base_url, timeout=timeout,
                                    max_retries=max_retries)
        # Resolved as the live client resolves it: request keys built with it match a live run's.
        self.base_url = str(self.client.base_url).rstrip("/")

    def _fail(self, what: str, error: Exception, hint: str = "") -> InputError:
        message = redact(str(error), self.secret)
        status = getattr(error, "status_code", None)
        text = f"{type(error).__name__}" + (f" {status}" if status else "") + f": {message.splitlines()[0][:200]}"
        return InputError(self.base_url, 0, f"{what}: {text}" + (f"; {hint}" if hint else ""))

    def upload(self, path: Path) -> str:
        """The file id of ``path`` uploaded for a batch."""
        try:
            with open(path, "rb") as handle:
                return self.client.files.create(file=(path.name, handle), purpose="batch").id
        except Exception as error:  # noqa: BLE001 - every SDK failure becomes one clear line
            raise self._fail(f"cannot upload {path}", error, "nothing was submitted; run the same command again") from None

    def create(self, input_file_id: str, endpoint: str, metadata: dict) -> object:
        try:
            return self.client.batches.create(input_file_id=input_file_id, endpoint=endpoint, completion_window="24h",
                                              metadata=metadata)
        except Exception as error:  # noqa: BLE001
            raise self._fail(f"cannot create a batch from {input_file_id}", error,
                             "run the same command again: a batch created before the failure is found, not made twice"
                             ) from None

    def find(self, input_file_id: str) -> object | None:
        """The batch made from ``input_file_id``, if any: a run killed between creating a
        batch and recording its id finds it here instead of submitting it again."""
        try:
            for number, batch in enumerate(self.client.batches.list(limit=100)):
                if batch.input_file_id == input_file_id:
                    return batch
                if number >= FIND_LIMIT:
                    break
        except Exception as error:  # noqa: BLE001
            raise self._fail("cannot list batches (to find one whose id was not recorded)", error,
                             "nothing was submitted again; run the same command later") from None
        return None

    def retrieve(self, batch_id: str, ledger: Path) -> object:
        try:
            return self.client.batches.retrieve(batch_id)
        except Exception as error:  # noqa: BLE001
            raise self._fail(f"cannot check batch {batch_id}", error,
                             f"it is recorded in {ledger}: 'planbench resume' collects it") from None

    def download(self, file_id: str, path: Path, ledger: Path) -> Path:
        """The file's content at ``path``, whole or not at all (written aside, then renamed)."""
        partial = path.with_name(path.name + ".part")
        try:
            content = self.client.files.content(file_id)
            with open(partial, "wb") as out:
                for chunk in content.iter_bytes():
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except Exception as error:  # noqa: BLE001
            raise self._fail(f"cannot download {file_id}", error,
                             f"the batch is recorded in {ledger}: 'planbench resume' downloads it") from None
        partial.replace(path)
        return path
