"""Spec for bugs/softmax-cross-entropy: the model gives logits, cross-entropy normalises them."""

import copy

import pytest
import torch
import torch.nn.functional as F
from bug_softmax_cross_entropy import Classifier, predict_proba, train_step
from torch import nn

from katakit.testing import assert_tensor

CENTERS = torch.tensor([[3.0, 0.0], [-3.0, 0.0], [0.0, 3.0]])


def blobs(per_class: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Three well separated clusters of 2-D points, one per class."""
    y = torch.arange(3).repeat(per_class)
    x = CENTERS[y] + 0.5 * torch.randn(len(y), 2, generator=torch.Generator().manual_seed(seed))
    return x, y


def make_model(seed: int, hidden: int = 16) -> Classifier:
    torch.manual_seed(seed)
    return Classifier(2, hidden, 3)


def logits_by_hand(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    first, second = (m for m in model.modules() if isinstance(m, nn.Linear))
    return F.linear(F.relu(F.linear(x, first.weight, first.bias)), second.weight, second.bias)


@pytest.mark.parametrize(("seed", "hidden"), [(0, 16), (1, 5)])
def test_forward_returns_raw_scores(seed: int, hidden: int) -> None:
    model = make_model(seed, hidden)
    x, _ = blobs(4, seed=10 + seed)
    with torch.no_grad():
        got, want = model(x), logits_by_hand(model, x)
    assert_tensor(
        got,
        want,
        what="model(x): the raw scores of the last Linear layer (logits); a row of the output "
        "should not be forced to sum to 1",
        atol=1e-6,
        rtol=1e-5,
    )


def test_train_step_minimises_cross_entropy_of_the_logits() -> None:
    model = make_model(seed=2)
    reference = copy.deepcopy(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.1)
    for step in range(2):
        x, y = blobs(3, seed=20 + step)
        ref_opt.zero_grad()
        want = F.cross_entropy(logits_by_hand(reference, x), y)
        want.backward()
        ref_opt.step()
        got = train_step(model, x, y, optimizer)
        assert isinstance(got, float), f"train_step should return a float, got {type(got)}"
        assert abs(got - want.item()) <= 1e-5, (
            f"step {step}: train_step reported loss {got:.5f}; the cross-entropy of the "
            f"logits is {want.item():.5f}. Cross-entropy applies log-softmax itself: what "
            "does it receive here?"
        )
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        assert_tensor(p.detach(), q.detach(), what=f"{name} after 2 steps", atol=1e-6, rtol=1e-5)


def test_training_becomes_confident_on_separable_classes() -> None:
    model = make_model(seed=3)
    x, y = blobs(30, seed=30)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    losses = [train_step(model, x, y, optimizer) for _ in range(60)]
    probs = predict_proba(model, CENTERS)
    sure = probs[torch.arange(3), torch.arange(3)]
    assert losses[-1] < 0.05 and bool((sure > 0.95).all()), (
        f"after 60 Adam steps on three separable clusters the loss is {losses[-1]:.3f} "
        f"(expected below 0.05) and the probability of the right class at the cluster "
        f"centres is {[round(p, 3) for p in sure.tolist()]} (expected above 0.95): the model "
        "cannot become confident"
    )


def test_predict_proba_gives_probabilities_of_the_logits() -> None:
    model = make_model(seed=4)
    x, _ = blobs(3, seed=40)
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(4.0)  # sharper scores, so a second softmax would show
        want = torch.softmax(logits_by_hand(model, x), dim=1)
    got = predict_proba(model, x)
    assert not got.requires_grad, "predict_proba should not track gradients"
    assert_tensor(got, want, what="predict_proba(model, x)", atol=1e-6, rtol=1e-5)
