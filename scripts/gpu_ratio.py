# gpu_ratio.py prints the table of gocnn's kernel times (go test -bench
# output of BenchmarkKernels, first argument) against PyTorch's
# (gpu_bench_torch.py's JSON, second argument): time ratio and the share of
# the measured copy bandwidth each gocnn kernel reaches.
import json, re, sys

ours = {}
for line in open(sys.argv[1]):
    m = re.match(r"BenchmarkKernels/(\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(?:\s+([\d.]+) GB/s)?", line)
    if m: ours[m.group(1)] = (float(m.group(2)) / 1e6, float(m.group(3) or 0))
torch = json.load(open(sys.argv[2]))
copy_gbs = ours.get("copy", (0, 0))[1]
print(f"device: {torch.get('_device')}  torch {torch.get('_torch')}  gocnn copy: {copy_gbs:.0f} GB/s")
print(f"{'kernel':28} {'gocnn ms':>10} {'torch ms':>10} {'gocnn/torch':>12} {'GB/s':>8} {'% copy':>7}")
for name, (ms, gbs) in ours.items():
    t = torch.get(name)
    ratio = f"{ms / t:12.2f}" if t else f"{'-':>12}"
    tms = f"{t:10.3f}" if t else f"{'-':>10}"
    pct = f"{100 * gbs / copy_gbs:6.0f}%" if copy_gbs else f"{'-':>7}"
    print(f"{name:28} {ms:10.3f} {tms} {ratio} {gbs:8.0f} {pct}")
