package data

import (
	"sync"

	"gorgonia.org/tensor"
)

// Batch is one batch of examples from a Loader. Its backing arrays come
// from the Loader's pool: call Release when done with it, after which the
// Batch and its tensors must not be used.
type Batch struct {
	// Images is (N, H, W, C) float32, normalised as the transforms say, or
	// uint8 with LoaderConfig.Uint8.
	Images *tensor.Dense
	// Labels holds each image's class (N); nil for segmentation.
	Labels []int32
	// Masks is (N, H, W) int32, each pixel's class or Ignore; nil for
	// classification.
	Masks *tensor.Dense
	// Index holds each example's dataset index (N).
	Index []int

	buf  *batchBuf
	pool *sync.Pool
}

// Len returns the number of examples, N.
func (b *Batch) Len() int { return len(b.Index) }

// Release returns the batch's memory to the Loader for reuse. Calling it
// twice is a no-op.
func (b *Batch) Release() {
	if b.buf != nil {
		b.pool.Put(b.buf)
		b.buf = nil
		b.Images, b.Masks, b.Labels, b.Index = nil, nil, nil, nil
	}
}

// batchBuf is the reusable storage behind one Batch, sized for a full one.
type batchBuf struct {
	f32    []float32
	u8     []uint8
	labels []int32
	masks  []int32
	index  []int
	bad    []bool // examples skipped as bad input
}

// batchShape is the fixed geometry of a Loader's batches.
type batchShape struct {
	n, h, w, c int
	seg, uint8 bool
}

func (s batchShape) newBuf() *batchBuf {
	b := &batchBuf{index: make([]int, s.n), bad: make([]bool, s.n)}
	if s.uint8 {
		b.u8 = make([]uint8, s.n*s.h*s.w*s.c)
	} else {
		b.f32 = make([]float32, s.n*s.h*s.w*s.c)
	}
	if s.seg {
		b.masks = make([]int32, s.n*s.h*s.w)
	} else {
		b.labels = make([]int32, s.n)
	}
	return b
}

// compact moves the good examples of the first n slots to the front and
// returns how many there are.
func (s batchShape) compact(b *batchBuf, n int) int {
	img, msk := s.h*s.w*s.c, s.h*s.w
	k := 0
	for i := range n {
		if b.bad[i] {
			continue
		}
		if k != i {
			if s.uint8 {
				copy(b.u8[k*img:(k+1)*img], b.u8[i*img:])
			} else {
				copy(b.f32[k*img:(k+1)*img], b.f32[i*img:])
			}
			if s.seg {
				copy(b.masks[k*msk:(k+1)*msk], b.masks[i*msk:])
			} else {
				b.labels[k] = b.labels[i]
			}
			b.index[k] = b.index[i]
		}
		k++
	}
	return k
}

// batch wraps the first n examples of b as a Batch.
func (s batchShape) batch(b *batchBuf, n int, pool *sync.Pool) *Batch {
	out := &Batch{Index: b.index[:n], buf: b, pool: pool}
	img := n * s.h * s.w * s.c
	if s.uint8 {
		out.Images = tensor.New(tensor.WithShape(n, s.h, s.w, s.c), tensor.WithBacking(b.u8[:img]))
	} else {
		out.Images = tensor.New(tensor.WithShape(n, s.h, s.w, s.c), tensor.WithBacking(b.f32[:img]))
	}
	if s.seg {
		out.Masks = tensor.New(tensor.WithShape(n, s.h, s.w), tensor.WithBacking(b.masks[:n*s.h*s.w]))
	} else {
		out.Labels = b.labels[:n]
	}
	return out
}
