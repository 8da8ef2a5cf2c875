"""PyTorch reference of gankit's study and course GANs, for npm run bench:quality.

The same models (MLP G and D, LeakyReLU 0.2, nn.Linear's initialisation),
presets (study: Dropout(p) after every hidden layer of G and D; course: none),
loss (non-saturating BCE on logits), optimizer (Adam 2e-4, betas (0.9, 0.999),
eps 1e-8), batch 64 with the last partial batch dropped, and data (MNIST train
scaled to [-1, 1]) as `gankit train --preset PRESET`. G and D stay in training
mode for every training step, as in the study's code; samples come from G in
eval mode (no dropout).

After each epoch listed in --sample-at it writes N samples as an IDX file of
bytes (gankit's symmetric mapping: round((x + 1) / 2 * 255)), which
`gankit evaluate --samples FILE` scores.

    /usr/bin/python3 bench/reference/gan_train.py --images train-images-idx3-ubyte \
        --preset study --seed 0 --epochs 5 --sample-at 5 --out DIR [--device cuda]
"""
import argparse
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx_images(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, count, rows, cols = struct.unpack(">IIII", data[:16])
    if magic != 0x803:
        raise SystemExit(f"{path} is not an IDX file of images (magic {magic:#x}).")
    pixels = np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, rows * cols)
    return torch.from_numpy(pixels.astype(np.float32) / 255 * 2 - 1)


def write_idx_images(path, images):
    data = np.floor((images.clamp(-1, 1).cpu().numpy() + 1) / 2 * 255 + 0.5).astype(np.uint8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack(">IIII", 0x803, data.shape[0], 28, 28))
        f.write(data.tobytes())
    os.replace(path + ".tmp", path)


def mlp(widths, dropout, out_activation):
    layers = []
    for i in range(1, len(widths)):
        layers.append(nn.Linear(widths[i - 1], widths[i]))
        if i < len(widths) - 1:
            layers.append(nn.LeakyReLU(0.2))
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
    if out_activation is not None:
        layers.append(out_activation)
    return nn.Sequential(*layers)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", required=True)
    parser.add_argument("--preset", choices=["study", "course"], default="study")
    parser.add_argument("--dropout", type=float, default=0.3, help="the study preset's rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--sample-at", default="", help="comma-separated epochs (default: the last)")
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    torch.manual_seed(args.seed)
    dropout = args.dropout if args.preset == "study" else 0.0
    G = mlp([100, 256, 512, 1024, 784], dropout, nn.Tanh()).to(device)
    D = mlp([784, 1024, 512, 256, 1], dropout, None).to(device)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.9, 0.999), eps=1e-8)
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.9, 0.999), eps=1e-8)
    data = read_idx_images(args.images).to(device)
    steps = data.shape[0] // args.batch
    sample_at = {int(e) for e in args.sample_at.split(",") if e} or {args.epochs}
    os.makedirs(args.out, exist_ok=True)
    log = {"preset": args.preset, "dropout": dropout, "seed": args.seed, "device": str(device), "torch": torch.__version__, "epochs": []}
    started = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        G.train()
        D.train()
        order = torch.randperm(data.shape[0], device=device)
        for step in range(steps):
            real = data[order[step * args.batch:(step + 1) * args.batch]]
            fake = G(torch.randn(args.batch, 100, device=device)).detach()
            d_loss = F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()
            opt_d.zero_grad()
            d_loss.backward()
            opt_d.step()
            g_loss = F.softplus(-D(G(torch.randn(args.batch, 100, device=device)))).mean()
            opt_g.zero_grad()
            g_loss.backward()
            opt_g.step()
        log["epochs"].append({"epoch": epoch, "dLoss": d_loss.item(), "gLoss": g_loss.item(), "seconds": time.perf_counter() - started})
        if epoch in sample_at:
            G.eval()
            with torch.no_grad():
                samples = torch.cat([G(torch.randn(1000, 100, device=device)) for _ in range((args.n + 999) // 1000)])[: args.n]
            write_idx_images(os.path.join(args.out, f"samples-epoch-{epoch:03d}.idx"), samples)
    with open(os.path.join(args.out, "log.json"), "w") as f:
        json.dump(log, f, indent=2)


if __name__ == "__main__":
    main()
