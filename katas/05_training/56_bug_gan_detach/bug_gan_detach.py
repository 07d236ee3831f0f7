"""Bug hunt: a GAN whose training step crashes with "backward through the graph a second time".

A colleague trains a tiny GAN on 2-D points. The generator turns noise into fake points; the
discriminator scores points (a logit: high for real, low for fake). One ``gan_step`` does the
textbook alternation:

1. the discriminator learns to tell the real batch from the generated one (real -> 1,
   fake -> 0), and takes its optimizer step;
2. the generator learns to make the (updated) discriminator call its fakes real (fake -> 1),
   and takes its optimizer step.

The very first call dies in the generator's part with::

    RuntimeError: Trying to backward through the graph a second time (or directly access
    saved tensors after they have already been freed). [...] Specify retain_graph=True if
    you need to backward through the graph a second time [...]

"So I added retain_graph=True as the message says. It runs now, but the generator learns
something odd." Undo that idea: find the real bug and fix it, changing as little as possible.

The contract (the spec checks it):

- ``make_generator(latent_dim)``: ``Linear(latent_dim, 16) -> ReLU -> Linear(16, 2)``.
- ``make_discriminator()``: ``Linear(2, 16) -> LeakyReLU(0.2) -> Linear(16, 1)``.
- ``gan_step(generator, discriminator, real, z, opt_g, opt_d)``: ``real`` is ``(B, 2)``, ``z``
  is ``(B, latent_dim)``. The discriminator's step follows the gradient of its own loss
  (binary cross-entropy with logits, summed over the real and the fake half) with respect to
  its own parameters; the generator's step follows the gradient of the generator's loss only.
  Returns both losses as Python floats, ``(loss_d, loss_g)``.

Check it: ``kata check bugs/gan-detach``.
"""

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
    loss_d = bce(discriminator(real), ones) + bce(discriminator(fake), zeros)
    loss_d.backward()
    opt_d.step()

    # 2. generator: make the discriminator say 1 for the fakes
    loss_g = bce(discriminator(fake), ones)
    loss_g.backward()
    opt_g.step()
    return loss_d.item(), loss_g.item()
