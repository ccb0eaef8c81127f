# gpu_models_torch.py measures PyTorch's fp32 training step (TF32 off) for
# the models named on the command line with torch_anchor.py's own
# bench_model (so batch, input size and step are docs/anchors.md's), adding the
# step's peak device memory (torch.cuda.max_memory_allocated, reset before
# each model). It rewrites {model: result} as JSON after every model, so a
# timeout keeps what finished.
# usage: python3 gpu_models_torch.py OUT.json BENCH_DIR MODEL...
import importlib.util, json, sys, torch

out, bench_dir, names = sys.argv[1], sys.argv[2], sys.argv[3:]
spec = importlib.util.spec_from_file_location("torch_anchor", f"{bench_dir}/torch_anchor.py")
anchor = importlib.util.module_from_spec(spec)
spec.loader.exec_module(anchor)
models = {name: (ctor, hw, bs) for name, ctor, hw, bs in anchor.MODELS}
res = {"_device": torch.cuda.get_device_name(0), "_torch": torch.__version__}
for name in names:
    if name not in models:
        res[name] = {"error": "not in torch_anchor.MODELS"}
        continue
    ctor, hw, bs = models[name]
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    try:
        r = anchor.bench_model(name, ctor, hw, bs, "fp32")
        if r is not None:
            r["peak_bytes"] = torch.cuda.max_memory_allocated()
    except Exception as e:
        r = {"error": str(e)[:200]}
    res[name] = r
    json.dump(res, open(out, "w"), indent=1)
    print(name, r, flush=True)
