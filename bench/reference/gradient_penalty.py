"""PyTorch reference of the gradient penalty's weight gradients through the DCGAN discriminator.

Reads a directory written by test/engine/second-order.test.ts:
  spec.json      width (d), rows, slope (LeakyReLU's), conditional
  weights.f32    D's variables in gankit's (TF.js) order and layout: each conv kernel
                 [kh, kw, in, out], then its bias
  points.f32     rows x 784 images in [-1, 1]
  classes.f32    rows x 10 one-hot classes (conditional only)
Computes E[(||grad_x D(x, y)||_2 - 1)^2] in float64 with autograd's double backward and writes
  penalty.f64    the penalty
  grads.f64      its gradient with respect to each variable, in weights.f32's order and layout

    /usr/bin/python3 bench/reference/gradient_penalty.py DIR
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F


def main(directory):
    with open(os.path.join(directory, "spec.json")) as f:
        spec = json.load(f)
    d, rows, slope = spec["width"], spec["rows"], spec["slope"]
    channels_in = 1 + (10 if spec["conditional"] else 0)
    # (in, out, kernel, stride, padding): TF's 'same' pads 1 on every side at these sizes (28→14→7→4).
    layers = [(channels_in, d, 4, 2, 1), (d, 2 * d, 4, 2, 1), (2 * d, 4 * d, 3, 2, 1), (4 * d, 1, 4, 1, 0)]
    flat = np.fromfile(os.path.join(directory, "weights.f32"), dtype=np.float32).astype(np.float64)
    weights, offset = [], 0
    for c_in, c_out, k, _, _ in layers:
        kernel = flat[offset : offset + k * k * c_in * c_out].reshape(k, k, c_in, c_out)
        offset += kernel.size
        bias = flat[offset : offset + c_out]
        offset += c_out
        # TF's [kh, kw, in, out] as PyTorch's [out, in, kh, kw].
        weights.append(torch.tensor(kernel.transpose(3, 2, 0, 1).copy(), requires_grad=True))
        weights.append(torch.tensor(bias.copy(), requires_grad=True))
    assert offset == flat.size, "weights.f32 does not match the spec's widths"

    points = np.fromfile(os.path.join(directory, "points.f32"), dtype=np.float32).astype(np.float64)
    x = torch.tensor(points.reshape(rows, 1, 28, 28), requires_grad=True)
    if spec["conditional"]:
        classes = np.fromfile(os.path.join(directory, "classes.f32"), dtype=np.float32).astype(np.float64)
        maps = torch.tensor(classes.reshape(rows, 10, 1, 1)).expand(rows, 10, 28, 28)

    def critic(images):
        h = torch.cat([images, maps], 1) if spec["conditional"] else images
        for i, (_, _, _, stride, padding) in enumerate(layers):
            h = F.conv2d(h, weights[2 * i], weights[2 * i + 1], stride=stride, padding=padding)
            if i < len(layers) - 1:
                h = F.leaky_relu(h, slope)
        return h.reshape(rows)

    (input_gradient,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    norms = torch.sqrt(input_gradient.reshape(rows, -1).pow(2).sum(1) + 1e-12)
    penalty = (norms - 1).pow(2).mean()
    # The last bias never reaches ∇ₓD (unused); the others only through LeakyReLU's kinks (zero almost everywhere).
    grads = torch.autograd.grad(penalty, weights, allow_unused=True)
    np.array([penalty.item()]).tofile(os.path.join(directory, "penalty.f64"))
    layout = []
    for i, (g, w) in enumerate(zip(grads, weights)):
        g = torch.zeros_like(w) if g is None else g
        g = g.detach().numpy()
        layout.append(g.transpose(2, 3, 1, 0).ravel() if i % 2 == 0 else g.ravel())
    np.concatenate(layout).tofile(os.path.join(directory, "grads.f64"))


if __name__ == "__main__":
    main(sys.argv[1])
