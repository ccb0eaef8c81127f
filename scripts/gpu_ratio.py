# gpu_ratio.py prints the table of gocnn's kernel times (go test -bench
# output of BenchmarkKernels, first argument) against PyTorch's
# (gpu_bench_torch.py's JSON, second argument): time ratio, the share of
# the measured copy bandwidth each memory-bound gocnn kernel reaches, and
# the TFLOP/s of the compute-bound ones (fp32 SIMT peak of an H100 SXM:
# 66.9).
import json, re, sys

ours = {}
for line in open(sys.argv[1]):
    m = re.match(r"BenchmarkKernels/(\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(?:\s+([\d.]+) GB/s)?(?:\s+([\d.]+) TFLOP/s)?", line)
    if m: ours[m.group(1)] = (float(m.group(2)) / 1e6, float(m.group(3) or 0), float(m.group(4) or 0))
torch = json.load(open(sys.argv[2]))
copy_gbs = ours.get("copy", (0, 0, 0))[1]
print(f"device: {torch.get('_device')}  torch {torch.get('_torch')}  gocnn copy: {copy_gbs:.0f} GB/s")
print(f"{'kernel':28} {'gocnn ms':>10} {'torch ms':>10} {'gocnn/torch':>12} {'GB/s':>8} {'% copy':>7} {'TFLOP/s':>8}")
for name, (ms, gbs, tflops) in ours.items():
    t = torch.get(name)
    ratio = f"{ms / t:12.2f}" if t else f"{'-':>12}"
    tms = f"{t:10.3f}" if t else f"{'-':>10}"
    bw = f"{gbs:8.0f}" if gbs else f"{'-':>8}"
    pct = f"{100 * gbs / copy_gbs:6.0f}%" if copy_gbs and gbs else f"{'-':>7}"
    tf = f"{tflops:8.2f}" if tflops else f"{'-':>8}"
    print(f"{name:28} {ms:10.3f} {tms} {ratio} {bw} {pct} {tf}")
