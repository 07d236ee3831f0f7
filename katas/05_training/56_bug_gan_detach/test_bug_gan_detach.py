"""Spec for bugs/gan-detach: each network steps on the gradient of its own loss."""

import copy

import pytest
import torch
import torch.nn.functional as F
from bug_gan_detach import gan_step, make_discriminator, make_generator
from torch import nn

from katakit.testing import assert_tensor

LATENT = 3


def make_pair(seed: int) -> tuple[nn.Module, nn.Module]:
    torch.manual_seed(seed)
    return make_generator(LATENT), make_discriminator()


def batch(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    real = torch.randn(n, 2, generator=gen) * 0.3 + torch.tensor([2.0, -1.0])
    return real, torch.randn(n, LATENT, generator=gen)


def textbook_step(
    g: nn.Module, d: nn.Module, real: torch.Tensor, z: torch.Tensor, lr: float
) -> tuple[float, float]:
    """The alternation written with torch.autograd.grad: each loss, its own parameters."""
    bce = F.binary_cross_entropy_with_logits
    ones, zeros = torch.ones(len(real), 1), torch.zeros(len(real), 1)
    fake = g(z)
    loss_d = bce(d(real), ones) + bce(d(fake), zeros)
    grads = torch.autograd.grad(loss_d, list(d.parameters()))
    with torch.no_grad():
        for p, grad in zip(d.parameters(), grads, strict=True):
            p -= lr * grad
    loss_g = bce(d(fake), ones)
    grads = torch.autograd.grad(loss_g, list(g.parameters()))
    with torch.no_grad():
        for p, grad in zip(g.parameters(), grads, strict=True):
            p -= lr * grad
    return loss_d.item(), loss_g.item()


@pytest.mark.parametrize(("n", "steps"), [(8, 1), (5, 3)])
def test_each_network_steps_on_its_own_loss(n: int, steps: int) -> None:
    generator, discriminator = make_pair(seed=n)
    ref_g, ref_d = copy.deepcopy(generator), copy.deepcopy(discriminator)
    opt_g = torch.optim.SGD(generator.parameters(), lr=0.1)
    opt_d = torch.optim.SGD(discriminator.parameters(), lr=0.1)
    for step in range(steps):
        real, z = batch(n, seed=10 * n + step)
        want = textbook_step(ref_g, ref_d, real, z, lr=0.1)
        got = gan_step(generator, discriminator, real, z, opt_g, opt_d)
        assert all(isinstance(v, float) for v in got), f"expected two floats, got {got!r}"
        assert all(abs(a - b) <= 1e-5 for a, b in zip(got, want, strict=True)), (
            f"step {step}: (loss_d, loss_g) = {got}, expected {want}"
        )
    for net, ref, what in ((discriminator, ref_d, "discriminator"), (generator, ref_g, "gen")):
        for (name, p), q in zip(net.named_parameters(), ref.parameters(), strict=True):
            assert_tensor(
                p.detach(),
                q.detach(),
                what=f"{what} {name} after {steps} step(s): the generator may only move along "
                "the gradient of its own loss (fool the discriminator), not of the "
                "discriminator's loss",
                atol=1e-6,
                rtol=1e-5,
            )


def test_training_the_pair_runs_for_a_while() -> None:
    generator, discriminator = make_pair(seed=1)
    opt_g = torch.optim.Adam(generator.parameters(), lr=0.01, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=0.01, betas=(0.5, 0.999))
    start = generator(batch(64, seed=99)[1]).mean(dim=0).detach()
    for step in range(60):
        gan_step(generator, discriminator, *batch(16, seed=step), opt_g, opt_d)
    end = generator(batch(64, seed=99)[1]).mean(dim=0).detach()
    target = torch.tensor([2.0, -1.0])
    assert (end - target).norm() < (start - target).norm() - 1.0, (
        f"after 60 steps the mean fake point moved from {start.tolist()} to {end.tolist()}; "
        f"it should head towards the real data around {target.tolist()}"
    )


def test_network_shapes() -> None:
    generator, discriminator = make_pair(seed=2)
    g_shapes = [tuple(p.shape) for p in generator.parameters()]
    d_shapes = [tuple(p.shape) for p in discriminator.parameters()]
    assert g_shapes == [(16, LATENT), (16,), (2, 16), (2,)], f"generator: {g_shapes}"
    assert d_shapes == [(16, 2), (16,), (1, 16), (1,)], f"discriminator: {d_shapes}"
    x = torch.tensor([[-1.0, 2.0]])
    with torch.no_grad():
        first, last = discriminator[0], discriminator[2]
        want = last(F.leaky_relu(first(x), 0.2))
        assert_tensor(discriminator(x), want, what="discriminator with LeakyReLU(0.2)")
        h = F.relu(generator[0](torch.ones(1, LATENT) * -1))
        assert_tensor(generator(torch.ones(1, LATENT) * -1), generator[2](h), what="generator")
