"""data-numpy: numpy loads the same 64 MiB data file (2 M rows, 4 columns) and computes an aggregate (revenue
per category), then idles warm. numpy only, so that the same program runs in the UPM guest."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _function as fn  # noqa: E402

fn.opt_in()
t0 = time.time()
import numpy as np  # noqa: E402

data = np.load(fn.cache("data.npy"))
t1 = time.time()
revenue = data[:, 0] * data[:, 1]
per_cat = np.bincount(data[:, 2].astype(np.int64), weights=revenue, minlength=64)
fn.warm({"function": "data-numpy", "initS": round(t1 - t0, 3), "requestS": round(time.time() - t1, 3),
         "rows": int(data.shape[0]), "top": int(per_cat.argmax()), "checksum": round(float(per_cat.sum()), 2)})
