"""Spec for modules/multi-input: MultiInputNet.

The oracle computes the three towers with functional ops and the model's own tensors, and the
head as three blocks of its weight, one per input (which is what a Linear over the
concatenation does).
"""

import pytest
import torch
import torch.nn.functional as F
from multi_input import MultiInputNet

from katakit.testing import assert_shape, assert_tensor

# (image_channels, num_tabular, num_categories, num_classes, width, embed_dim)
CONFIGS = [(3, 5, 4, 2, 16, 8), (1, 3, 10, 5, 6, 4), (2, 7, 3, 3, 5, 2)]
# (batch, height, width): square, non-square, tiny
IMAGES = [(4, 8, 8), (3, 11, 6), (1, 5, 5)]


def randn(*shape: int, seed: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def make(config: tuple[int, ...], seed: int) -> MultiInputNet:
    torch.manual_seed(seed)
    channels, tabular, categories, classes, width, embed = config
    return MultiInputNet(channels, tabular, categories, classes, width=width, embed_dim=embed)


def inputs(
    config: tuple[int, ...], batch: int, height: int, width: int, seed: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    channels, tabular, categories = config[:3]
    category = torch.randint(
        categories, (batch,), generator=torch.Generator().manual_seed(seed + 2)
    )
    return (
        randn(batch, channels, height, width, seed=seed),
        randn(batch, tabular, seed=seed + 1),
        category,
    )


def by_hand(
    model: MultiInputNet, image: torch.Tensor, tabular: torch.Tensor, category: torch.Tensor
) -> torch.Tensor:
    conv = model.image_tower[0]
    image_feat = F.relu(F.conv2d(image, conv.weight, conv.bias, padding=1)).mean(dim=(2, 3))
    lin = model.tabular_tower[0]
    tab_feat = F.relu(tabular @ lin.weight.T + lin.bias)
    cat_feat = model.embedding.weight[category]
    w = model.head.weight
    a, b = image_feat.shape[1], tab_feat.shape[1]
    return (
        image_feat @ w[:, :a].T
        + tab_feat @ w[:, a : a + b].T
        + cat_feat @ w[:, a + b :].T
        + model.head.bias
    )


def with_open_relus(model: MultiInputNet) -> MultiInputNet:
    with torch.no_grad():
        model.image_tower[0].bias.fill_(1.0)
        model.tabular_tower[0].bias.fill_(1.0)
    return model


@pytest.mark.parametrize("config", CONFIGS, ids=str)
@pytest.mark.parametrize(("batch", "height", "width"), IMAGES)
def test_forward(config: tuple[int, ...], batch: int, height: int, width: int) -> None:
    model = make(config, seed=batch + height)
    image, tabular, category = inputs(config, batch, height, width, seed=width)
    with torch.no_grad():
        got = model(image, tabular, category)
        assert isinstance(got, torch.Tensor), f"forward should return a tensor, got {type(got)}"
        assert_shape(
            got,
            (batch, config[3]),
            f"MultiInputNet{config} logits for a batch of {batch} ({height}x{width} images)",
        )
        assert_tensor(
            got,
            by_hand(model, image, tabular, category),
            what="head([image features, tabular features, category embedding])",
            atol=1e-5,
            rtol=1e-5,
        )


@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_towers_and_parameter_count(config: tuple[int, ...]) -> None:
    channels, tabular, categories, classes, width, embed = config
    model = make(config, seed=1)
    kinds = {name: type(m).__name__ for name, m in model.named_children()}
    want_kinds = {
        "image_tower": "Sequential",
        "tabular_tower": "Sequential",
        "embedding": "Embedding",
        "head": "Linear",
    }
    assert kinds == want_kinds, f"MultiInputNet's submodules: expected {want_kinds}, got {kinds}"
    want = (
        (channels * width * 9 + width)
        + (tabular * width + width)
        + categories * embed
        + ((2 * width + embed) * classes + classes)
    )
    got = sum(p.numel() for p in model.parameters())
    assert got == want, (
        f"MultiInputNet{config} should have {want} parameters (conv, tabular Linear, embedding "
        f"table, head over 2 * width + embed_dim features), got {got}"
    )


def test_default_sizes() -> None:
    torch.manual_seed(2)
    model = MultiInputNet(3, 4, 5, 2)
    sizes = (model.image_tower[0].out_channels, model.embedding.embedding_dim)
    assert sizes == (16, 8), f"default (width, embed_dim) should be (16, 8), got {sizes}"


@pytest.mark.parametrize("which", ["image", "tabular", "category"])
def test_each_input_changes_only_its_own_sample(which: str) -> None:
    config = CONFIGS[0]
    model = with_open_relus(make(config, seed=3))
    image, tabular, category = inputs(config, 5, 6, 6, seed=4)
    changed = {"image": image.clone(), "tabular": tabular.clone(), "category": category.clone()}
    if which == "category":
        changed["category"][2] = (category[2] + 1) % config[2]
    else:
        changed[which][2] += 2.0
    with torch.no_grad():
        base = model(image, tabular, category)
        after = model(changed["image"], changed["tabular"], changed["category"])
    rows = [i for i in range(5) if not torch.allclose(base[i], after[i])]
    assert rows == [2], (
        f"changing the {which} of sample 2 changed the logits of samples {rows}: every input "
        "must be used, and each sample's features joined on the feature dim (dim 1)"
    )


def test_works_with_keywords_and_batch_dicts() -> None:
    config = CONFIGS[1]
    model = make(config, seed=5)
    image, tabular, category = inputs(config, 3, 7, 7, seed=6)
    batch = {"category": category, "image": image, "tabular": tabular}  # as a DataLoader gives
    with torch.no_grad():
        assert_tensor(
            model(**batch),
            model(image, tabular, category),
            what="model(**batch) with the inputs named image, tabular and category",
            atol=0,
            rtol=0,
        )


def test_gradients_reach_every_parameter_and_only_used_embeddings() -> None:
    config = CONFIGS[1]  # 10 categories
    model = with_open_relus(make(config, seed=7))
    image, tabular, _ = inputs(config, 4, 6, 6, seed=8)
    category = torch.tensor([1, 3, 3, 7])
    model(image, tabular, category).pow(2).sum().backward()
    missing = [
        n
        for n, p in model.named_parameters()
        if n != "embedding.weight" and (p.grad is None or not p.grad.any())
    ]
    assert not missing, f"no gradient reached {missing}"
    grad = model.embedding.weight.grad
    assert grad is not None, "no gradient reached the embedding table"
    used = [int(i) for i in grad.abs().sum(dim=1).nonzero().flatten()]
    assert used == [1, 3, 7], (
        f"only the embedding rows of the categories in the batch (1, 3, 7) should get a "
        f"gradient, got rows {used}: look the categories up in the table (nn.Embedding)"
    )


@pytest.mark.parametrize(("sizes"), [(4, 3, 3), (3, 4, 3), (3, 3, 4)])
def test_mismatched_batches_raise_value_error(sizes: tuple[int, int, int]) -> None:
    config = CONFIGS[0]
    model = make(config, seed=9)
    image = randn(sizes[0], config[0], 5, 5, seed=10)
    tabular = randn(sizes[1], config[1], seed=11)
    category = torch.zeros(sizes[2], dtype=torch.int64)
    with pytest.raises(ValueError, match="same number of samples") as info:
        model(image, tabular, category)
    assert str(sizes) in str(info.value), (
        f"the ValueError should name the three batch sizes {sizes}, got: {info.value}"
    )
