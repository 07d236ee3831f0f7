"""Bug hunt: "I tied the embedding and the output layer, but the model has twice the weights".

A colleague writes a tiny next-token language model. Following the usual trick ("weight
tying", as in GPT-2), the output layer that turns a hidden vector back into one score per
vocabulary word should use the very same ``(vocab_size, dim)`` matrix as the input embedding:
one matrix, trained by both uses. Nothing crashes, but they report:

    "The parameter count is vocab_size * dim higher than I computed, and so is the size of the
    checkpoint. After a few hundred steps, model.embed.weight and model.head.weight are no
    longer equal, although they start out identical."

Find the bug and fix it, changing as little as possible. The contract (the spec checks it):

- ``TinyLM(vocab_size, dim)`` with ``embed`` (``nn.Embedding(vocab_size, dim)``), ``mix``
  (``nn.Linear(dim, dim)``) and ``head`` (``nn.Linear(dim, vocab_size, bias=False)``) whose
  weight *is* the embedding's weight: one parameter, counted once, updated once per step with
  the sum of the gradients of both uses.
- ``forward(tokens)``: ``(B, T)`` int64 token ids to ``(B, T, vocab_size)`` logits,
  ``head(tanh(mix(embed(tokens))))``.

Check it: ``kata check bugs/untied-weights``.
"""

from __future__ import annotations

import torch
from torch import nn


class TinyLM(nn.Module):
    def __init__(self, vocab_size: int, dim: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, dim)
        self.mix = nn.Linear(dim, dim)
        self.head = nn.Linear(dim, vocab_size, bias=False)
        self.head.weight.data.copy_(self.embed.weight.data)  # tie input and output embeddings

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.head(torch.tanh(self.mix(self.embed(tokens))))
