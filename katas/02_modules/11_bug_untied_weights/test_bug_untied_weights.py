"""Spec for bugs/untied-weights: the embedding and the output layer share one matrix."""

import copy

import pytest
import torch
import torch.nn.functional as F
from bug_untied_weights import TinyLM

from katakit.testing import assert_tensor

VOCAB, DIM = 11, 6


def make_model(seed: int) -> TinyLM:
    torch.manual_seed(seed)
    return TinyLM(VOCAB, DIM)


def tokens(b: int, t: int, seed: int) -> torch.Tensor:
    return torch.randint(0, VOCAB, (b, t), generator=torch.Generator().manual_seed(seed))


def formula(
    tok: torch.Tensor, w: torch.Tensor, mix_w: torch.Tensor, mix_b: torch.Tensor
) -> torch.Tensor:
    """Logits with one shared (vocab, dim) matrix w, used to embed and to score."""
    return torch.tanh(F.linear(F.embedding(tok, w), mix_w, mix_b)) @ w.T


def lm_loss(logits: torch.Tensor, tok: torch.Tensor) -> torch.Tensor:
    """Next-token cross-entropy: position t predicts token t + 1."""
    return F.cross_entropy(logits[:, :-1].reshape(-1, VOCAB), tok[:, 1:].reshape(-1))


def test_the_shared_matrix_is_counted_once() -> None:
    model = make_model(seed=0)
    got = sum(p.numel() for p in model.parameters())
    want = VOCAB * DIM + DIM * DIM + DIM
    assert got == want, (
        f"TinyLM({VOCAB}, {DIM}) has {got} parameters; with one shared {VOCAB}x{DIM} matrix "
        f"it should have {want} ({VOCAB * DIM} shared + {DIM * DIM + DIM} in mix): the output "
        "layer holds a matrix of its own"
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_forward_uses_the_embedding_matrix_to_score(seed: int) -> None:
    model = make_model(seed)
    tok = tokens(3, 5, seed=10 + seed)
    with torch.no_grad():
        model.embed.weight.mul_(2.0)  # change the embedding after construction
        want = formula(tok, model.embed.weight, model.mix.weight, model.mix.bias)
        got = model(tok)
    assert_tensor(
        got,
        want,
        what="logits after scaling model.embed.weight: the output layer must score with the "
        "very same matrix",
        atol=1e-5,
        rtol=1e-5,
    )


def test_gradient_of_the_shared_matrix_sums_both_uses() -> None:
    model = make_model(seed=3)
    tok = tokens(4, 6, seed=20)
    lm_loss(model(tok), tok).backward()
    w = model.embed.weight.detach().clone().requires_grad_()
    loss = lm_loss(formula(tok, w, model.mix.weight.detach(), model.mix.bias.detach()), tok)
    (want,) = torch.autograd.grad(loss, [w])
    got = model.embed.weight.grad
    assert got is not None, "backward left no gradient on the embedding"
    assert_tensor(
        got,
        want,
        what="gradient of the shared matrix (from the embedding lookup and the output layer)",
        atol=1e-6,
        rtol=1e-5,
    )


def test_training_keeps_the_two_uses_identical() -> None:
    model = make_model(seed=4)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for step in range(5):
        tok = tokens(4, 8, seed=30 + step)
        optimizer.zero_grad()
        lm_loss(model(tok), tok).backward()
        optimizer.step()
    assert_tensor(
        model.head.weight.detach(),
        model.embed.weight.detach(),
        what="head.weight against embed.weight after 5 Adam steps (tied weights stay equal)",
        atol=0,
        rtol=0,
    )


def test_state_dict_round_trip() -> None:
    model, other = make_model(seed=5), make_model(seed=6)
    other.load_state_dict(copy.deepcopy(model.state_dict()))
    tok = tokens(2, 4, seed=40)
    with torch.no_grad():
        assert_tensor(other(tok), model(tok), what="a copy loaded from the state_dict")
    assert tuple(model(tok).shape) == (2, 4, VOCAB), "logits should be (B, T, vocab_size)"
    assert model.head.bias is None, "the output layer has no bias"
