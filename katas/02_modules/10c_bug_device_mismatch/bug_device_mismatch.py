"""Bug hunt: "it trains on my laptop, but on the GPU box it crashes in forward".

A bag-of-words sentence classifier: embed every token of a sentence, average the embeddings of
the sentence's real tokens, and classify the average with a linear head. A batch of sentences
is padded to the longest one, so each batch comes with ``lengths``, the number of real tokens
per sentence; the padding positions must not count in the average.

It trains fine on the CPU. On the GPU machine the colleague moves the model with
``model.to("cuda")`` and every batch with ``tokens.to("cuda")``, ``lengths.to("cuda")``, and
the first forward pass dies with::

    RuntimeError: Expected all tensors to be on the same device, but found at least two
    devices, cuda:0 and cpu!

Find the bug and fix it, changing as little as possible, so that the same code runs on
whatever device the model and its inputs are on. No GPU here? The spec uses the ``meta``
device: tensors with a shape and a dtype but no data. Mixing meta and CPU tensors fails just
as mixing CUDA and CPU tensors does, so a model and inputs on meta reproduce the crash.

The contract (the spec checks it):

- ``masked_mean(x, lengths)``: ``x`` is ``(B, T, D)`` float, ``lengths`` is ``(B,)`` int64
  with ``1 <= lengths[i] <= T``; returns ``(B, D)``, row ``i`` the mean of ``x[i, :lengths[i]]``,
  on the device of ``x`` and in its dtype.
- ``BagOfWordsClassifier(vocab_size, embed_dim, num_classes)`` with submodules ``embed``
  (``nn.Embedding``) and ``head`` (``nn.Linear``); ``forward(tokens, lengths)`` takes
  ``(B, T)`` int64 token ids and ``(B,)`` lengths and returns ``(B, num_classes)`` logits on the
  device of the model and the inputs.

Check it: ``kata check bugs/device-mismatch``. Its GPU test runs only where CUDA is present.
"""

from __future__ import annotations

import torch
from torch import nn


def masked_mean(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Average ``x`` over its first ``lengths[i]`` positions, sentence by sentence."""
    positions = torch.arange(x.shape[1])
    mask = positions[None, :] < lengths[:, None]  # (B, T): True on real tokens
    summed = (x * mask[..., None]).sum(dim=1)
    return summed / lengths[:, None]


class BagOfWordsClassifier(nn.Module):
    def __init__(self, vocab_size: int, embed_dim: int, num_classes: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.head = nn.Linear(embed_dim, num_classes)

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.head(masked_mean(self.embed(tokens), lengths))
