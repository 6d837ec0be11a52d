"""inference-alexnet: torchvision AlexNet, seeded weights loaded from the cache, one inference, warm idle."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import inference_common  # noqa: E402

inference_common.run("inference-alexnet", "alexnet", "alexnet.pt")
