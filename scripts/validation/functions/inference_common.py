"""Shared body of the torchvision inference functions: model with weights from the cache, one inference."""
import time

import _function as fn


def run(name, ctor_name, weights_file):
    fn.opt_in()
    t0 = time.time()
    import torch
    import torchvision

    torch.set_num_threads(1)
    model = getattr(torchvision.models, ctor_name)(weights=None)
    model.load_state_dict(torch.load(fn.cache(weights_file)))
    model.eval()
    t1 = time.time()
    torch.manual_seed(1)
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        y = model(x)
    top = int(y.argmax())
    fn.warm({"function": name, "initS": round(t1 - t0, 3), "requestS": round(time.time() - t1, 3), "top": top,
             "checksum": round(float(y.sum()), 4)})
