"""Look inside a model with forward and backward hooks, and clean up after yourself.

When training goes wrong you want to see what happens *inside* the model: the output of each
layer (are the ReLUs dead? do activations blow up?) and the gradient arriving at each layer
(does it vanish on the way back?). Hooks let you do that without editing the model's forward:

- ``layer.register_forward_hook(fn)``: ``fn(module, inputs, output)`` runs after every forward
  pass of ``layer``;
- ``layer.register_full_backward_hook(fn)``: ``fn(module, grad_input, grad_output)`` runs when
  the gradients for ``layer`` are computed; ``grad_output[0]`` is d(loss) / d(layer's output).

Each call returns a handle; a hook stays until ``handle.remove()``. Hooks forgotten on a model
keep recording (and keeping tensors alive) forever, so a tool that adds hooks must remove them.

Write:

1. ``ActivationRecorder(model, layer_names)``, a context manager. ``layer_names`` are names as
   ``model.named_modules()`` gives them (``"3"``, ``"encoder.1"``, ``"head"``).

   - ``__enter__`` looks every name up (an unknown name raises ``AttributeError`` and leaves
     no hook behind), registers a forward hook and a full backward hook on each of those
     layers, and returns the recorder.
   - The forward hook stores the layer's output, detached, in ``activations[name]``; the
     backward hook stores ``grad_output[0]``, detached, in ``gradients[name]``. A later pass
     overwrites the earlier one. Return nothing from the hooks: they only look.
   - ``__exit__`` removes every hook it added, also when the block raised. The recorder can
     be entered again later.

   Use: ``with ActivationRecorder(model, ["1", "3"]) as rec: loss_fn(model(x), y).backward()``,
   then read ``rec.activations`` and ``rec.gradients``.
2. ``dead_fraction(model, x, layer_names)`` -> ``{name: fraction}``: run ``model(x)`` once
   without recording gradients and report, for each named layer, the fraction of its output
   entries that are exactly zero (1.0 means a dead ReLU layer). No hooks remain afterwards.

Check it: ``kata check modules/hooks``.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

import torch
from torch import nn
from torch.utils.hooks import RemovableHandle


class ActivationRecorder:
    def __init__(self, model: nn.Module, layer_names: Sequence[str]) -> None:
        self.model = model
        self.layer_names = list(layer_names)
        self.activations: dict[str, torch.Tensor] = {}
        self.gradients: dict[str, torch.Tensor] = {}
        self.handles: list[RemovableHandle] = []

    def __enter__(self) -> ActivationRecorder:
        raise NotImplementedError("ActivationRecorder.__enter__: look up the layers, add hooks")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        raise NotImplementedError("ActivationRecorder.__exit__: remove every hook you added")


def dead_fraction(
    model: nn.Module, x: torch.Tensor, layer_names: Sequence[str]
) -> dict[str, float]:
    raise NotImplementedError("dead_fraction: record the layers' outputs, count exact zeros")
