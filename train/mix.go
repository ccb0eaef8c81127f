package train

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/gocnn/gocnn/autograd"
)

// batchMixer mixes training batches as torchvision's reference does with
// -mixup-alpha and -cutmix-alpha: each batch is mixed with itself rolled
// by one example (example i with example i-1), by one of the two chosen at
// random, with a ratio drawn from Beta(alpha, alpha). Its draws depend
// only on the run's seed and the batch's place (optimizer step, pass of
// the step, replica), so a resumed run mixes exactly as an uninterrupted
// one.
type batchMixer struct {
	seed                    uint64
	mixupAlpha, cutmixAlpha float64
}

func newBatchMixer(cfg *Config) batchMixer {
	return batchMixer{seed: cfg.Seed, mixupAlpha: cfg.MixupAlpha, cutmixAlpha: cfg.CutmixAlpha}
}

// mixKind says how a batch is mixed.
type mixKind int

const (
	unmixed mixKind = iota
	mixup           // every pixel: lam*x[i] + (1-lam)*x[i-1]
	cutmix          // a box of x[i] replaced by x[i-1]'s
)

// mixDraw is how one batch is mixed: its targets are lam of each
// example's own label and 1-lam of the previous example's.
type mixDraw struct {
	kind mixKind
	lam  float64
	// box is CutMix's pasted box [x0, x1) x [y0, y1) in pixels.
	x0, y0, x1, y1 int
}

// mixStream keeps the mixer's draws apart from the run's other generators
// seeded with the same seed.
const mixStream = 0x6d69787570 // "mixup"

// draw returns the mixing of the batch of images of h by w pixels that
// replica trains on in pass (from 1) of optimizer step step.
func (m batchMixer) draw(step int64, pass, replica, h, w int) mixDraw {
	var kinds []mixKind
	if m.mixupAlpha > 0 {
		kinds = append(kinds, mixup)
	}
	if m.cutmixAlpha > 0 {
		kinds = append(kinds, cutmix)
	}
	if len(kinds) == 0 {
		return mixDraw{kind: unmixed, lam: 1}
	}
	src := rand.NewPCG(m.seed, mixStream^uint64(step)<<20^uint64(pass)<<10^uint64(replica))
	rng := rand.New(src)
	d := mixDraw{kind: kinds[rng.IntN(len(kinds))]}
	alpha := m.mixupAlpha
	if d.kind == cutmix {
		alpha = m.cutmixAlpha
	}
	d.lam = distuv.Beta{Alpha: alpha, Beta: alpha, Src: src}.Rand()
	if d.kind == mixup {
		return d
	}
	// torchvision's RandomCutmix: a box centred on a uniform pixel, of
	// half-sides r*w and r*h with r = sqrt(1-lam)/2, clipped to the image;
	// lam becomes the share of the image left unpasted.
	cx, cy := rng.IntN(w), rng.IntN(h)
	r := 0.5 * math.Sqrt(1-d.lam)
	halfW, halfH := int(r*float64(w)), int(r*float64(h))
	d.x0, d.y0 = max(cx-halfW, 0), max(cy-halfH, 0)
	d.x1, d.y1 = min(cx+halfW, w), min(cy+halfH, h)
	d.lam = 1 - float64((d.x1-d.x0)*(d.y1-d.y0))/float64(w*h)
	return d
}

// mixed reports whether the batch is mixed at all.
func (d mixDraw) mixed() bool { return d.kind != unmixed }

// apply returns the mixed images (N, H, W, C); images, which take no
// gradient, are left as they are.
func (d mixDraw) apply(images *autograd.Tensor) *autograd.Tensor {
	switch d.kind {
	case mixup:
		lam := float32(d.lam)
		return autograd.Add(autograd.Scale(images, lam), autograd.Scale(autograd.RollBatch(images, 1), 1-lam))
	case cutmix:
		return d.paste(images)
	}
	return images
}

// paste returns images with the box of each example i replaced by that of
// example i-1 (the first takes the last's).
func (d mixDraw) paste(images *autograd.Tensor) *autograd.Tensor {
	n, h, w, c := images.Shape().NHWC("CutMix")
	be := images.Device().Backend()
	out := autograd.Empty(images.Device(), autograd.Float32, n, h, w, c)
	be.Copy(out.Buffer(), images.Buffer())
	rows, cols, stride := d.y1-d.y0, (d.x1-d.x0)*c, w*c
	for i := range n {
		from := (i + n - 1) % n
		be.CopyColumns(rows, cols, images.Buffer(), stride, ((from*h+d.y0)*w+d.x0)*c,
			out.Buffer(), stride, ((i*h+d.y0)*w+d.x0)*c)
	}
	return out
}
