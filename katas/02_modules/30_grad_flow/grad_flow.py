"""Diagnose vanishing and exploding gradients from per-layer gradient norms.

"The loss does not move" and "the loss is NaN after 50 steps" often have the same root: the
gradient shrinks (vanishes) or grows (explodes) as it travels back through the layers. Sigmoid
and tanh squash their slope to at most 0.25 and 1, so a deep stack of them multiplies many
small numbers; weights that are too large multiply big ones. The quickest check after a
``loss.backward()`` is one number per layer: the norm of that layer's gradients.

Write:

1. ``grad_norm_report(model, *, vanish_below=VANISH_BELOW, explode_above=EXPLODE_ABOVE)``
   -> ``list[LayerGrad]``, one entry per module that owns parameters directly (its own, not
   its children's), in ``model.named_modules()`` order, named as ``named_modules`` names it.
   Each entry holds:

   - ``norm``: the L2 norm of all that layer's parameter gradients taken together (weight and
     bias as one vector), as a Python float, computed in float64 (gradients around 1e-25 are
     real in deep nets, and their squares underflow to 0 in float32). Parameters whose
     ``.grad`` is ``None`` (frozen, or no backward yet) are left out.
   - ``status``: ``"vanishing"`` if ``norm < vanish_below``, ``"exploding"`` if
     ``norm > explode_above``, ``"ok"`` otherwise, and ``"no-grad"`` (with norm ``0.0``)
     when none of the layer's parameters has a gradient.

   The report only reads gradients; it changes nothing.
2. ``diagnose(report)`` -> ``"exploding"`` if any layer explodes, else ``"vanishing"`` if any
   layer vanishes, else ``"healthy"``.

Thresholds (the contract): a layer's gradient norm is vanishing below ``VANISH_BELOW = 1e-6``
and exploding above ``EXPLODE_ABOVE = 1e3``. The spec backpropagates through a 20-layer sigmoid
net (the early layers vanish), an 8-layer linear net with weights scaled up 6 times (every layer
explodes) and a short ReLU net (healthy).

Check it: ``kata check modules/grad-flow``.
"""

from __future__ import annotations

from typing import NamedTuple

from torch import nn

VANISH_BELOW = 1e-6
EXPLODE_ABOVE = 1e3


class LayerGrad(NamedTuple):
    name: str
    norm: float
    status: str  # "ok", "vanishing", "exploding" or "no-grad"


def grad_norm_report(
    model: nn.Module, *, vanish_below: float = VANISH_BELOW, explode_above: float = EXPLODE_ABOVE
) -> list[LayerGrad]:
    raise NotImplementedError("grad_norm_report: one norm per module that owns parameters")


def diagnose(report: list[LayerGrad]) -> str:
    raise NotImplementedError("diagnose: the worst status in the report")
