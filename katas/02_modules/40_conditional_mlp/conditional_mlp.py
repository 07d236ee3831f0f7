"""ConditionalMLP: an MLP whose every layer is told an extra input.

A conditional model computes ``f(x | c)``: the same network behaves differently depending on a
condition ``c``, such as the class a generator should draw, the diffusion time step, or the
machine a sensor reading came from. The simplest way in is to concatenate ``c`` to the input;
but after a few layers the network may wash it out, so deeper models join the condition again
at every layer.

Write ``ConditionalMLP(in_features, cond_dim, hidden, out_features, depth=2)``, an
``nn.Module`` with:

- ``layers``: an ``nn.ModuleList`` of ``depth`` ``nn.Linear`` layers, each producing
  ``hidden`` features. Layer 0 reads ``in_features + cond_dim`` inputs, the others
  ``hidden + cond_dim``;
- ``head``: ``nn.Linear(hidden, out_features)``.

``forward(x, cond)``: ``x`` is ``(B, in_features)``; ``cond`` is ``(B, cond_dim)``, one
condition per sample, or ``(cond_dim,)``, one condition for the whole batch (spread it over the
batch without copying). Starting with ``h = x``, each hidden layer computes
``h = relu(layer([h, cond]))`` (the condition joined after ``h`` on the feature dim); the result
is ``head(h)``, of shape ``(B, out_features)``. Sample ``i``'s output depends on ``x[i]`` and its
own condition only.

The spec checks the parameter count against
``(in_features + cond_dim) * hidden + hidden + (depth - 1) * ((hidden + cond_dim) * hidden +
hidden) + hidden * out_features + out_features``.

Check it: ``kata check modules/conditional-mlp``.
"""

from __future__ import annotations

import torch
from torch import nn


class ConditionalMLP(nn.Module):
    def __init__(
        self, in_features: int, cond_dim: int, hidden: int, out_features: int, depth: int = 2
    ) -> None:
        super().__init__()
        raise NotImplementedError("ConditionalMLP.__init__: a ModuleList of layers, and a head")

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("ConditionalMLP.forward: join cond before every hidden layer")
