"""Spec for data/path-dataset: load_file and FolderDataset against torchvision's folders."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from path_dataset import EXTENSIONS, FolderDataset, load_file
from PIL import Image
from torch.utils.data import DataLoader
from torchvision.datasets import DatasetFolder, ImageFolder
from torchvision.transforms import v2

from katakit.testing import assert_tensor


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def write(path: Path, seed: int, shape: tuple[int, ...] = (3, 4, 4)) -> torch.Tensor:
    """Write one sample file; return the float32 tensor load_file should give back."""
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".pt":
        data = torch.randn(shape, generator=gen(seed), dtype=torch.float64)
        torch.save(data, path)
        return data.float()
    if suffix == ".npy":
        array = np.random.default_rng(seed).normal(size=shape)
        np.save(path, array)
        return torch.from_numpy(array).float()
    if suffix == ".png":
        pixels = torch.randint(0, 256, shape, generator=gen(seed), dtype=torch.uint8)
        array = pixels.permute(1, 2, 0).numpy()
        Image.fromarray(array[:, :, 0] if shape[0] == 1 else array).save(path, format="PNG")
        return pixels.expand(3, *shape[1:]).float() / 255
    path.write_text("not a sample")
    return torch.empty(0)


# class -> files; upper-case and grayscale PNGs, and files that are not samples, on purpose.
LAYOUT = {
    "dog": ["b.pt", "a.npy", "c.png", "notes.txt"],
    "cat": ["x.PNG", "y.pt", "gray.png", "labels.csv"],
    "zebra": ["z2.npy", "z1.npy", ".DS_Store"],
}


def make_tree(root: Path) -> dict[str, torch.Tensor]:
    """Write LAYOUT under root (plus a stray file at the top); return path -> expected tensor."""
    expected = {}
    for i, (label, files) in enumerate(LAYOUT.items()):
        for j, name in enumerate(files):
            shape = (1, 4, 4) if name.startswith("gray") else (3, 4, 4)
            expected[str(root / label / name)] = write(root / label / name, 10 * i + j, shape)
    (root / "README.md").write_text("one folder per class")
    return expected


def oracle(root: Path, expected: dict[str, torch.Tensor]) -> DatasetFolder:
    return DatasetFolder(str(root), loader=lambda p: expected[p], extensions=EXTENSIONS)


def as_str(samples: Any) -> list[tuple[str, int]]:
    return [(str(path), int(label)) for path, label in samples]


# -------------------------------------------------------------------------------------- load_file


@pytest.mark.parametrize("name", ["t.pt", "a.npy", "img.png", "IMG.PNG", "gray.png", "v.pt"])
def test_load_file_returns_float32_contents(tmp_path: Path, name: str) -> None:
    shape = (1, 3, 5) if name.startswith("gray") else (3, 5, 2) if name != "v.pt" else (7,)
    want = write(tmp_path / name, seed=len(name), shape=shape)
    what = f"load_file({name!r}) ({'RGB, scaled to 0..1' if 'png' in name.lower() else 'float32'})"
    assert_tensor(load_file(tmp_path / name), want, what=what, atol=1e-6, rtol=1e-6)
    assert_tensor(load_file(str(tmp_path / name)), want, what=f"{what} given a str path")


@pytest.mark.parametrize("name", ["notes.txt", "data.csv", "photo.jpeg"])
def test_load_file_refuses_other_extensions(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("x")
    try:
        load_file(tmp_path / name)
    except ValueError:
        return
    raise AssertionError(f"load_file({name!r}) should raise ValueError: not one of {EXTENSIONS}")


class Trap:
    """Unpickling this runs code: it creates a marker folder."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (os.mkdir, (str(self.marker),))


def test_load_file_never_runs_pickled_code(tmp_path: Path) -> None:
    good = write(tmp_path / "good.pt", seed=1)
    assert_tensor(load_file(tmp_path / "good.pt"), good, what="load_file('good.pt')")
    marker = tmp_path / "marker"
    torch.save(Trap(marker), tmp_path / "evil.pt")
    with contextlib.suppress(Exception):  # refusing the file is the right outcome
        load_file(tmp_path / "evil.pt")
    assert not marker.exists(), (
        "loading a .pt file ran code hidden in it: load with torch.load(path, "
        "weights_only=True), which only rebuilds tensors and plain containers"
    )


# ---------------------------------------------------------------------------------- FolderDataset


def test_classes_are_the_sorted_subfolders(tmp_path: Path) -> None:
    make_tree(tmp_path)
    dataset = FolderDataset(tmp_path)
    want = oracle(tmp_path, {})
    assert list(dataset.classes) == want.classes, (
        f"classes should be the sub-folder names, sorted: {want.classes}, got {dataset.classes}"
    )
    assert dict(dataset.class_to_idx) == want.class_to_idx, (
        f"class_to_idx should be {want.class_to_idx}, got {dataset.class_to_idx}"
    )


def test_samples_match_datasetfolder(tmp_path: Path) -> None:
    expected = make_tree(tmp_path)
    got = as_str(FolderDataset(tmp_path).samples)
    want = oracle(tmp_path, expected).samples
    assert got == want, (
        f"samples should be the (path, label) pairs DatasetFolder finds, class by class and "
        f"sorted by name, skipping files with other extensions:\n  want {want}\n  got  {got}"
    )


def test_len_with_a_str_root(tmp_path: Path) -> None:
    make_tree(tmp_path)
    got = len(FolderDataset(str(tmp_path)))
    assert got == 8, (
        f"the tree holds 8 sample files (and 4 other files), len(FolderDataset(str(root))) gave "
        f"{got}: root may be a str or a Path"
    )


def test_items_are_loaded_files_with_int_labels(tmp_path: Path) -> None:
    expected = make_tree(tmp_path)
    dataset = FolderDataset(tmp_path)
    want = oracle(tmp_path, expected)
    for i in range(len(want)):
        x, label = dataset[i]
        want_x, want_label = want[i]
        path = want.samples[i][0]
        assert_tensor(x, want_x, what=f"dataset[{i}] ({path})", atol=1e-6, rtol=1e-6)
        assert type(label) is int and label == want_label, (
            f"dataset[{i}] ({path}) should have the int label {want_label}, got {label!r}"
        )


def test_png_tree_matches_imagefolder(tmp_path: Path) -> None:
    for i, name in enumerate(["bird/1.png", "bird/0.png", "ant/a.png", "ant/b.png", "cow/c.png"]):
        write(tmp_path / name, seed=i, shape=(3, 5, 6))
    to_tensor = v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])
    reference = ImageFolder(str(tmp_path), transform=to_tensor)
    dataset = FolderDataset(tmp_path)
    assert as_str(dataset.samples) == reference.samples, "samples differ from ImageFolder's"
    for i in range(len(reference)):
        x, label = dataset[i]
        want_x, want_label = reference[i]
        assert_tensor(x, want_x.as_subclass(torch.Tensor), what=f"image {i} against ImageFolder")
        assert label == want_label, f"image {i}: label {label}, ImageFolder says {want_label}"


def test_files_are_read_at_access_time(tmp_path: Path) -> None:
    make_tree(tmp_path)
    dataset = FolderDataset(tmp_path)
    index = [Path(p).name for p, _ in dataset.samples].index("b.pt")
    new = write(tmp_path / "dog" / "b.pt", seed=99)
    x, _ = dataset[index]
    assert_tensor(
        x,
        new,
        what="dog/b.pt read after it was rewritten on disk (keep paths in __init__, load in "
        "__getitem__: a data set bigger than memory cannot be loaded up front)",
    )


def test_transform_is_applied(tmp_path: Path) -> None:
    expected = make_tree(tmp_path)
    dataset = FolderDataset(tmp_path, transform=lambda x: x.flip(-1) * 2)
    x, _ = dataset[0]
    path = str(dataset.samples[0][0])
    assert_tensor(x, expected[path].flip(-1) * 2, what="dataset[0] with a transform")


def test_a_dataloader_batches_it(tmp_path: Path) -> None:
    make_tree(tmp_path)
    (tmp_path / "cat" / "gray.png").unlink()  # keep the shapes equal (3, 4, 4)
    loader = DataLoader(FolderDataset(tmp_path), batch_size=4)
    shapes = [(tuple(x.shape), tuple(y.tolist())) for x, y in loader]
    assert shapes == [((4, 3, 4, 4), (0, 0, 1, 1)), ((3, 3, 4, 4), (1, 2, 2))], (
        f"batches of 4 over the 7 samples: (x shape, labels) should be "
        f"[((4, 3, 4, 4), (0, 0, 1, 1)), ((3, 3, 4, 4), (1, 2, 2))], got {shapes}"
    )
