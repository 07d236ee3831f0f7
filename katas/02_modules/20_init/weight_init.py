"""Initialise weights by hand: Xavier, Kaiming and orthogonal, and why they differ.

A deep network multiplies its input by one weight matrix after another. If each layer scales
the signal by a little more than 1 it explodes, a little less and it vanishes, and training
stalls before it starts. Initialisation schemes choose the weights' scale from the layer's
*fans* so that the signal keeps its size:

- **Xavier/Glorot** (for tanh, sigmoid, linear layers): std = gain * sqrt(2 / (fan_in + fan_out)).
- **Kaiming/He** (for ReLU): ReLU zeroes half of its inputs, so the variance is doubled; for a
  leaky ReLU with slope a it is std = sqrt(2 / (1 + a**2)) / sqrt(fan_in).
- **Orthogonal**: a matrix whose rows (or columns) are orthonormal maps vectors without
  stretching them at all.

``torch.nn.init`` does all of this in one call. Here you derive it, and the spec compares your
numbers with torch's: while your functions run, ``torch.nn.init`` is switched off.

Write:

1. ``fans(weight)`` -> ``(fan_in, fan_out)`` for a weight of shape ``(out, in, *kernel)``:
   ``nn.Linear`` weights are ``(out, in)``, ``nn.Conv2d`` weights ``(out, in, kh, kw)``, and each
   kernel position counts. Raise ``ValueError`` for a weight with fewer than 2 dims.
2. ``xavier_std(fan_in, fan_out, gain=1.0)`` and ``kaiming_std(fan_in, negative_slope=0.0)``:
   the standard deviations of the normal distributions above, as floats.
3. ``orthogonal(rows, cols, generator=None)``: a random float32 ``(rows, cols)`` matrix with
   orthonormal rows when ``rows <= cols`` (``W @ W.T == I``), orthonormal columns otherwise.
   Orthogonalise a standard normal matrix with ``torch.linalg.qr``, and make the result
   uniformly random: QR fixes the signs of R's diagonal, so multiply each column of Q by the
   sign of the matching diagonal entry of R.
4. ``init_(module, scheme, generator=None)``: for every ``nn.Linear`` and ``nn.Conv2d`` in
   ``module`` (nested ones too), fill the weight from a normal distribution with mean 0 and
   the std of ``scheme`` (``"xavier"`` with gain 1, ``"kaiming"`` for ReLU), or with an
   ``orthogonal`` matrix of shape ``(out, fan_in)`` reshaped to the weight's shape
   (``"orthogonal"``); set every bias to zero; leave other layers alone. Draw with
   ``generator`` (torch's default generator when it is ``None``), change the tensors in place
   without recording gradients, and return ``module``. Raise ``ValueError`` naming an unknown
   scheme.

The last two tests show why: 30 Linear+ReLU layers keep the signal with Kaiming and lose it
with Xavier; 50 orthogonal layers keep every vector's length.

Check it: ``kata check modules/init``.
"""

from __future__ import annotations

import torch
from torch import nn


def fans(weight: torch.Tensor) -> tuple[int, int]:
    raise NotImplementedError("fans: channels times the number of kernel positions")


def xavier_std(fan_in: int, fan_out: int, gain: float = 1.0) -> float:
    raise NotImplementedError("xavier_std: gain * sqrt(2 / (fan_in + fan_out))")


def kaiming_std(fan_in: int, negative_slope: float = 0.0) -> float:
    raise NotImplementedError("kaiming_std: the ReLU gain over sqrt(fan_in)")


def orthogonal(rows: int, cols: int, generator: torch.Generator | None = None) -> torch.Tensor:
    raise NotImplementedError("orthogonal: QR of a random tall matrix, signs fixed")


def init_(module: nn.Module, scheme: str, generator: torch.Generator | None = None) -> nn.Module:
    raise NotImplementedError("init_: visit every Linear and Conv2d and fill weight and bias")
