"""Spec for data/augment: train/eval transforms and boxes and masks that move with the image."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from augment_pipeline import augment_sample, eval_transform, train_transform
from PIL import Image
from torchvision import tv_tensors
from torchvision.transforms import v2

from katakit.testing import assert_tensor

H, W = 40, 48
# Two objects: (x1, y1, x2, y2) in pixels, painted white in the image and as 1 and 2 in the mask.
BOXES = [(8, 10, 20, 30), (30, 4, 44, 12)]


def photo(seed: int, h: int = H, w: int = W) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (3, h, w), generator=g, dtype=torch.uint8)


def scene(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(image, boxes, mask): dark noise with two white rectangles, their boxes and mask."""
    g = torch.Generator().manual_seed(seed)
    image = torch.randint(0, 60, (3, H, W), generator=g, dtype=torch.uint8)
    mask = torch.zeros(H, W, dtype=torch.uint8)
    for k, (x1, y1, x2, y2) in enumerate(BOXES, start=1):
        image[:, y1:y2, x1:x2] = 255
        mask[y1:y2, x1:x2] = k
    return image, torch.tensor(BOXES, dtype=torch.float32), mask


def recipe(size: int) -> v2.Compose:
    return v2.Compose(
        [
            v2.ToImage(),
            v2.RandomResizedCrop(size, scale=(0.6, 1.0), antialias=True),
            v2.RandomHorizontalFlip(p=0.5),
            v2.ColorJitter(brightness=0.3, contrast=0.3, saturation=0.3),
            v2.ToDtype(torch.float32, scale=True),
        ]
    )


def plain(t: Any) -> torch.Tensor:
    assert isinstance(t, torch.Tensor), f"expected a tensor, got {type(t).__name__}"
    return t.as_subclass(torch.Tensor)


def extent(mask: torch.Tensor) -> tuple[float, float, float, float] | None:
    """(x1, y1, x2, y2) of the pixels set in mask, edges included; None when empty."""
    found = mask.nonzero()
    if len(found) == 0:
        return None
    ys, xs = found[:, 0], found[:, 1]
    return (float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))


def run(transform: Any, x: Any, seed: int) -> Any:
    torch.manual_seed(seed)
    return transform(x)


# ------------------------------------------------------------------------------- train_transform


@pytest.mark.parametrize("size", [24, 32])
@pytest.mark.parametrize("kind", ["tensor", "PIL"])
def test_train_transform_output(size: int, kind: str) -> None:
    image = photo(size)
    given: Any = image if kind == "tensor" else Image.fromarray(image.permute(1, 2, 0).numpy())
    out = plain(run(train_transform(size), given, seed=0))
    got = (tuple(out.shape), out.dtype)
    assert got == ((3, size, size), torch.float32), (
        f"train_transform({size}) on a {kind} image of 3x{H}x{W}: expected a (3, {size}, "
        f"{size}) float32 tensor, got shape and dtype {got}"
    )
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0, (
        f"values should lie in [0, 1] (ToDtype with scale=True), got {float(out.min()):.3f} to "
        f"{float(out.max()):.3f}"
    )


def test_train_transform_defaults_to_32() -> None:
    out = run(train_transform(), photo(1), seed=0)
    assert tuple(out.shape) == (3, 32, 32), f"train_transform() should give 32x32, got {out.shape}"


@pytest.mark.parametrize("seed", range(6))
def test_train_transform_follows_the_recipe(seed: int) -> None:
    image = photo(seed + 10)
    assert_tensor(
        plain(run(train_transform(28), image, seed)),
        plain(run(recipe(28), image, seed)),
        what=f"train_transform(28) under torch.manual_seed({seed}), against the recipe in the "
        "docstring under the same seed (same transforms, same parameters, same order?)",
        atol=1e-6,
        rtol=0,
    )


def test_same_seed_same_augmentation_new_seed_new_one() -> None:
    transform = train_transform(32)
    image = photo(2)
    first = plain(run(transform, image, seed=3))
    again = plain(run(transform, image, seed=3))
    assert torch.equal(first, again), "the same torch.manual_seed should give the same output"
    outputs = {plain(run(transform, image, seed=s)).sum().item() for s in range(5)}
    assert len(outputs) == 5, "five seeds should give five different augmentations"
    torch.manual_seed(4)
    a, b = plain(transform(image)), plain(transform(image))
    assert not torch.equal(a, b), "two calls in a row should draw new random parameters"


def test_labels_pass_through() -> None:
    image = photo(3)
    out = run(train_transform(16), (image, 7), seed=0)
    assert isinstance(out, tuple) and out[1] == 7, (
        f"transform((image, 7)) should return (new image, 7), got {type(out).__name__} with "
        f"label {out[1] if isinstance(out, tuple) else '?'}"
    )
    assert tuple(out[0].shape) == (3, 16, 16), "the image in the tuple should be transformed"


# -------------------------------------------------------------------------------- eval_transform


@pytest.mark.parametrize("size", [16, 32])
def test_eval_transform_is_resize_and_center_crop(size: int) -> None:
    image = photo(size, h=36, w=60)
    oracle = v2.Compose(
        [
            v2.ToImage(),
            v2.Resize(size, antialias=True),
            v2.CenterCrop(size),
            v2.ToDtype(torch.float32, scale=True),
        ]
    )
    assert_tensor(
        plain(run(eval_transform(size), image, seed=0)),
        plain(oracle(image)),
        what=f"eval_transform({size}) on a 36x60 image (shorter side to {size}, then the "
        "centre crop)",
        atol=1e-6,
        rtol=0,
    )


def test_eval_transform_is_not_random() -> None:
    transform = eval_transform()
    image = photo(5)
    outputs = [plain(run(transform, image, seed=s)) for s in range(4)]
    assert tuple(outputs[0].shape) == (3, 32, 32), "eval_transform() should give 32x32"
    assert all(torch.equal(outputs[0], o) for o in outputs), (
        "eval_transform gave different outputs under different seeds: evaluation must see "
        "the same image every time"
    )


# -------------------------------------------------------------------------------- augment_sample


def test_flip_moves_boxes_and_masks_with_the_image() -> None:
    image, boxes, mask = scene()
    out = augment_sample(v2.RandomHorizontalFlip(p=1.0), image, boxes, mask, 3)
    assert set(out) >= {"image", "boxes", "mask", "label"}, f"keys returned: {sorted(out)}"
    assert_tensor(plain(out["image"]), image.flip(-1), what="the flipped image")
    assert_tensor(plain(out["mask"]), mask.flip(-1), what="the mask, flipped with the image")
    want = torch.tensor([[W - x2, y1, W - x1, y2] for x1, y1, x2, y2 in BOXES], dtype=torch.float32)
    assert_tensor(
        plain(out["boxes"]),
        want,
        what=f"boxes {BOXES} after a horizontal flip of a {W}-pixel-wide image (x1' = W - x2, "
        "x2' = W - x1). Unchanged boxes mean the transform did not know they were boxes: wrap "
        "them in tv_tensors.BoundingBoxes",
    )
    white = (plain(out["image"])[0] == 255) & (plain(out["mask"]) == 1)
    assert extent(white) == tuple(float(v) for v in want[0].tolist()), (
        f"the first box after the flip, {want[0].tolist()}, should enclose the white "
        f"rectangle of the flipped image, which spans {extent(white)}"
    )
    assert out["label"] == 3, f"the label must pass through unchanged, got {out['label']!r}"


def test_augment_sample_wraps_the_inputs() -> None:
    image, boxes, mask = scene()
    out = augment_sample(v2.Identity(), image, boxes, mask.long(), 1)
    assert isinstance(out["image"], tv_tensors.Image), "wrap the image as tv_tensors.Image"
    assert isinstance(out["mask"], tv_tensors.Mask), "wrap the mask as tv_tensors.Mask"
    assert out["mask"].dtype == torch.int64, "the mask keeps its dtype"
    got = out["boxes"]
    assert isinstance(got, tv_tensors.BoundingBoxes), "wrap the boxes as tv_tensors.BoundingBoxes"
    assert got.format == tv_tensors.BoundingBoxFormat.XYXY and tuple(got.canvas_size) == (H, W), (
        f"the boxes should be XYXY on a ({H}, {W}) canvas, got {got.format} on {got.canvas_size}"
    )


@pytest.mark.parametrize("seed", range(8))
def test_random_crops_keep_each_box_on_its_object(seed: int) -> None:
    image, boxes, mask = scene(seed)
    out = run(lambda _: augment_sample(train_transform(32), image, boxes, mask, 0), None, seed)
    new_mask = plain(out["mask"])
    assert tuple(new_mask.shape) == (32, 32) and new_mask.dtype == torch.uint8, (
        f"the mask should be cropped and resized with the image to (32, 32), keeping uint8; "
        f"got {tuple(new_mask.shape)} {new_mask.dtype}"
    )
    for k, box in enumerate(plain(out["boxes"]).tolist(), start=1):
        found = extent(new_mask == k)
        if found is None:  # the crop missed this object: its box must have collapsed
            assert (box[2] - box[0]) * (box[3] - box[1]) < 1.0, f"object {k} is gone, box {box}"
            continue
        gap = max(abs(a - b) for a, b in zip(box, found, strict=True))
        assert gap <= 1.5, (
            f"seed {seed}: box {k} is {[round(v, 1) for v in box]} but its object in the mask "
            f"spans {found}: boxes and mask must get the same crop, resize and flip (one "
            "transform call on the whole sample)"
        )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_random_draw_for_the_whole_sample(seed: int) -> None:
    image, boxes, mask = scene(seed)
    out = run(lambda _: augment_sample(train_transform(24), image, boxes, mask, 5), None, seed)
    sample = {
        "image": tv_tensors.Image(image),
        "boxes": tv_tensors.BoundingBoxes(boxes, format="XYXY", canvas_size=(H, W)),
        "mask": tv_tensors.Mask(mask),
        "label": 5,
    }
    want = run(recipe(24), sample, seed)
    for key in ("image", "boxes", "mask"):
        assert_tensor(
            plain(out[key]),
            plain(want[key]),
            what=f"{key} under torch.manual_seed({seed}), against one call of the recipe on the "
            "whole sample",
            atol=1e-5,
            rtol=0,
        )
