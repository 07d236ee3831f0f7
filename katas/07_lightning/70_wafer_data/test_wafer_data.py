"""Spec for lightning/wafer-data: the nine patterns by their geometry, the data set, the split."""

from __future__ import annotations

import math
from pathlib import Path

import lightning as L
import pytest
import torch
from torch import nn
from wafer_data import CLASSES, WaferDataModule, make_wafer_dataset, wafer_map

SEEDS = range(8)


def grid(size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Normalised x, y (the wafer is the unit disc) and radius of every pixel."""
    coords = (torch.arange(size, dtype=torch.float32) - (size - 1) / 2) / (size / 2)
    y, x = torch.meshgrid(coords, coords, indexing="ij")
    return x, y, torch.sqrt(x**2 + y**2)


def draw(kind: str, seed: int, size: int = 32, noise: float = 0.0) -> torch.Tensor:
    out = wafer_map(kind, size, torch.Generator().manual_seed(seed), noise=noise)
    assert isinstance(out, torch.Tensor) and out.shape == (size, size), (
        f"wafer_map({kind!r}, {size}, ...) should return a ({size}, {size}) tensor, got "
        f"{type(out).__name__}" + (f" of shape {tuple(out.shape)}" if hasattr(out, "shape") else "")
    )
    assert out.dtype == torch.int64, f"wafer maps are int64 (0, 1, 2), got {out.dtype}"
    return out


def defects(kind: str, seed: int, size: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    """(x, y) of every defective die and their radii, for a noise-free map."""
    m = draw(kind, seed, size)
    x, y, r = grid(size)
    bad = m == 2
    return torch.stack([x[bad], y[bad]], dim=1), r[bad]


def sectors(points: torch.Tensor) -> int:
    """In how many of 8 angular sectors (45 degrees each) the points fall."""
    angle = torch.atan2(points[:, 1], points[:, 0])
    return len(((angle + math.pi) / (math.pi / 4)).floor().clamp(0, 7).unique())


@pytest.mark.parametrize("size", [24, 32, 41])
@pytest.mark.parametrize("kind", CLASSES)
def test_every_map_is_a_disc_of_dies(kind: str, size: int) -> None:
    m = draw(kind, seed=size, size=size, noise=0.05)
    _, _, r = grid(size)
    assert bool((m[r > 1] == 0).all()), (
        f"{kind}: pixels outside the disc r <= 1 must be 0 (off the wafer), found "
        f"{sorted(m[r > 1].unique().tolist())}"
    )
    on = m[r <= 1]
    assert bool(((on == 1) | (on == 2)).all()), (
        f"{kind}: every die on the wafer is 1 (good) or 2 (defective), found "
        f"{sorted(on.unique().tolist())}"
    )


@pytest.mark.parametrize("kind", CLASSES)
def test_the_generator_decides_everything(kind: str) -> None:
    torch.manual_seed(123)
    a = draw(kind, seed=5, noise=0.05)
    torch.manual_seed(456)  # the global generator must not matter
    b = draw(kind, seed=5, noise=0.05)
    assert torch.equal(a, b), (
        f"{kind}: two maps from generators seeded alike differ: draw every random number from "
        "the generator you are given"
    )
    g = torch.Generator().manual_seed(5)
    first, second = wafer_map(kind, 32, g), wafer_map(kind, 32, g)
    assert not torch.equal(first, second), (
        f"{kind}: two maps drawn one after the other from one generator are identical"
    )


def test_an_unknown_pattern_is_refused() -> None:
    with pytest.raises(ValueError, match="scratchy"):
        wafer_map("scratchy", 32, torch.Generator().manual_seed(0))


@pytest.mark.parametrize("seed", SEEDS)
def test_center_is_a_disc_at_the_centre(seed: int) -> None:
    _, r = defects("center", seed)
    _, _, grid_r = grid(32)
    assert len(r) >= 25 and 0.15 < float(r.max()) < 0.36, (
        f"center: a filled disc of radius 0.2 to 0.35, got {len(r)} defects out to radius "
        f"{float(r.max()) if len(r) else 0:.2f}"
    )
    assert int((grid_r < 0.19).sum()) == int((r < 0.19).sum()), (
        f"center: the disc is filled, but only {int((r < 0.19).sum())} of the "
        f"{int((grid_r < 0.19).sum())} dies within radius 0.19 are defective"
    )


def test_pattern_sizes_are_drawn_anew_for_every_map() -> None:
    sizes = {
        "edge-loc": [edge_span(s) for s in range(20)],
        "loc": [float(defects("loc", s)[0].mean(dim=0).norm()) for s in range(20)],
        "center": [float(defects("center", s)[1].max()) for s in SEEDS],
        "edge-ring": [float(defects("edge-ring", s)[1].min()) for s in SEEDS],
        "random": [len(defects("random", s)[1]) / 812 for s in SEEDS],
    }
    spreads = {"edge-loc": 0.25, "loc": 0.15}
    for kind, values in sizes.items():
        assert max(values) - min(values) > spreads.get(kind, 0.02), (
            f"{kind}: over {len(values)} maps its size hardly varies ({min(values):.3f} to "
            f"{max(values):.3f}): draw it from its range for every map"
        )


@pytest.mark.parametrize("seed", SEEDS)
def test_donut_is_a_ring_inside_the_rim(seed: int) -> None:
    points, r = defects("donut", seed)
    low, high = (float(r.min()), float(r.max())) if len(r) else (0.0, 0.0)
    assert len(r) >= 40 and low > 0.28 and high < 0.71 and 0.1 < high - low < 0.3, (
        f"donut: a ring from inner radius 0.3-0.45, 0.15-0.25 wide; got {len(r)} defects "
        f"between radius {low:.2f} and {high:.2f}"
    )
    assert sectors(points) == 8, (
        f"donut: the ring goes all the way around, these defects cover {sectors(points)} of 8 "
        "sectors of 45 degrees"
    )


def direction_of(points: torch.Tensor) -> torch.Tensor:
    return points.mean(dim=0)


def edge_span(seed: int) -> float:
    """How many radians of rim an edge-loc map covers."""
    points, _ = defects("edge-loc", seed)
    middle = direction_of(points)
    angles = torch.atan2(points[:, 1], points[:, 0]) - torch.atan2(middle[1], middle[0])
    angles = torch.remainder(angles + math.pi, 2 * math.pi) - math.pi
    return float(angles.max() - angles.min())


@pytest.mark.parametrize("seed", SEEDS)
def test_edge_loc_is_one_stretch_of_the_rim(seed: int) -> None:
    _points, r = defects("edge-loc", seed)
    assert len(r) >= 8 and float(r.min()) > 0.78, (
        f"edge-loc: defects only at the rim (r > 0.8), got {len(r)} with the innermost at "
        f"{float(r.min()) if len(r) else 0:.2f}"
    )
    span = edge_span(seed)
    assert 0.4 < span < 1.35, (
        f"edge-loc: within 0.3 to 0.6 radians either side of one direction, so 0.6 to 1.2 "
        f"radians of rim; got {span:.2f} radians"
    )


@pytest.mark.parametrize("kind", ["edge-loc", "loc", "scratch"])
def test_directions_are_uniformly_random(kind: str) -> None:
    sectors_hit = set()
    for seed in range(40):
        points, _ = defects(kind, seed)
        if kind == "scratch":  # a line has no sign: fold its direction into [0, pi)
            centred = points - points.mean(dim=0)
            axis = torch.linalg.eigh(centred.T @ centred).eigenvectors[:, 1]
            angle = torch.remainder(torch.atan2(axis[1], axis[0]), math.pi)
            sectors_hit.add(int(angle / (math.pi / 4)))
        else:
            middle = direction_of(points)
            angle = torch.atan2(middle[1], middle[0]) + math.pi
            sectors_hit.add(int(angle / (math.pi / 4)) % 8)
    want = 4 if kind == "scratch" else 8
    assert len(sectors_hit) == want, (
        f"{kind}: over 40 maps its direction should point every way (all {want} sectors of "
        f"{180 // want if kind == 'scratch' else 45} degrees), it hit {sorted(sectors_hit)}: "
        "draw the angle uniformly from 0 to 2 pi"
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_edge_ring_is_the_whole_rim(seed: int) -> None:
    _, r = defects("edge-ring", seed)
    _, _, grid_r = grid(32)
    rim = (grid_r > 0.92) & (grid_r <= 1)
    assert len(r) > 0 and 0.83 < float(r.min()) < 0.92, (
        f"edge-ring: r above 1 - t, t from 0.1 to 0.15; the innermost defect is at "
        f"{float(r.min()) if len(r) else 0:.2f}"
    )
    assert int((r > 0.92).sum()) == int(rim.sum()), (
        "edge-ring: every die at the very rim (r > 0.92) is defective, all around"
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_loc_is_one_compact_blob_off_centre(seed: int) -> None:
    points, r = defects("loc", seed)
    assert len(r) >= 8, f"loc: a blob of radius 0.15 to 0.25 has more than {len(r)} dies"
    centre = points.mean(dim=0)
    spread = float((points - centre).norm(dim=1).max())
    where = float(centre.norm())
    assert 0.08 < spread < 0.27 and 0.22 < where < 0.65, (
        f"loc: one disc of radius 0.15 to 0.25 centred 0.3 to 0.6 from the centre; got a "
        f"blob reaching {spread:.2f} from its middle, which is {where:.2f} from the centre"
    )


@pytest.mark.parametrize(
    ("kind", "low", "high"), [("near-full", 0.78, 0.92), ("random", 0.12, 0.34)]
)
@pytest.mark.parametrize("seed", SEEDS)
def test_random_patterns_cover_the_wafer(kind: str, low: float, high: float, seed: int) -> None:
    points, r = defects(kind, seed)
    fraction = len(r) / int((grid(32)[2] <= 1).sum())
    assert low < fraction < high, (
        f"{kind}: expected {low:.0%} to {high:.0%} of the dies defective, got {fraction:.1%}"
    )
    inner, outer = int((r < 0.5).sum()), int((r >= 0.5).sum())
    assert sectors(points) == 8 and inner > 0 and outer > inner, (
        f"{kind}: defects everywhere, in every direction and at every radius; got "
        f"{sectors(points)} of 8 sectors of 45 degrees, {inner} defects within radius 0.5 and "
        f"{outer} beyond"
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_scratch_is_a_thin_straight_segment(seed: int) -> None:
    points, _ = defects("scratch", seed)
    assert len(points) >= 8, f"scratch: a line 0.6 to 1.0 long has more than {len(points)} dies"
    middle = points.mean(dim=0)
    centred = points - middle
    eig, vectors = torch.linalg.eigh(centred.T @ centred / len(points))
    length = 2 * math.sqrt(3 * float(eig[1]))  # a uniform segment of length L has variance L^2/12
    assert float(eig[0]) < 0.05 * float(eig[1]) and 0.45 < length < 1.05, (
        f"scratch: the defects should lie along one thin line (spread across it under 5% of "
        f"the spread along it, got {float(eig[0]) / max(float(eig[1]), 1e-9):.1%}) about 0.6 "
        f"to 1.0 long (got {length:.2f})"
    )
    distance = abs(float(middle @ vectors[:, 0]))
    assert distance < 0.47, (
        f"scratch: its line passes within 0.4 of the centre, this one at {distance:.2f}"
    )


def scratch_geometry(seed: int) -> tuple[float, float, float]:
    """Length, distance of its line from the centre, distance of its middle from the centre."""
    points, _ = defects("scratch", seed)
    middle = points.mean(dim=0)
    eig, vectors = torch.linalg.eigh((points - middle).T @ (points - middle) / len(points))
    length = 2 * math.sqrt(3 * float(eig[1]))
    return length, abs(float(middle @ vectors[:, 0])), float(middle.norm())


def test_scratch_sizes_and_places_are_drawn_over_their_ranges() -> None:
    lengths, offsets, middles = zip(*(scratch_geometry(s) for s in range(40)), strict=True)
    assert max(lengths) < 1.03 and min(lengths) < 0.7 and max(lengths) > 0.9, (
        f"scratch: half-lengths from 0.3 to 0.5 give segments 0.6 to 1.0 long; over 40 maps "
        f"they ran from {min(lengths):.2f} to {max(lengths):.2f}"
    )
    assert max(offsets) < 0.45 and min(offsets) < 0.1 and max(offsets) > 0.3, (
        f"scratch: the line passes the centre at a distance drawn from -0.4 to 0.4; over 40 "
        f"maps the distances ran from {min(offsets):.2f} to {max(offsets):.2f}"
    )
    assert min(middles) < 0.2, (
        f"scratch: the segment's middle is within 0.3 of the line's point nearest the centre "
        f"(drawn from -0.3 to 0.3), so some middles lie near the centre; the nearest of 40 was "
        f"{min(middles):.2f} away"
    )


def test_none_has_no_pattern_but_noise() -> None:
    assert int((draw("none", 0) == 2).sum()) == 0, "none with noise=0: no defects at all"
    _, _, r = grid(32)
    for noise in (0.01, 0.1):
        maps = [draw("none", s, noise=noise) for s in range(10)]
        fraction = sum(int((m == 2).sum()) for m in maps) / (10 * int((r <= 1).sum()))
        assert abs(fraction - noise) < 0.4 * noise, (
            f"with noise={noise}, each die fails on its own with that probability: expected "
            f"about {noise:.0%} defective dies, got {fraction:.2%}"
        )
    defaults = [wafer_map("none", 32, torch.Generator().manual_seed(s)) for s in range(10)]
    fraction = sum(int((m == 2).sum()) for m in defaults) / (10 * int((r <= 1).sum()))
    assert 0.006 < fraction < 0.014, (
        f"the default noise is 0.01: about 1% stray defects, got {fraction:.2%}"
    )


@pytest.mark.parametrize(("n", "size", "seed"), [(3, 32, 0), (2, 24, 7)])
def test_the_data_set_is_built_class_by_class_from_one_generator(
    n: int, size: int, seed: int
) -> None:
    x, y = make_wafer_dataset(n, size=size, seed=seed)
    assert x.shape == (9 * n, 1, size, size) and x.dtype == torch.float32, (
        f"x: expected float32 {(9 * n, 1, size, size)}, got {x.dtype} {tuple(x.shape)}"
    )
    assert torch.equal(y, torch.arange(9).repeat_interleave(n)), (
        f"y: class indices in CLASSES order, {n} of each: expected "
        f"{torch.arange(9).repeat_interleave(n).tolist()}, got {y.tolist()}"
    )
    if (size, seed) == (32, 0):
        assert torch.equal(make_wafer_dataset(n)[0], x), "the defaults are size=32, seed=0"
    g = torch.Generator().manual_seed(seed)
    want = torch.stack([wafer_map(k, size, g) for k in CLASSES for _ in range(n)])
    assert torch.equal(x, want.unsqueeze(1).float() / 2), (
        "x should be the maps divided by 2 (values 0, 0.5, 1), drawn class by class, one after "
        "the other, from one generator seeded with `seed`"
    )


def split_labels(dm: WaferDataModule) -> dict[str, list[int]]:
    return {
        name: [int(getattr(dm, name)[i][1]) for i in range(len(getattr(dm, name)))]
        for name in ("train", "val", "test")
    }


@pytest.mark.parametrize("n", [10, 7])
def test_the_split_is_stratified_and_seeded(n: int) -> None:
    dm = WaferDataModule(n_per_class=n, size=24, batch_size=8, seed=1)
    dm.setup("fit")
    labels = split_labels(dm)
    want = {"train": round(0.6 * n), "val": round(0.2 * n)}
    want["test"] = n - want["train"] - want["val"]
    for name, count in want.items():
        per_class = [labels[name].count(k) for k in range(9)]
        assert per_class == [count] * 9, (
            f"{name}: with {n} maps per class, each class should have {count} there "
            f"(60/20/20 within every class), got {per_class}"
        )
    keys = {
        name: {tuple(getattr(dm, name)[i][0].flatten().tolist()) for i in range(len(labels[name]))}
        for name in labels
    }
    assert not (
        keys["train"] & keys["val"] or keys["train"] & keys["test"] or keys["val"] & keys["test"]
    ), "the same map appears in two splits: split the indices, do not draw with replacement"
    x, _y = make_wafer_dataset(n, size=24, seed=1)
    first_maps = {
        tuple(x[k * n + i].flatten().tolist()) for k in range(9) for i in range(want["train"])
    }
    assert keys["train"] != first_maps, (
        "the training split is the first 60% of every class: pick the maps at random "
        "(torch.randperm with the seeded generator)"
    )
    again = WaferDataModule(n_per_class=n, size=24, batch_size=8, seed=1)
    torch.manual_seed(99)
    again.setup("fit")
    assert all(torch.equal(again.test[i][0], dm.test[i][0]) for i in range(len(labels["test"]))), (
        "two data modules with the same seed should cut the same split, whatever the global "
        "generator (torch.manual_seed(99) here): draw from a generator seeded with seed"
    )
    other = WaferDataModule(n_per_class=n, size=24, batch_size=8, seed=2)
    other.setup("fit")
    assert split_labels(other)["test"] != labels["test"] or not all(
        torch.equal(other.test[i][0], dm.test[i][0]) for i in range(len(labels["test"]))
    ), "another seed should give other maps and another split"


def test_the_loaders_batch_and_only_training_shuffles() -> None:
    dm = WaferDataModule(n_per_class=10, size=24, batch_size=16, seed=0)
    dm.setup("fit")
    train = [list(dm.train_dataloader()) for _ in range(2)]
    sizes = [len(b[1]) for b in train[0]]
    assert sizes == [16, 16, 16, 6], f"54 training maps in batches of 16: got sizes {sizes}"
    orders = [torch.cat([b[1] for b in epoch]) for epoch in train]
    assert not torch.equal(orders[0], orders[1]), (
        "the training loader gave two epochs in the same order: pass shuffle=True to its DataLoader"
    )
    for name in ("val", "test"):
        batches = list(getattr(dm, f"{name}_dataloader")())
        got = torch.cat([b[1] for b in batches])
        want = torch.tensor(split_labels(dm)[name])
        assert len(batches[0][1]) == 16 and torch.equal(got, want), (
            f"the {name} loader should give batches of batch_size (16) in the split's order, "
            f"without shuffling; its first batch has {len(batches[0][1])}"
        )


class CountVal(L.LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.Linear(1, 9)
        self.seen = 0

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], i: int) -> None:
        self.seen += len(batch[1])


def test_the_defaults_and_a_trainer(tmp_path: Path) -> None:
    dm = WaferDataModule()
    dm.setup("fit")
    sizes = (len(dm.train), len(dm.val), len(dm.test))  # type: ignore[arg-type]
    assert sizes == (216, 72, 72), f"40 maps per class by default: 60/20/20 is {sizes}"
    x, _y = next(iter(dm.train_dataloader()))
    assert tuple(x.shape) == (32, 1, 32, 32), f"default batches of 32 maps of 32 x 32: {x.shape}"
    reference = make_wafer_dataset(40)[0]
    keys = {tuple(m.flatten().tolist()) for m in reference}
    assert all(tuple(dm.test[i][0].flatten().tolist()) in keys for i in range(72)), (
        "the default data set is make_wafer_dataset(40, size=32, seed=0)"
    )
    model = CountVal()
    trainer = L.Trainer(
        accelerator="cpu",
        logger=False,
        default_root_dir=tmp_path,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.validate(model, datamodule=WaferDataModule(n_per_class=5, size=16), verbose=False)
    assert model.seen == 9, (
        f"trainer.validate(model, datamodule=WaferDataModule(n_per_class=5, size=16)) should "
        f"see the 9 validation maps (one per class), it saw {model.seen}: the Trainer calls "
        "setup('validate'), then val_dataloader()"
    )
