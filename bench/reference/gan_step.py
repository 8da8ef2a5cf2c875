"""PyTorch reference of gankit's fixed GAN: the same models, losses and Adam.

Times, with 1 and with 2 threads (the best of each is what the bench compares):
  course   one step (D step + G step, non-saturating), no dropout
  study    the same with Dropout(0.3) after every hidden layer of G and D
  wgan-gp  one critic step with the gradient penalty (lambda 10) + one G step,
           Adam 1e-4, betas (0.5, 0.9), no dropout
at each batch size given, and then one MNIST-sized epoch (60,000 images,
shuffled, batch 64, the study preset) with the faster thread count.
Prints JSON. Run with Debian's python3-torch:

    /usr/bin/python3 bench/reference/gan_step.py 64 256

With --device cuda first (a CUDA build of torch), the same on the GPU, each
timing ended by a synchronisation; thread counts do not apply there.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

LATENT = 100
EPOCH_IMAGES = 60000
EPOCH_BATCH = 64
DEVICE = "cpu"


def synchronize():
    if DEVICE == "cuda":
        torch.cuda.synchronize()


def mlp(widths, dropout, out_activation):
    layers = []
    for i in range(1, len(widths)):
        layers.append(nn.Linear(widths[i - 1], widths[i]))
        if i < len(widths) - 1:
            layers.append(nn.LeakyReLU(0.2))
            if dropout:
                layers.append(nn.Dropout(dropout))
    if out_activation is not None:
        layers.append(out_activation)
    return nn.Sequential(*layers)


def gradient_penalty(D, real, fake):
    epsilon = torch.rand(real.shape[0], 1, device=DEVICE)
    points = (epsilon * real + (1 - epsilon) * fake).requires_grad_(True)
    (gradient,) = torch.autograd.grad(D(points).sum(), points, create_graph=True)
    return ((gradient.norm(dim=1) - 1) ** 2).mean()


def make_step(variant, batch):
    """A closure doing one D step and one G step on the given real batch."""
    torch.manual_seed(0)
    dropout = 0.3 if variant == "study" else 0
    G = mlp([LATENT, 256, 512, 1024, 784], dropout, nn.Tanh()).to(DEVICE)
    D = mlp([784, 1024, 512, 256, 1], dropout, None).to(DEVICE)
    lr, betas = (1e-4, (0.5, 0.9)) if variant == "wgan-gp" else (2e-4, (0.9, 0.999))
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=betas)

    def step(real):
        with torch.no_grad():
            fake = G(torch.randn(real.shape[0], LATENT, device=DEVICE))
        opt_d.zero_grad()
        if variant == "wgan-gp":
            d_loss = D(fake).mean() - D(real).mean() + 10 * gradient_penalty(D, real, fake)
        else:
            d_loss = F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad()
        scores = D(G(torch.randn(batch, LATENT, device=DEVICE)))
        g_loss = -scores.mean() if variant == "wgan-gp" else F.softplus(-scores).mean()
        g_loss.backward()
        opt_g.step()

    return step


def time_steps(variant, batch, steps=30, warmup=5):
    step = make_step(variant, batch)
    real = torch.rand(batch, 784, device=DEVICE) * 2 - 1
    for _ in range(warmup):
        step(real)
    best = float("inf")
    # Best of several rounds: the machine is shared and noisy.
    for _ in range(3):
        synchronize()
        start = time.perf_counter()
        for _ in range(steps):
            step(real)
        synchronize()
        best = min(best, (time.perf_counter() - start) / steps * 1000)
    return best


def time_epoch():
    """Seconds for one shuffled pass over 60,000 images at batch 64 (the last partial batch dropped, as gankit does)."""
    step = make_step("study", EPOCH_BATCH)
    images = torch.rand(EPOCH_IMAGES, 784, device=DEVICE) * 2 - 1
    synchronize()
    start = time.perf_counter()
    order = torch.randperm(EPOCH_IMAGES, device=DEVICE)
    for first in range(0, EPOCH_IMAGES - EPOCH_BATCH + 1, EPOCH_BATCH):
        step(images[order[first:first + EPOCH_BATCH]])
    synchronize()
    return time.perf_counter() - start


def main():
    global DEVICE
    args = sys.argv[1:]
    if args[:1] == ["--device"]:
        DEVICE, args = args[1], args[2:]
    batches = [int(b) for b in args] or [64, 256]
    results = {}
    if DEVICE == "cuda":
        results = {variant: {"cuda": {str(b): time_steps(variant, b) for b in batches}} for variant in ("course", "study", "wgan-gp")}
        epoch = {"device": torch.cuda.get_device_name(), "seconds": time_epoch(), "preset": "study"}
        print(json.dumps({"torch": torch.__version__, "ms_per_step": results, "epoch": epoch}))
        return
    for variant in ("course", "study", "wgan-gp"):
        results[variant] = {}
        for threads in (1, 2):
            torch.set_num_threads(threads)
            results[variant][str(threads)] = {str(b): time_steps(variant, b) for b in batches}
    # The epoch runs with whichever thread count gave the faster study step at the first batch size.
    epoch_threads = min((1, 2), key=lambda t: results["study"][str(t)][str(batches[0])])
    torch.set_num_threads(epoch_threads)
    epoch = {"threads": epoch_threads, "seconds": time_epoch(), "preset": "study"}
    print(json.dumps({"torch": torch.__version__, "ms_per_step": results, "epoch": epoch}))


if __name__ == "__main__":
    main()
