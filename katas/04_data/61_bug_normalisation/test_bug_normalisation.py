"""Spec for bugs/normalisation: training and evaluation images are scaled the same way."""

import numpy as np
import pytest
import torch
from bug_normalisation import IMAGENET_MEAN, IMAGENET_STD, eval_transform, train_transform
from torchvision.transforms.v2 import functional as TF

from katakit.testing import assert_tensor

MEAN = torch.tensor([0.485, 0.456, 0.406])[:, None, None]
STD = torch.tensor([0.229, 0.224, 0.225])[:, None, None]


def photo(h: int, w: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(h, w, 3), dtype=np.uint8)


def plain(h: int, w: int, rgb: tuple[int, int, int]) -> np.ndarray:
    return np.broadcast_to(np.array(rgb, dtype=np.uint8), (h, w, 3)).copy()


def normalised(pixels: torch.Tensor) -> torch.Tensor:
    """ImageNet normalisation of a (3, H, W) uint8 tensor, written out by hand."""
    return (pixels.float() / 255 - MEAN) / STD


def tensor(x: torch.Tensor) -> torch.Tensor:
    return x.as_subclass(torch.Tensor)


@pytest.mark.parametrize(("h", "w", "size"), [(32, 32, 32), (40, 56, 32), (30, 20, 16)])
def test_eval_transform_scales_then_normalises(h: int, w: int, size: int) -> None:
    image = photo(h, w, seed=h + w)
    resized = TF.resize(TF.to_image(image), [size, size])
    got = tensor(eval_transform(size)(image))
    assert_tensor(
        got,
        normalised(resized),
        what=f"eval_transform({size}) of a {h}x{w} uint8 photo: each pixel v should become "
        "(v / 255 - mean) / std, as in training (values of a few units, not hundreds)",
        atol=1e-5,
        rtol=1e-5,
    )


@pytest.mark.parametrize("rgb", [(0, 0, 0), (255, 255, 255), (124, 116, 104), (10, 200, 90)])
def test_train_and_eval_agree_on_a_plain_colour(rgb: tuple[int, int, int]) -> None:
    image = plain(24, 36, rgb)
    want = normalised(torch.tensor(rgb, dtype=torch.uint8)[:, None, None].expand(3, 32, 32))
    for name, transform in (("train_transform()", train_transform()), ("eval", eval_transform())):
        assert_tensor(
            tensor(transform(image)),
            want,
            what=f"{name} of a plain {rgb} image (crops, flips and resizes cannot change a "
            "plain colour, so training and evaluation must give the same tensor)",
            atol=1e-4,
            rtol=1e-4,
        )


def test_train_transform_crops_and_flips_at_random() -> None:
    image = plain(32, 32, (255, 0, 0))
    image[:, 16:] = (0, 0, 255)  # left half red, right half blue
    transform = train_transform(16)
    torch.manual_seed(0)
    outs = [tensor(transform(image)) for _ in range(60)]
    assert all(o.shape == (3, 16, 16) and o.dtype == torch.float32 for o in outs), (
        f"train_transform(16) should give (3, 16, 16) float32, got {outs[0].shape} {outs[0].dtype}"
    )
    red_left = [bool(o[0, :, 0].mean() > o[2, :, 0].mean()) for o in outs]
    red_right = [bool(o[0, :, -1].mean() > o[2, :, -1].mean()) for o in outs]
    flipped = sum(r and not left for left, r in zip(red_left, red_right, strict=True))
    kept = sum(left and not r for left, r in zip(red_left, red_right, strict=True))
    whole = sum(torch.allclose(o, outs[0]) for o in outs)
    assert flipped > 0 and kept > 0, (
        f"over 60 draws on a red|blue image, {kept} outputs kept red on the left and "
        f"{flipped} showed it flipped: both should happen (a random horizontal flip)"
    )
    assert whole < 60, "60 draws of train_transform gave the same crop every time"


def test_default_size_and_constants() -> None:
    image = photo(40, 40, seed=1)
    assert tuple(train_transform()(image).shape) == (3, 32, 32)
    assert tuple(eval_transform()(image).shape) == (3, 32, 32)
    assert (IMAGENET_MEAN, IMAGENET_STD) == ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]), (
        "the ImageNet statistics the pretrained weights were trained with"
    )
