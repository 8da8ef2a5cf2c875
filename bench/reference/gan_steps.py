"""PyTorch reference of gankit's training steps, on gankit's own numbers.

Reads a directory written by gankit's step-equivalence check (bench and test):
  spec.json      widths, dropout rate, learning rate, betas, eps, steps, batch
  initial.f32    G's then D's layers: each weight as PyTorch's [out, in], then its bias
  real.f32       steps x batch x 784 real images
  z.f32          steps x 2 x batch x 100 latents (the D step's, then the G step's)
  draws.u32      every 32-bit draw gankit's dropout stream made, in order
Runs the same D step and G step `steps` times in float64 (the non-saturating
loss, Adam), with dropout masks rebuilt from the draws in gankit's order, and
writes final.f64: the weights after the last step, in the layout of initial.f32.

    /usr/bin/python3 bench/reference/gan_steps.py DIR
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class ReplayedDropout(nn.Module):
    """Inverted dropout whose masks come from recorded 32-bit draws (gankit's order: row by row)."""

    def __init__(self, rate, draws):
        super().__init__()
        self.rate = rate
        self.draws = draws

    def forward(self, x):
        if self.rate == 0:
            return x
        count = x.numel()
        values = self.draws.take(count)
        keep = torch.from_numpy(values >= self.rate * 2.0**32).reshape(x.shape)
        return x * keep.to(x.dtype) / (1 - self.rate)


class Draws:
    def __init__(self, values):
        self.values = values
        self.position = 0

    def take(self, count):
        chunk = self.values[self.position:self.position + count]
        if len(chunk) < count:
            raise SystemExit("gan_steps.py: ran out of recorded dropout draws; the two step orders differ.")
        self.position += count
        return chunk


def mlp(widths, rate, draws, out_activation):
    layers = []
    for i in range(1, len(widths)):
        layers.append(nn.Linear(widths[i - 1], widths[i]))
        if i < len(widths) - 1:
            layers.append(nn.LeakyReLU(0.2))
            layers.append(ReplayedDropout(rate, draws))
    if out_activation is not None:
        layers.append(out_activation)
    return nn.Sequential(*layers).double()


def linears(model):
    return [m for m in model if isinstance(m, nn.Linear)]


def main():
    directory = sys.argv[1]
    with open(os.path.join(directory, "spec.json")) as f:
        spec = json.load(f)
    draws = Draws(np.fromfile(os.path.join(directory, "draws.u32"), dtype=np.uint32).astype(np.float64))
    G = mlp(spec["generatorWidths"], spec["dropoutG"], draws, nn.Tanh())
    D = mlp(spec["discriminatorWidths"], spec["dropoutD"], draws, None)
    initial = np.fromfile(os.path.join(directory, "initial.f32"), dtype=np.float32).astype(np.float64)
    offset = 0
    for layer in linears(G) + linears(D):
        for parameter in (layer.weight, layer.bias):
            n = parameter.numel()
            parameter.data = torch.from_numpy(initial[offset:offset + n].reshape(parameter.shape).copy())
            offset += n
    steps, batch = spec["steps"], spec["batch"]
    real = torch.from_numpy(np.fromfile(os.path.join(directory, "real.f32"), dtype=np.float32).astype(np.float64)).reshape(steps, batch, 784)
    z = torch.from_numpy(np.fromfile(os.path.join(directory, "z.f32"), dtype=np.float32).astype(np.float64)).reshape(steps, 2, batch, 100)
    adam = dict(lr=spec["lr"], betas=tuple(spec["betas"]), eps=spec["eps"])
    opt_g = torch.optim.Adam(G.parameters(), **adam)
    opt_d = torch.optim.Adam(D.parameters(), **adam)
    losses = []
    for step in range(steps):
        # gankit's D step: G(z) first, then D once on the real batch with the fakes below it.
        fake = G(z[step, 0]).detach()
        d_real, d_fake = D(torch.cat([real[step], fake])).split(batch)
        d_loss = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        g_loss = F.softplus(-D(G(z[step, 1]))).mean()
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        losses.append([d_loss.item(), g_loss.item()])
    if draws.position != len(draws.values):
        raise SystemExit(f"gan_steps.py: {len(draws.values) - draws.position} dropout draws left over; the two step orders differ.")
    final = np.concatenate([p.detach().numpy().ravel() for layer in linears(G) + linears(D) for p in (layer.weight, layer.bias)])
    final.tofile(os.path.join(directory, "final.f64"))
    with open(os.path.join(directory, "losses.json"), "w") as f:
        json.dump(losses, f)


if __name__ == "__main__":
    main()
