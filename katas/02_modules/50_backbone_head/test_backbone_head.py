"""Spec for modules/backbone-head: Backbone and Classifier.

Oracles: the backbone's forward written with functional ops and its own tensors, torchvision's
ResNet-18 (built with ``weights=None``: nothing is downloaded) as a second backbone, and
``torch.optim.SGD`` for the parameter groups.
"""

import pytest
import torch
import torch.nn.functional as F
from backbone_head import Backbone, Classifier
from torch import nn
from torchvision.models import resnet18

from katakit.testing import assert_shape, assert_tensor

# (batch, in_channels, width, height, image_width): square, non-square, odd, tiny
SIZES = [(2, 3, 8, 32, 32), (3, 1, 4, 17, 9), (1, 3, 6, 5, 5), (4, 2, 5, 12, 20)]


def rand(*shape: int, seed: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def make_backbone(in_channels: int, width: int, seed: int) -> Backbone:
    torch.manual_seed(seed)
    backbone = Backbone(in_channels, width)
    with torch.no_grad():  # running stats and affine parameters away from 0 and 1
        for module in backbone.modules():
            if isinstance(module, nn.BatchNorm2d):
                c = module.num_features
                module.running_mean.copy_(rand(c, seed=seed + c))
                module.running_var.copy_(rand(c, seed=seed + c + 1).abs() + 0.5)
                module.weight.copy_(rand(c, seed=seed + c + 2))
                module.bias.copy_(rand(c, seed=seed + c + 3))
    return backbone


def backbone_by_hand(backbone: Backbone, x: torch.Tensor) -> torch.Tensor:
    conv1, bn1, _, conv2, bn2, *_ = backbone.layers

    def bn(h: torch.Tensor, m: nn.BatchNorm2d) -> torch.Tensor:
        return F.batch_norm(h, m.running_mean, m.running_var, m.weight, m.bias, eps=m.eps)

    h = F.relu(bn(F.conv2d(x, conv1.weight, conv1.bias, padding=1), bn1))
    h = F.relu(bn(F.conv2d(h, conv2.weight, conv2.bias, stride=2, padding=1), bn2))
    return h.mean(dim=(2, 3))


def make_classifier(in_channels: int, width: int, classes: int, seed: int) -> Classifier:
    backbone = make_backbone(in_channels, width, seed)
    torch.manual_seed(seed + 1)
    return Classifier(backbone, backbone.feature_dim, classes)


@pytest.mark.parametrize(("batch", "in_channels", "width", "height", "image_width"), SIZES)
def test_backbone_features_for_any_image_size(
    batch: int, in_channels: int, width: int, height: int, image_width: int
) -> None:
    backbone = make_backbone(in_channels, width, seed=batch + width).eval()
    assert backbone.feature_dim == 2 * width, (
        f"Backbone({in_channels}, {width}).feature_dim should be {2 * width}, got "
        f"{backbone.feature_dim}"
    )
    x = rand(batch, in_channels, height, image_width, seed=height)
    with torch.no_grad():
        got = backbone(x)
        assert isinstance(got, torch.Tensor), f"Backbone should return a tensor, got {type(got)}"
        assert_shape(
            got,
            (batch, 2 * width),
            f"Backbone features of a {tuple(x.shape)} batch "
            "(global average pooling makes them independent of the image size)",
        )
        assert_tensor(
            got,
            backbone_by_hand(backbone, x),
            what="Backbone in eval mode: conv-bn-relu, strided conv-bn-relu, global average "
            "pool, flatten",
            atol=1e-5,
            rtol=1e-4,
        )


@pytest.mark.parametrize(("in_channels", "width"), [(3, 8), (1, 4), (2, 5)])
def test_backbone_layers_and_parameter_count(in_channels: int, width: int) -> None:
    backbone = make_backbone(in_channels, width, seed=1)
    kinds = [type(m).__name__ for m in backbone.layers]
    want_kinds = [
        "Conv2d",
        "BatchNorm2d",
        "ReLU",
        "Conv2d",
        "BatchNorm2d",
        "ReLU",
        "AdaptiveAvgPool2d",
        "Flatten",
    ]
    assert kinds == want_kinds, f"Backbone.layers: expected {want_kinds}, got {kinds}"
    w = width
    want = (in_channels * w * 9 + w) + 2 * w + (w * 2 * w * 9 + 2 * w) + 2 * 2 * w
    got = sum(p.numel() for p in backbone.parameters())
    assert got == want, f"Backbone({in_channels}, {width}) should have {want} parameters, got {got}"


@pytest.mark.parametrize("classes", [10, 3, 1])
def test_classifier_is_head_over_features(classes: int) -> None:
    model = make_classifier(3, 6, classes, seed=classes).eval()
    x = rand(5, 3, 16, 12, seed=classes)
    with torch.no_grad():
        features = model.features(x)
        assert_tensor(features, model.backbone(x), what="Classifier.features(x) = backbone(x)")
        logits = model(x)
        assert_shape(logits, (5, classes), f"logits of a {classes}-class Classifier")
        assert_tensor(logits, model.head(features), what="Classifier(x) = head(features(x))")
    assert isinstance(model.head, nn.Linear) and model.head.in_features == 12, (
        f"head should be nn.Linear(feature_dim=12, {classes}), got {model.head}"
    )
    got = sum(p.numel() for p in model.parameters())
    want = sum(p.numel() for p in model.backbone.parameters()) + 12 * classes + classes
    assert got == want, f"Classifier parameters: backbone + head = {want} expected, got {got}"


def test_classifier_takes_any_backbone() -> None:
    torch.manual_seed(2)
    resnet = resnet18(weights=None)
    resnet.fc = nn.Identity()  # ResNet-18 without its own head: 512 features per image
    model = Classifier(resnet, 512, 7).eval()
    assert model.backbone is resnet, "Classifier should keep the backbone it was given"
    x = rand(2, 3, 32, 32, seed=3)
    with torch.no_grad():
        assert_shape(model.features(x), (2, 512), "ResNet-18 features")
        assert_tensor(model(x), model.head(resnet(x)), what="Classifier over a ResNet-18")
    assert_shape(model(x), (2, 7), "Classifier(resnet18, 512, 7) logits")


def test_replace_head_keeps_the_backbone() -> None:
    model = make_classifier(3, 6, 10, seed=4).eval()
    backbone_params = {n: p for n, p in model.backbone.named_parameters()}
    backbone_state = {n: t.clone() for n, t in model.backbone.state_dict().items()}
    old_head = model.head
    x = rand(3, 3, 9, 9, seed=5)
    with torch.no_grad():
        before = model.features(x)
    torch.manual_seed(6)
    result = model.replace_head(4)
    assert result is None, "replace_head changes the model in place and returns nothing"
    assert isinstance(model.head, nn.Linear) and model.head is not old_head, (
        "replace_head should put a new nn.Linear in model.head"
    )
    assert (model.head.in_features, model.head.out_features) == (12, 4), (
        f"the new head should map feature_dim=12 features to 4 classes, got "
        f"({model.head.in_features}, {model.head.out_features})"
    )
    for name, param in model.backbone.named_parameters():
        assert param is backbone_params[name], f"backbone parameter {name} was replaced"
    for name, value in model.backbone.state_dict().items():
        assert torch.equal(value, backbone_state[name]), f"backbone {name} changed"
    with torch.no_grad():
        assert_tensor(model.features(x), before, what="features after replace_head (unchanged)")
        assert_shape(model(x), (3, 4), "logits after replace_head(4)")
    ids = {id(p) for p in model.parameters()}
    assert id(old_head.weight) not in ids, "the old head's weight is still among the parameters"


def test_param_groups_split_backbone_and_head() -> None:
    model = make_classifier(2, 4, 3, seed=7)
    groups = model.param_groups(0.0, 0.5)
    assert [g["lr"] for g in groups] == [0.0, 0.5], (
        f"param_groups(0.0, 0.5) should give the backbone group lr 0.0 first, then the head "
        f"group lr 0.5, got {[g.get('lr') for g in groups]}"
    )
    backbone_ids = [id(p) for p in groups[0]["params"]]
    head_ids = [id(p) for p in groups[1]["params"]]
    assert sorted(backbone_ids) == sorted(id(p) for p in model.backbone.parameters()), (
        "the first group should hold exactly the backbone's parameters"
    )
    assert sorted(head_ids) == sorted(id(p) for p in model.head.parameters()), (
        "the second group should hold exactly the head's parameters"
    )
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    optimizer = torch.optim.SGD(groups)
    model(rand(6, 2, 8, 8, seed=8)).pow(2).sum().backward()
    optimizer.step()
    moved = sorted(n for n, p in model.named_parameters() if not torch.equal(p, before[n]))
    assert moved == ["head.bias", "head.weight"], (
        f"an SGD step with backbone lr 0 should move only the head, moved {moved}"
    )


def test_gradients_reach_every_parameter() -> None:
    model = make_classifier(3, 4, 5, seed=9).train()
    model(rand(6, 3, 10, 10, seed=10)).pow(2).sum().backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None or not p.grad.any()]
    assert not missing, f"no gradient reached {missing}"


def test_eval_mode_predictions_are_per_sample() -> None:
    model = make_classifier(3, 5, 4, seed=11).eval()
    x = rand(5, 3, 11, 7, seed=12)
    with torch.no_grad():
        batch = model(x)
        alone = torch.cat([model(x[i : i + 1]) for i in range(5)])
    assert_tensor(
        batch,
        alone,
        what="eval-mode logits of a batch against each image alone",
        atol=1e-5,
        rtol=1e-5,
    )
