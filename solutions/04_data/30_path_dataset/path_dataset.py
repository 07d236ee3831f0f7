"""Reference solution for data/path-dataset."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset
from torchvision.transforms.v2.functional import pil_to_tensor

EXTENSIONS = (".pt", ".npy", ".png")


def load_file(path: str | Path) -> torch.Tensor:
    suffix = Path(path).suffix.lower()
    if suffix == ".pt":
        tensor = torch.load(  # mutate: skip (dropping weights_only=: True is torch's default)
            path,
            weights_only=True,
        )
    elif suffix == ".npy":
        tensor = torch.from_numpy(np.load(path))
    elif suffix == ".png":
        with Image.open(path) as image:
            tensor = pil_to_tensor(image.convert("RGB")) / 255
    else:
        raise ValueError(f"cannot load {path}: not one of {EXTENSIONS}")
    return tensor.float()


class FolderDataset(Dataset[tuple[torch.Tensor, int]]):
    def __init__(
        self,
        root: str | Path,
        transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ) -> None:
        root = Path(root)
        self.classes = sorted(entry.name for entry in root.iterdir() if entry.is_dir())
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}
        self.samples = [
            (path, self.class_to_idx[name])
            for name in self.classes
            for path in sorted((root / name).iterdir())
            if path.is_file() and path.suffix.lower() in EXTENSIONS
        ]
        self.transform = transform

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        path, label = self.samples[index]
        x = load_file(path)
        if self.transform is not None:
            x = self.transform(x)
        return x, label
