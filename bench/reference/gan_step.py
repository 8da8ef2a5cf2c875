"""PyTorch reference of gankit's fixed GAN: the same models, losses and Adam.

Times one training step (D step + G step, non-saturating loss) at the given
batch sizes and prints JSON: {"threads": {batch: ms}}. Run with Debian's
python3-torch: /usr/bin/python3 bench/reference/gan_step.py 64 256
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def mlp(widths, out_activation):
    layers = []
    for i in range(1, len(widths)):
        layers.append(nn.Linear(widths[i - 1], widths[i]))
        if i < len(widths) - 1:
            layers.append(nn.LeakyReLU(0.2))
    if out_activation is not None:
        layers.append(out_activation)
    return nn.Sequential(*layers)


def time_steps(batch, steps=30, warmup=5):
    torch.manual_seed(0)
    G = mlp([100, 256, 512, 1024, 784], nn.Tanh())
    D = mlp([784, 1024, 512, 256, 1], None)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.9, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.9, 0.999))
    real = torch.rand(batch, 784) * 2 - 1

    def step():
        z = torch.randn(batch, 100)
        with torch.no_grad():
            fake = G(z)
        opt_d.zero_grad()
        d_loss = F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad()
        g_loss = F.softplus(-D(G(torch.randn(batch, 100)))).mean()
        g_loss.backward()
        opt_g.step()

    for _ in range(warmup):
        step()
    best = float("inf")
    # Best of several rounds: the machine is shared and noisy.
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        best = min(best, (time.perf_counter() - start) / steps * 1000)
    return best


def main():
    batches = [int(b) for b in sys.argv[1:]] or [64, 256]
    results = {}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        results[str(threads)] = {str(b): time_steps(b) for b in batches}
    print(json.dumps({"torch": torch.__version__, "ms_per_step": results}))


if __name__ == "__main__":
    main()
