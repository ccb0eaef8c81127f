# PyTorch side of BenchmarkUNetTrainStep (nn/models/bench_test.go): the 2015
# U-Net (biased 3x3 convs, no batch norm, 2x2 up-convolutions, widths 64-1024)
# training on batches of 8 random 32x32 grayscale images, 11 classes per
# pixel, plain SGD, on the CPU.
# Usage: python3 scripts/torch_unet_cpu.py [threads]
# scripts/bench/torch_cpu_anchor.py imports UNet from here.
import sys, time, torch, torch.nn as nn, torch.nn.functional as F



def double_conv(i, o):
    return nn.Sequential(nn.Conv2d(i, o, 3, padding=1), nn.ReLU(), nn.Conv2d(o, o, 3, padding=1), nn.ReLU())


class UNet(nn.Module):
    def __init__(self, cin, classes):
        super().__init__()
        self.inc = double_conv(cin, 64)
        self.downs = nn.ModuleList(nn.Sequential(nn.MaxPool2d(2), double_conv(c, 2 * c)) for c in (64, 128, 256, 512))
        self.ups = nn.ModuleList(nn.ConvTranspose2d(c, c // 2, 2, stride=2) for c in (1024, 512, 256, 128))
        self.convs = nn.ModuleList(double_conv(c, c // 2) for c in (1024, 512, 256, 128))
        self.outc = nn.Conv2d(64, classes, 1)

    def forward(self, x):
        skips = [self.inc(x)]
        for d in self.downs:
            skips.append(d(skips[-1]))
        x = skips.pop()
        for up, conv in zip(self.ups, self.convs):
            x = conv(torch.cat([skips.pop(), up(x)], 1))
        return self.outc(x)


def main():
    torch.manual_seed(0)
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    print("torch", torch.__version__, "threads", torch.get_num_threads())
    m = UNet(1, 11).train()
    print("parameters", sum(p.numel() for p in m.parameters()))
    opt = torch.optim.SGD(m.parameters(), lr=0.01)
    batch = 8
    x, y = torch.randn(batch, 1, 32, 32), torch.randint(0, 11, (batch, 32, 32))

    def step():
        loss = F.cross_entropy(m(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    for _ in range(2):
        step()
    n = 10
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    dt = (time.perf_counter() - t0) / n
    print(f"unet2015 hw=32 batch={batch} step_ms={dt * 1e3:.1f} img_s={batch / dt:.2f}", flush=True)


if __name__ == "__main__":
    main()
