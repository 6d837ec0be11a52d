"""Makes the functions' inputs once, deterministically, into DIR (the project's build/cache/functions):
model weights with a fixed seed (no download), the data file of data-numpy.
    /usr/bin/python3 prepare.py DIR [alexnet] [mobilenet] [numpy]     (default: all)
"""
import os
import sys

d = sys.argv[1]
what = sys.argv[2:] or ["alexnet", "mobilenet", "numpy"]
os.makedirs(d, exist_ok=True)


def save_model(name, ctor):
    p = os.path.join(d, name + ".pt")
    if os.path.exists(p):
        return
    import torch
    torch.manual_seed(0)
    m = ctor(weights=None)
    torch.save(m.state_dict(), p + ".tmp")
    os.rename(p + ".tmp", p)
    print("wrote", p, os.path.getsize(p))


if "alexnet" in what:
    import torchvision
    save_model("alexnet", torchvision.models.alexnet)
if "mobilenet" in what:
    import torchvision
    save_model("mobilenet_v2", torchvision.models.mobilenet_v2)
if "numpy" in what:
    p = os.path.join(d, "data.npy")
    if not os.path.exists(p):
        import numpy as np
        rng = np.random.default_rng(1)
        # 2 M rows of 4 float64 columns = 64 MiB: prices, quantities, a category code, a timestamp
        a = np.empty((1 << 21, 4))
        a[:, 0] = rng.gamma(2.0, 10.0, a.shape[0])
        a[:, 1] = rng.integers(1, 20, a.shape[0])
        a[:, 2] = rng.integers(0, 64, a.shape[0])
        a[:, 3] = np.arange(a.shape[0])
        np.save(p + ".tmp.npy", a)
        os.rename(p + ".tmp.npy", p)
        print("wrote", p, os.path.getsize(p))
