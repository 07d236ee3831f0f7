"""Spec for bugs/cat-dim: each sample's features stay on that sample's row."""

import pytest
import torch
from bug_cat_dim import TwoTowerClassifier, fuse

from katakit.testing import assert_tensor

IMAGE_DIM, TEXT_DIM, EMBED_DIM, NUM_CLASSES = 6, 5, 4, 3
# Batch sizes equal to embed_dim or num_classes are included on purpose: shapes cannot tell
# the batch dim from the feature dim there.
BATCHES = [2, 3, 4, 7]


def randn(*shape: int, seed: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def make_model(seed: int) -> TwoTowerClassifier:
    torch.manual_seed(seed)
    return TwoTowerClassifier(IMAGE_DIM, TEXT_DIM, EMBED_DIM, NUM_CLASSES)


def inputs(batch: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    return randn(batch, IMAGE_DIM, seed=seed), randn(batch, TEXT_DIM, seed=seed + 1)


@pytest.mark.parametrize(("batch", "dim"), [(2, 5), (3, 4), (4, 4), (7, 3)])
def test_fuse_puts_each_sample_on_its_own_row(batch: int, dim: int) -> None:
    image_emb, text_emb = randn(batch, dim, seed=batch), randn(batch, dim, seed=batch + 10)
    expected = torch.stack([torch.cat((image_emb[i], text_emb[i])) for i in range(batch)])
    assert_tensor(
        fuse(image_emb, text_emb),
        expected,
        what=f"fuse of two ({batch}, {dim}) embeddings: row i should be image_emb[i] then "
        "text_emb[i]",
        atol=0,
        rtol=0,
    )


@pytest.mark.parametrize("batch", BATCHES)
def test_fuse_returns_one_row_per_sample(batch: int) -> None:
    image_emb = randn(batch, 3, seed=1, dtype=torch.float64)
    text_emb = randn(batch, 3, seed=2, dtype=torch.float64)
    before = (image_emb.clone(), text_emb.clone())
    out = fuse(image_emb, text_emb)
    assert isinstance(out, torch.Tensor), f"fuse should return a tensor, got {type(out)}"
    assert (tuple(out.shape), out.dtype) == ((batch, 6), torch.float64), (
        f"fuse of two ({batch}, 3) float64 embeddings should give ({batch}, 6) float64, got "
        f"{tuple(out.shape)} {out.dtype}"
    )
    assert_tensor(image_emb, before[0], what="image_emb after fuse (must not change)")
    assert_tensor(text_emb, before[1], what="text_emb after fuse (must not change)")


def test_prediction_does_not_depend_on_other_samples() -> None:
    model = make_model(seed=0)
    image, text = inputs(5, seed=20)
    with torch.no_grad():
        base = model(image, text)
        for k in range(5):
            changed_image, changed_text = image.clone(), text.clone()
            changed_image[k] += randn(IMAGE_DIM, seed=30 + k)
            changed_text[k] += randn(TEXT_DIM, seed=40 + k)
            out = model(changed_image, changed_text)
            others = [i for i in range(5) if i != k]
            assert_tensor(
                out[others],
                base[others],
                what=f"predictions for the other products after changing only product {k} "
                "(they must not move: is each product's data kept on its own row?)",
                atol=1e-6,
                rtol=1e-5,
            )


@pytest.mark.parametrize("batch", BATCHES)
def test_forward_matches_per_sample_computation(batch: int) -> None:
    model = make_model(seed=batch)
    image, text = inputs(batch, seed=50 + batch)
    with torch.no_grad():
        got = model(image, text)
        rows = []
        for i in range(batch):
            image_emb = torch.relu(model.image_proj.weight @ image[i] + model.image_proj.bias)
            text_emb = torch.relu(model.text_proj.weight @ text[i] + model.text_proj.bias)
            rows.append(model.head.weight @ torch.cat((image_emb, text_emb)) + model.head.bias)
    assert_tensor(
        got,
        torch.stack(rows),
        what=f"logits for a batch of {batch}, against each product computed on its own",
        atol=1e-5,
        rtol=1e-5,
    )


@pytest.mark.parametrize("which", ["image", "text"])
def test_output_depends_on_both_inputs(which: str) -> None:
    model = make_model(seed=1)
    image, text = inputs(4, seed=60)
    with torch.no_grad():
        base = model(image, text)
        image_shift, text_shift = (1.0, 0.0) if which == "image" else (0.0, 1.0)
        out = model(image + image_shift, text + text_shift)
    assert not torch.allclose(out, base), (
        f"changing the {which} input did not change any prediction: the model must use both "
        "the image and the text"
    )


def test_layers_keep_their_sizes() -> None:
    model = make_model(seed=2)
    sizes = {
        "image_proj": (model.image_proj.in_features, model.image_proj.out_features),
        "text_proj": (model.text_proj.in_features, model.text_proj.out_features),
        "head": (model.head.in_features, model.head.out_features),
    }
    want = {
        "image_proj": (IMAGE_DIM, EMBED_DIM),
        "text_proj": (TEXT_DIM, EMBED_DIM),
        "head": (2 * EMBED_DIM, NUM_CLASSES),
    }
    assert sizes == want, f"(in, out) sizes of the layers: expected {want}, got {sizes}"
    out = model(*inputs(3, seed=70))
    assert tuple(out.shape) == (3, NUM_CLASSES), (
        f"a batch of 3 should give (3, {NUM_CLASSES}) logits, got {tuple(out.shape)}"
    )
