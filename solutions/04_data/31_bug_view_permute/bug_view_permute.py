"""Reference solution for bugs/view-permute."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset


class NpyImageFolder(Dataset[tuple[torch.Tensor, int]]):
    def __init__(self, root: str | Path) -> None:
        root = Path(root)
        self.classes = sorted(d.name for d in root.iterdir() if d.is_dir())
        self.samples = [
            (path, label)
            for label, name in enumerate(self.classes)
            for path in sorted((root / name).glob("*.npy"))
        ]

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        path, label = self.samples[index]
        array = np.load(path)  # (H, W, 3) uint8
        image = torch.from_numpy(array).permute(2, 0, 1)
        return image / 255, label  # uint8 / int gives float32
