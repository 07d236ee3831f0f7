"""Reference solution for bugs/gan-detach."""

from __future__ import annotations

import torch
from torch import nn

bce = nn.BCEWithLogitsLoss()


def make_generator(latent_dim: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(latent_dim, 16), nn.ReLU(), nn.Linear(16, 2))


def make_discriminator() -> nn.Sequential:
    return nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))


def gan_step(
    generator: nn.Module,
    discriminator: nn.Module,
    real: torch.Tensor,
    z: torch.Tensor,
    opt_g: torch.optim.Optimizer,
    opt_d: torch.optim.Optimizer,
) -> tuple[float, float]:
    ones = torch.ones(len(real), 1)
    zeros = torch.zeros(len(real), 1)
    opt_g.zero_grad()
    opt_d.zero_grad()
    fake = generator(z)

    # 1. discriminator: real -> 1, fake -> 0
    loss_d = bce(discriminator(real), ones) + bce(discriminator(fake.detach()), zeros)
    loss_d.backward()
    opt_d.step()

    # 2. generator: make the discriminator say 1 for the fakes
    loss_g = bce(discriminator(fake), ones)
    loss_g.backward()
    opt_g.step()
    return loss_d.item(), loss_g.item()
