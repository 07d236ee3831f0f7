"""Reference solution for modules/hooks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
        layers = [(name, self.model.get_submodule(name)) for name in self.layer_names]
        for name, layer in layers:
            self.handles.append(layer.register_forward_hook(self._save_activation(name)))
            self.handles.append(layer.register_full_backward_hook(self._save_gradient(name)))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        handles, self.handles = self.handles, []
        for handle in handles:
            handle.remove()

    def _save_activation(self, name: str) -> Callable[..., None]:
        def hook(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
            self.activations[name] = output.detach()

        return hook

    def _save_gradient(self, name: str) -> Callable[..., None]:
        def hook(
            module: nn.Module,
            grad_input: tuple[torch.Tensor | None, ...],
            grad_output: tuple[torch.Tensor, ...],
        ) -> None:
            self.gradients[name] = grad_output[0].detach()

        return hook


def dead_fraction(
    model: nn.Module, x: torch.Tensor, layer_names: Sequence[str]
) -> dict[str, float]:
    with ActivationRecorder(model, layer_names) as recorder, torch.no_grad():
        model(x)
    return {name: float((out == 0).float().mean()) for name, out in recorder.activations.items()}
