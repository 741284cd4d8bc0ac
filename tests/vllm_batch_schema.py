"""vLLM's batch file schema, transcribed from its documented pydantic models
(``vllm/entrypoints/openai/protocol.py``: ``BatchRequestInput``, ``BatchResponseData``,
``BatchRequestOutput``; the request body is its ``ChatCompletionRequest``, of which the
fields planbench sends are listed; vLLM's own base model ignores unknown fields with a
warning, these refuse them, so a field vLLM would not understand fails here).

vLLM is a GPU server of several gigabytes: the tests check our files against its schema,
not against a running ``vllm run-batch``.
"""

from __future__ import annotations

from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChatMessageParam(Strict):
    role: Literal["system", "user", "assistant", "developer"]
    content: str


class ChatCompletionRequest(Strict):  # the fields of vLLM's request that planbench uses
    model: Optional[str] = None
    messages: list[ChatMessageParam]
    max_tokens: Optional[int] = Field(default=None, ge=1)
    max_completion_tokens: Optional[int] = Field(default=None, ge=1)
    temperature: Optional[float] = Field(default=None, ge=0)
    reasoning_effort: Optional[Literal["low", "medium", "high"]] = None


class BatchRequestInput(Strict):
    """The per-line object of the batch input file (vLLM: only POST to /v1/chat/completions
    among the endpoints planbench uses)."""

    custom_id: str
    method: Literal["POST"]
    url: Literal["/v1/chat/completions"]
    body: ChatCompletionRequest


class ChatMessage(BaseModel):
    role: str
    content: Optional[str] = None
    reasoning_content: Optional[str] = None


class ChatCompletionResponseChoice(BaseModel):
    index: int
    message: ChatMessage
    logprobs: Optional[Any] = None
    finish_reason: Optional[str] = "stop"
    stop_reason: Optional[Union[int, str]] = None


class UsageInfo(BaseModel):
    prompt_tokens: int = 0
    total_tokens: int = 0
    completion_tokens: Optional[int] = 0
    prompt_tokens_details: Optional[Any] = None


class ChatCompletionResponse(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatCompletionResponseChoice]
    usage: UsageInfo
    prompt_logprobs: Optional[Any] = None


class BatchResponseData(BaseModel):
    status_code: int = 200
    request_id: str
    body: Optional[ChatCompletionResponse] = None


class BatchRequestOutput(BaseModel):
    """The per-line object of the batch output and error files."""

    id: str
    custom_id: str
    response: Optional[BatchResponseData]
    error: Optional[Any]
