"""Write your own nn.Module: parameters, buffers and submodules.

Every model in PyTorch is an ``nn.Module``, and a module owns three kinds of things:

- **parameters** (``nn.Parameter``): tensors the optimizer trains. They show up in
  ``parameters()`` / ``named_parameters()``, get ``.grad`` after ``backward()``.
- **buffers** (``register_buffer``): state that is saved and moved with the model but never
  trained, such as BatchNorm's running statistics or a fixed normalisation.
- **submodules**: modules assigned as attributes; their parameters and buffers appear under
  the attribute's name (``head.weight``).

A tensor kept as a plain attribute is none of these: ``state_dict()`` forgets it and
``.to(device)`` leaves it behind. Registering things properly is what makes checkpoints,
device moves and optimizers work.

Write:

1. ``Standardize(mean, std)``: an ``nn.Module`` with no parameters and two buffers named
   ``mean`` and ``std`` (its own copies of the given ``(F,)`` tensors: later changes to the
   caller's tensors must not reach them). ``forward(x)`` maps ``(B, F)`` to
   ``(x - mean) / std``.
2. ``TinyRegressor(mean, std, hidden, out_features)``, with ``F = mean.numel()`` inputs:

   - submodule ``norm``: a ``Standardize(mean, std)``;
   - parameters ``weight`` ``(hidden, F)``, standard normal samples divided by ``sqrt(F)``
     (draw them from torch's default generator), and ``bias`` ``(hidden,)``, zeros;
   - submodule ``head``: ``nn.Linear(hidden, out_features)``;
   - buffer ``seen``: a 0-dim ``int64`` tensor starting at 0. In training mode (and only
     then) each forward pass adds the batch size to it in place, the way BatchNorm counts
     ``num_batches_tracked``.

   ``forward(x)``: ``(B, F)`` -> ``(B, out_features)``, equal to
   ``head(relu(norm(x) @ weight.T + bias))``.
3. ``count_parameters(module)``: the number of trainable numbers in any module (parameters
   with ``requires_grad``; buffers are not parameters).

The spec checks ``named_parameters`` against ``named_buffers``, the ``state_dict`` keys, that
an optimizer step trains parameters and leaves buffers alone, that ``.to()`` moves and casts
the buffers, and the forward pass for several sizes and seeds.

Check it: ``kata check modules/custom-module``.
"""

from __future__ import annotations

import torch
from torch import nn


class Standardize(nn.Module):
    def __init__(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        super().__init__()
        raise NotImplementedError("Standardize.__init__: register mean and std as buffers")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Standardize.forward: (x - mean) / std")


class TinyRegressor(nn.Module):
    def __init__(
        self, mean: torch.Tensor, std: torch.Tensor, hidden: int, out_features: int
    ) -> None:
        super().__init__()
        raise NotImplementedError(
            "TinyRegressor.__init__: the norm and head submodules, weight and bias parameters, "
            "and the seen buffer"
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("TinyRegressor.forward: count in training mode, then compute")


def count_parameters(module: nn.Module) -> int:
    raise NotImplementedError("count_parameters: add up numel() of the trainable parameters")
