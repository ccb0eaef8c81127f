# gpu_model_table.py prints gocnn's fp32 training throughput and peak
# device memory beside PyTorch's, measured in the same run: the first
# argument is gpu_models_torch.py's JSON, the second the folder of
# `train -bench` logs named model-<torch name>.log (without PyTorch's
# numbers, the JSON may hold just "_device" and each model's batch). It
# ends with the ResNet-50 targets of issue 7 (at least 0.5x PyTorch's
# img/s, at most 1.5x its peak memory).
import json, os, re, sys

torch = json.load(open(sys.argv[1]))
logs = sys.argv[2]

def gocnn(name):
    path = os.path.join(logs, f"model-{name}.log")
    if not os.path.exists(path):
        return None, None, "not run"
    text = open(path).read()
    speed = re.search(r"([\d.]+) img/s", text)
    mem = re.search(r"peak device memory ([\d.]+) (MiB|GiB)", text)
    peak = float(mem.group(1)) * (1024 if mem.group(2) == "GiB" else 1) if mem else None
    if not speed:
        last = text.strip().splitlines()[-1:] or ["no output"]
        return None, peak, last[0][:60]
    return float(speed.group(1)), peak, ""

print(f"device: {torch.get('_device')}  torch {torch.get('_torch')}  (fp32, TF32 off)")
print(f"{'model':20} {'batch':>5} {'hw':>4} {'gocnn img/s':>11} {'torch img/s':>11} {'ratio':>6} {'gocnn MiB':>9} {'torch MiB':>9} {'ratio':>6}  note")
targets = {}
# PyTorch's models, then any gocnn ran that PyTorch did not reach.
ran = sorted(f[len("model-"):-len(".log")] for f in os.listdir(logs) if f.startswith("model-") and f.endswith(".log"))
names = [k for k in torch if not k.startswith("_")]
names += [n for n in ran if n not in names]
for name in names:
    t = torch.get(name) or {}
    ours, peak, note = gocnn(name)
    timg, tpeak = t.get("img_s"), t.get("peak_bytes")
    tmib = tpeak / 2**20 if tpeak else None
    speed = ours / timg if ours and timg else None
    mem = peak / tmib if peak and tmib else None
    if name == "resnet50":
        targets = {"speed": speed, "memory": mem}
    fmt = lambda v, w, p: f"{v:{w}.{p}f}" if v is not None else f"{'-':>{w}}"
    print(f"{name:20} {t.get('batch', '-'):>5} {t.get('hw', '-'):>4} {fmt(ours, 11, 1)} {fmt(timg, 11, 1)} {fmt(speed, 6, 2)} "
          f"{fmt(peak, 9, 0)} {fmt(tmib, 9, 0)} {fmt(mem, 6, 2)}  {note or t.get('error', '')}")
if targets:
    s, m = targets["speed"], targets["memory"]
    ok = lambda v, good: "-" if v is None else ("met" if good(v) else "MISSED")
    print(f"resnet50 targets: speed {s if s is None else round(s, 2)} of torch (want >= 0.5: {ok(s, lambda v: v >= 0.5)}), "
          f"peak memory {m if m is None else round(m, 2)} of torch (want <= 1.5: {ok(m, lambda v: v <= 1.5)})")
