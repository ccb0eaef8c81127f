# gpu_bench_torch.py times PyTorch's versions of the kernel cases in
# cuda/bench_test.go (same names, same sizes, channels_last so that memory
# order matches gocnn's NHWC, fp32 with TF32 off for the convolutions and
# GEMMs) and writes {name: milliseconds} as JSON to
# the path given. Run on the GPU machine by scripts/gpu-check.sh.
import json, sys, torch, torch.nn.functional as F

dev = torch.device("cuda")
cl = torch.channels_last
r = lambda *s: torch.randn(*s, device=dev)
nchw = lambda n, c, h, w: r(n, c, h, w).contiguous(memory_format=cl)

def time_ms(fn, reps=20):
    fn(); torch.cuda.synchronize()
    e0, e1 = torch.cuda.Event(True), torch.cuda.Event(True)
    e0.record()
    for _ in range(reps): fn()
    e1.record(); torch.cuda.synchronize()
    return e0.elapsed_time(e1) / reps

def cases():
    x, y, dy = nchw(64, 256, 56, 56), nchw(64, 256, 56, 56), nchw(64, 256, 56, 56)
    g, b = r(256), r(256)
    yield "copy", lambda: y.copy_(x)
    yield "add", lambda: torch.add(x, dy, out=y)
    yield "relu", lambda: torch.relu(x)
    yield "relu_backward", lambda: torch.ops.aten.threshold_backward(dy, x, 0)
    yield "hardswish", lambda: F.hardswish(x)
    yield "axpby", lambda: y.mul_(0.9).add_(x, alpha=0.5)
    yield "dropout_mask", lambda: torch.empty_like(x).bernoulli_(0.5)
    yield "bn_train", lambda: F.batch_norm(x, None, None, g, b, training=True)
    xg = x.detach().requires_grad_(True); gg = g.detach().requires_grad_(True); bg = b.detach().requires_grad_(True)
    out = F.batch_norm(xg, None, None, gg, bg, training=True)
    yield "bn_backward", lambda: torch.autograd.grad(out, (xg, gg, bg), dy, retain_graph=True)
    yield "bias_grad", lambda: dy.sum((0, 2, 3))
    px = nchw(64, 64, 112, 112)
    yield "maxpool3x3s2", lambda: F.max_pool2d_with_indices(px, 3, 2, 1)
    pxg = px.detach().requires_grad_(True)
    pout = F.max_pool2d(pxg, 3, 2, 1); pdy = torch.randn_like(pout)
    yield "maxpool3x3s2_backward", lambda: torch.autograd.grad(pout, pxg, pdy, retain_graph=True)
    sx, s = nchw(64, 256, 28, 28), r(64, 256)
    yield "se_squeeze", lambda: sx.mean((2, 3))
    # The channel scaling alone, with the gate already applied, as gocnn's ScaleChannels.
    yield "se_scale", lambda: sx * s[:, :, None, None]
    sxg, sg = sx.detach().requires_grad_(True), s.detach().requires_grad_(True)
    sout = sxg * sg[:, :, None, None]; sdy = torch.randn_like(sout)
    yield "se_scale_backward", lambda: torch.autograd.grad(sout, (sxg, sg), sdy, retain_graph=True)
    cx, cl_ = r(256, 1000), torch.randint(0, 1000, (256,), device=dev)
    yield "ce_imagenet", lambda: F.cross_entropy(cx, cl_, label_smoothing=0.1)
    cxg = cx.detach().requires_grad_(True); closs = F.cross_entropy(cxg, cl_, label_smoothing=0.1)
    yield "ce_imagenet_backward", lambda: torch.autograd.grad(closs, cxg, retain_graph=True)
    gx, gl = nchw(16, 21, 256, 256), torch.randint(0, 21, (16, 256, 256), device=dev)
    yield "ce_segmentation", lambda: F.cross_entropy(gx, gl, ignore_index=255)
    gxg = gx.detach().requires_grad_(True); gloss = F.cross_entropy(gxg, gl, ignore_index=255)
    yield "ce_segmentation_backward", lambda: torch.autograd.grad(gloss, gxg, retain_graph=True)
    ux = nchw(16, 64, 64, 64)
    yield "upsample2x", lambda: F.interpolate(ux, scale_factor=2, mode="bilinear", align_corners=False)
    uxg = ux.detach().requires_grad_(True)
    uout = F.interpolate(uxg, scale_factor=2, mode="bilinear", align_corners=False); udy = torch.randn_like(uout)
    yield "upsample2x_backward", lambda: torch.autograd.grad(uout, uxg, udy, retain_graph=True)
    lx = nchw(128, 96, 55, 55)
    yield "lrn", lambda: F.local_response_norm(lx, 5, 1e-4, 0.75, 2)
    lxg = lx.detach().requires_grad_(True)
    lout = F.local_response_norm(lxg, 5, 1e-4, 0.75, 2); ldy = torch.randn_like(lout)
    yield "lrn_backward", lambda: torch.autograd.grad(lout, lxg, ldy, retain_graph=True)
    pn = 25_557_032
    w = torch.nn.Parameter(r(pn)); w.grad = r(pn)
    sgd = torch.optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=1e-4, foreach=False, fused=True)
    yield "sgd_momentum", sgd.step
    adamw = torch.optim.AdamW([w], lr=1e-3, weight_decay=0.01, fused=True)
    yield "adamw", adamw.step
    yield "grad_norm", lambda: torch.linalg.vector_norm(w.grad)
    # Compute-bound cases in fp32 (TF32 off), as gocnn's fp32 kernels.
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    for name, (n, c, hw, k, ks, stride, pad, groups) in {
        "conv3x3_c64_56_k64": (64, 64, 56, 64, 3, 1, 1, 1),
        "conv3x3_c256_14_k256": (64, 256, 14, 256, 3, 1, 1, 1),
        "conv1x1_c256_56_k64": (64, 256, 56, 64, 1, 1, 0, 1),
        "conv7x7s2_c3_224_k64": (64, 3, 224, 64, 7, 2, 3, 1),
        "dwconv3x3_c144_56": (64, 144, 56, 144, 3, 1, 1, 144),
    }.items():
        cx = nchw(n, c, hw, hw).requires_grad_(True)
        cw = r(k, c // groups, ks, ks).contiguous(memory_format=cl).requires_grad_(True)
        conv = lambda cx=cx, cw=cw, stride=stride, pad=pad, groups=groups: F.conv2d(cx, cw, stride=stride, padding=pad, groups=groups)
        yield name, conv
        cout = conv(); cdy = torch.randn_like(cout)
        yield name + "_backward", lambda cout=cout, cx=cx, cw=cw, cdy=cdy: torch.autograd.grad(cout, (cx, cw), cdy, retain_graph=True)
    la, lw = r(128, 2048).requires_grad_(True), r(1000, 2048).requires_grad_(True)
    yield "linear_2048_1000", lambda: F.linear(la, lw)
    lout = F.linear(la, lw); ldy = torch.randn_like(lout)
    yield "linear_2048_1000_backward", lambda: torch.autograd.grad(lout, (la, lw), ldy, retain_graph=True)

if __name__ == "__main__":
    res = {}
    for name, fn in cases():
        try: res[name] = time_ms(fn)
        except Exception as e: res[name] = None; print(name, "failed:", str(e)[:200], file=sys.stderr)
    res["_device"] = torch.cuda.get_device_name(0); res["_torch"] = torch.__version__
    json.dump(res, open(sys.argv[1], "w"), indent=1)
