"""Time torchvision's ImageFolder + the ImageNet training transform, as
train -bench-data times gocnn's loader: RandomResizedCrop(224) and
RandomHorizontalFlip, then ToTensor + Normalize (float32, what a CPU
training step takes) or PILToTensor (uint8, what a GPU run would
normalise on the device), in batches of BATCH from a DataLoader with N
worker processes, STEPS batches timed after one warm-up batch.

usage: python3 scripts/torch_loader_bench.py ROOT [--workers 0,1,2] [--batch 32] [--steps 20]

ROOT holds train/<class>/*.jpg (scripts/jpegcorpus writes one). Prints one
line per worker count and batch kind: workers, batch, img/s, and, for
workers 0 (decoding in this process, one thread), CPU ms per image.
"""
import argparse
import os
import sys
import time

import torch
import torchvision
from torchvision import datasets, transforms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--workers", default="0,1,2")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=20)
    a = ap.parse_args()
    train = os.path.join(a.root, "train")
    if not os.path.isdir(train):
        sys.exit(f"torch_loader_bench: {train} is not a folder (write one with scripts/jpegcorpus)")
    torch.set_num_threads(1)
    crop = [transforms.RandomResizedCrop(224), transforms.RandomHorizontalFlip()]
    kinds = {
        "float32": transforms.Compose(crop + [transforms.ToTensor(),
                                              transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])]),
        "uint8": transforms.Compose(crop + [transforms.PILToTensor()]),
    }
    import PIL
    print(f"torchvision {torchvision.__version__} ImageFolder, PIL {PIL.__version__}, batch {a.batch}, "
          f"{a.steps} batches per line after 1 warm-up; {os.cpu_count()} cores, load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"{'workers':<8} {'batch':<8} {'img/s':>9} {'CPU ms/img':>12}")
    for kind, tfm in kinds.items():
        ds = datasets.ImageFolder(train, tfm)
        for w in [int(x) for x in a.workers.split(",")]:
            dl = torch.utils.data.DataLoader(ds, batch_size=a.batch, shuffle=True, num_workers=w, drop_last=True)
            it, n = iter(dl), 0
            next(it)
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in range(a.steps):
                try:
                    x, _ = next(it)
                except StopIteration:
                    it = iter(dl)
                    x, _ = next(it)
                n += x.shape[0]
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            del it
            cpu_ms = f"{cpu * 1e3 / n:.2f}" if w == 0 else "n/a"
            print(f"{w:<8} {kind:<8} {n / wall:>9.0f} {cpu_ms:>12}", flush=True)


if __name__ == "__main__":
    main()
