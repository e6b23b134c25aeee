#!/usr/bin/python3
"""Plain PyTorch twin of bench/train_throughput.cpp: the same LFC W1A1 model and
recipe (binarized input, sign weights and activations with straight-through
gradients, batch norm, squared hinge loss, Adam at 0.003, latent weights
clipped to [-1, 1], batch 100), written the way a PyTorch user would.

Run with Debian's python3 (the pyenv python has no torch):
    /usr/bin/python3 bench/train_throughput.py [--batches 500] [--threads 0] [--data DIR]
Prints one JSON line: images_per_s, test_accuracy, threads, batches.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class SignSte(torch.autograd.Function):
    """sign for activations; hardtanh straight-through gradient."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x.abs() <= 1).to(grad.dtype)


class WeightSign(torch.autograd.Function):
    """sign for latent weights; identity straight-through gradient."""

    @staticmethod
    def forward(ctx, w):
        return torch.where(w >= 0, torch.ones_like(w), -torch.ones_like(w))

    @staticmethod
    def backward(ctx, grad):
        return grad


class BinaryLinear(nn.Linear):
    def forward(self, x):
        return F.linear(x, WeightSign.apply(self.weight), self.bias)


class Lfc(nn.Module):
    def __init__(self, hidden=1024, layers=3):
        super().__init__()
        sizes = [784] + [hidden] * layers + [10]
        self.fcs = nn.ModuleList(BinaryLinear(a, b, bias=False) for a, b in zip(sizes[:-1], sizes[1:]))
        self.bns = nn.ModuleList(nn.BatchNorm1d(b, eps=1e-4, momentum=0.1) for b in sizes[1:])

    def forward(self, x):
        x = SignSte.apply(x)
        for i, (fc, bn) in enumerate(zip(self.fcs, self.bns)):
            x = bn(fc(x))
            if i + 1 < len(self.fcs):
                x = SignSte.apply(x)
        return x


def squared_hinge(out, labels):
    target = torch.full_like(out, -1.0).scatter_(1, labels.unsqueeze(1), 1.0)
    return (1.0 - out * target).clamp_min(0).square().mean()


def read_idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def load(data_dir):
    if data_dir and os.path.exists(os.path.join(data_dir, "train-images-idx3-ubyte.gz")):
        xs = read_idx(os.path.join(data_dir, "train-images-idx3-ubyte.gz"), 16).reshape(-1, 784)
        ys = read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte.gz"), 8)
        xt = read_idx(os.path.join(data_dir, "t10k-images-idx3-ubyte.gz"), 16).reshape(-1, 784)
        yt = read_idx(os.path.join(data_dir, "t10k-labels-idx1-ubyte.gz"), 8)
        xs, ys = xs[:50000], ys[:50000]  # last 10k validate, as in the C++ trainer
        binarize = lambda a: torch.from_numpy(np.where(a >= 128, 1.0, -1.0).astype(np.float32))
        return binarize(xs), torch.from_numpy(ys.astype(np.int64)), binarize(xt), torch.from_numpy(yt.astype(np.int64)), "mnist"
    g = torch.Generator().manual_seed(0)  # no MNIST: random stand-in with the same shapes (throughput only)
    xs = torch.randint(0, 2, (50000, 784), generator=g).float() * 2 - 1
    ys = torch.randint(0, 10, (50000,), generator=g)
    return xs, ys, xs[:10000], ys[:10000], "random"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", type=int, default=500)
    ap.add_argument("--batch-size", type=int, default=100)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "datasets", "mnist"))
    args = ap.parse_args()

    torch.set_num_threads(args.threads or os.cpu_count())
    torch.manual_seed(args.seed)
    xs, ys, xt, yt, source = load(args.data)
    model = Lfc()
    opt = torch.optim.Adam(model.parameters(), lr=0.003)
    latent = [fc.weight for fc in model.fcs]

    model.train()
    perm = torch.randperm(xs.shape[0])
    bs = args.batch_size
    start = time.perf_counter()
    cpu_start = time.process_time()
    done = 0
    for b in range(args.batches):
        lo = (b * bs) % xs.shape[0]
        if lo == 0 and b > 0:
            perm = torch.randperm(xs.shape[0])
        idx = perm[lo:lo + bs]
        x, y = xs[idx], ys[idx]
        opt.zero_grad()
        loss = squared_hinge(model(x), y)
        loss.backward()
        opt.step()
        with torch.no_grad():
            for w in latent:
                w.clamp_(-1, 1)
        done += x.shape[0]
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start

    model.eval()
    correct = 0
    with torch.no_grad():
        for lo in range(0, xt.shape[0], 500):
            correct += (model(xt[lo:lo + 500]).argmax(1) == yt[lo:lo + 500]).sum().item()
    print(json.dumps({"bench": "train_throughput_python", "images_per_s": done / seconds,
                      "images_per_cpu_s": done / cpu_seconds,
                      "test_accuracy": correct / xt.shape[0], "threads": torch.get_num_threads(),
                      "batches": args.batches, "batch_size": bs, "data": source,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
