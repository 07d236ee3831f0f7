"""Spec for bugs/view-permute: every pixel keeps its place and its colour."""

from pathlib import Path

import numpy as np
import pytest
import torch
from bug_view_permute import NpyImageFolder
from torch.utils.data import DataLoader
from torchvision.transforms.v2 import functional as TF

from katakit.testing import assert_tensor

H, W = 5, 7  # not square, so a swapped height and width cannot hide


def write_folder(root: Path, counts: dict[str, int], seed: int) -> dict[str, list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    arrays: dict[str, list[np.ndarray]] = {}
    for name, count in counts.items():
        (root / name).mkdir(parents=True)
        arrays[name] = []
        for i in range(count):
            array = rng.integers(0, 256, size=(H, W, 3), dtype=np.uint8)
            np.save(root / name / f"{i:04d}.npy", array)
            arrays[name].append(array)
    return arrays


def reference(array: np.ndarray) -> torch.Tensor:
    """torchvision's own HWC uint8 -> CHW float conversion."""
    return TF.to_dtype(TF.to_image(array), torch.float32, scale=True).as_subclass(torch.Tensor)


def test_images_match_torchvisions_conversion(tmp_path: Path) -> None:
    arrays = write_folder(tmp_path, {"cat": 2, "dog": 3}, seed=0)
    dataset = NpyImageFolder(tmp_path)
    stored = arrays["cat"] + arrays["dog"]
    for i, array in enumerate(stored):
        image, _ = dataset[i]
        assert_tensor(
            image,
            reference(array),
            what=f"dataset[{i}] image: image[c, y, x] should be array[y, x, c] / 255",
            atol=1e-6,
            rtol=0,
        )


@pytest.mark.parametrize(("y", "x", "rgb"), [(0, 0, (255, 0, 0)), (3, 5, (0, 255, 0))])
def test_a_pixel_keeps_its_colour(tmp_path: Path, y: int, x: int, rgb: tuple[int, ...]) -> None:
    (tmp_path / "only").mkdir()
    array = np.zeros((H, W, 3), dtype=np.uint8)
    array[y, x] = rgb
    np.save(tmp_path / "only" / "a.npy", array)
    image, _ = NpyImageFolder(tmp_path)[0]
    got = [round(v, 3) for v in image[:, y, x].tolist()]
    want = [v / 255 for v in rgb]
    lit = int((image > 0).sum())
    assert got == want and lit == sum(v > 0 for v in rgb), (
        f"a black image with one pixel of colour {rgb} at row {y}, column {x}: the loaded "
        f"tensor has {got} there and {lit} non-zero values in all: the pixel's three "
        "channel values should stay together at their own place"
    )


def test_classes_labels_and_order(tmp_path: Path) -> None:
    write_folder(tmp_path, {"zebra": 1, "ant": 2, "mole": 1}, seed=1)
    (tmp_path / "notes.txt").write_text("not a class")
    dataset = NpyImageFolder(str(tmp_path))  # a plain string path works too
    assert dataset.classes == ["ant", "mole", "zebra"], f"classes: {dataset.classes}"
    assert len(dataset) == 4, f"expected 4 samples, got {len(dataset)}"
    labels = [dataset[i][1] for i in range(4)]
    assert labels == [0, 0, 1, 2], f"labels in order: {labels}"
    names = [p.name for p, _ in dataset.samples]
    assert names == ["0000.npy", "0001.npy", "0000.npy", "0000.npy"], names


def test_batches_for_a_cnn(tmp_path: Path) -> None:
    write_folder(tmp_path, {"a": 3, "b": 2}, seed=2)
    images, labels = next(iter(DataLoader(NpyImageFolder(tmp_path), batch_size=5)))
    assert (tuple(images.shape), images.dtype) == ((5, 3, H, W), torch.float32), (
        f"a batch of 5 should be (5, 3, {H}, {W}) float32, got {tuple(images.shape)} {images.dtype}"
    )
    assert labels.tolist() == [0, 0, 0, 1, 1]
    assert float(images.min()) >= 0.0 and float(images.max()) <= 1.0, "values in [0, 1]"
