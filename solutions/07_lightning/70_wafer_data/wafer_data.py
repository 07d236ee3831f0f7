"""Reference solution for lightning/wafer-data."""

from __future__ import annotations

import math

import lightning as L
import torch
from torch.utils.data import DataLoader, Dataset, Subset, TensorDataset

CLASSES = (
    "center",
    "donut",
    "edge-loc",
    "edge-ring",
    "loc",
    "near-full",
    "random",
    "scratch",
    "none",
)
OFF, GOOD, BAD = 0, 1, 2


def wafer_grid(size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """x, y and radius of every pixel, normalised so that the wafer is the unit disc."""
    coords = (torch.arange(size) - (size - 1) / 2) / (size / 2)
    x, y = coords.expand(size, size), coords[:, None].expand(size, size)
    return x, y, torch.sqrt(x**2 + y**2)


def _uniform(low: float, high: float, g: torch.Generator) -> float:
    return low + (high - low) * float(torch.rand((), generator=g))


def _direction(g: torch.Generator) -> tuple[float, float]:
    angle = _uniform(0, 2 * math.pi, g)
    return math.cos(angle), math.sin(angle)


# A pattern's edges are random floats: a die lies exactly on one with probability 0, so `<` and
# `<=` (or `>` and `>=`) draw the same maps. Those comparison lines skip mutation.
def wafer_map(
    kind: str, size: int, generator: torch.Generator, noise: float = 0.01
) -> torch.Tensor:
    x, y, r = wafer_grid(size)
    g = generator
    if kind == "center":
        radius = _uniform(0.2, 0.35, g)
        defect = r < radius  # mutate: skip (ties have probability 0)
    elif kind == "donut":
        inner = _uniform(0.3, 0.45, g)
        outer = inner + _uniform(0.15, 0.25, g)
        defect = (r > inner) & (r < outer)  # mutate: skip (ties have probability 0)
    elif kind == "edge-loc":
        (ux, uy), half_angle = _direction(g), _uniform(0.3, 0.6, g)
        reach = math.cos(half_angle) * r
        facing = x * ux + y * uy  # mutate: skip (x * ux - y * uy mirrors a random direction)
        rim = 0.8
        defect = (r > rim) & (facing > reach)  # mutate: skip (ties have probability 0)
    elif kind == "edge-ring":
        inner = 1 - _uniform(0.1, 0.15, g)
        defect = r > inner  # mutate: skip (ties have probability 0)
    elif kind == "loc":
        (ux, uy), distance = _direction(g), _uniform(0.3, 0.6, g)
        radius = _uniform(0.15, 0.25, g)
        spot_x, spot_y = distance * ux, distance * uy
        gap = torch.sqrt((x - spot_x) ** 2 + (y - spot_y) ** 2)  # mutate: skip (a mirror image)
        defect = gap < radius  # mutate: skip (ties have probability 0)
    elif kind == "near-full":
        rate = 0.85
        defect = torch.rand(size, size, generator=g) < rate  # mutate: skip (ties: probability 0)
    elif kind == "random":
        rate = _uniform(0.15, 0.3, g)
        defect = torch.rand(size, size, generator=g) < rate  # mutate: skip (ties: probability 0)
    elif kind == "scratch":
        (ux, uy), offset = _direction(g), _uniform(-0.4, 0.4, g)
        middle, half_length = _uniform(-0.3, 0.3, g), _uniform(0.3, 0.5, g)
        # A sign flip in these two lines mirrors a uniformly random line: same distribution.
        across = (y * ux - x * uy - offset).abs()  # mutate: skip (mirror image, as above)
        along = (x * ux + y * uy - middle).abs()  # mutate: skip (mirror image, as above)
        half_width = 0.05
        defect = (across < half_width) & (along < half_length)  # mutate: skip (ties: probability 0)
    elif kind == "none":
        defect = torch.zeros(size, size, dtype=torch.bool)
    else:
        raise ValueError(f"unknown defect pattern {kind!r}; known: {CLASSES}")
    stray = torch.rand(size, size, generator=g) < noise  # mutate: skip (ties: probability 0)
    on_wafer = r <= 1  # mutate: skip (no pixel centre lies exactly on the rim)
    return torch.where(on_wafer, torch.where(defect | stray, BAD, GOOD), OFF)


def make_wafer_dataset(
    n_per_class: int, size: int = 32, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    maps, labels = [], []
    for label, kind in enumerate(CLASSES):
        for _ in range(n_per_class):
            maps.append(wafer_map(kind, size, g))
            labels.append(label)
    x = torch.stack(maps).unsqueeze(1) / BAD
    return x, torch.tensor(labels)


def stratified_split(labels: torch.Tensor, seed: int) -> tuple[list[int], list[int], list[int]]:
    """60/20/20 within every class."""
    g = torch.Generator().manual_seed(seed)
    parts: tuple[list[int], list[int], list[int]] = ([], [], [])
    for label in labels.unique():
        members = (labels == label).nonzero().flatten()
        members = members[torch.randperm(len(members), generator=g)].tolist()
        n_train, n_val = round(0.6 * len(members)), round(0.2 * len(members))
        parts[0].extend(members[:n_train])
        parts[1].extend(members[n_train : n_train + n_val])
        parts[2].extend(members[n_train + n_val :])
    return parts


class WaferDataModule(L.LightningDataModule):
    def __init__(
        self, n_per_class: int = 40, size: int = 32, batch_size: int = 32, seed: int = 0
    ) -> None:
        super().__init__()
        self.n_per_class, self.size, self.batch_size, self.seed = (
            n_per_class,
            size,
            batch_size,
            seed,
        )
        self.train: Dataset[tuple[torch.Tensor, torch.Tensor]]
        self.val: Dataset[tuple[torch.Tensor, torch.Tensor]]
        self.test: Dataset[tuple[torch.Tensor, torch.Tensor]]

    def setup(self, stage: str) -> None:
        x, y = make_wafer_dataset(self.n_per_class, self.size, self.seed)
        data = TensorDataset(x, y)
        train, val, test = stratified_split(y, self.seed)
        self.train, self.val, self.test = Subset(data, train), Subset(data, val), Subset(data, test)

    def train_dataloader(self) -> DataLoader[tuple[torch.Tensor, ...]]:
        return DataLoader(self.train, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self) -> DataLoader[tuple[torch.Tensor, ...]]:
        return DataLoader(self.val, batch_size=self.batch_size)

    def test_dataloader(self) -> DataLoader[tuple[torch.Tensor, ...]]:
        return DataLoader(self.test, batch_size=self.batch_size)
