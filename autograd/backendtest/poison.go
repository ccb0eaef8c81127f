package backendtest

import (
	"math"

	"github.com/gocnn/gocnn/autograd"
)

// PoisonInt32 is what every element of a freshly allocated Int32 buffer
// holds under Poisoned.
const PoisonInt32 = math.MinInt32

// Poisoned wraps b so that every buffer it allocates starts as NaN
// (Float32), PoisonInt32 (Int32) or 0 (Uint8, where every value is a
// pixel): a kernel that leaves part of its output unwritten then fails its
// comparison instead of passing on leftover values. A b that
// is an autograd.TryAllocator stays one, so that the suite runs it with the
// buffer lifetimes it has outside the suite.
func Poisoned(b autograd.Backend) autograd.Backend {
	if ta, ok := b.(autograd.TryAllocator); ok {
		return poisonedTry{poisoned{b}, ta}
	}
	return poisoned{b}
}

type poisoned struct{ autograd.Backend }

func (p poisoned) Alloc(dt autograd.DType, n int) autograd.Buffer {
	buf := p.Backend.Alloc(dt, n)
	p.poison(buf)
	return buf
}

func (p poisoned) poison(buf autograd.Buffer) {
	switch buf.DType() {
	case autograd.Float32:
		p.Fill(buf, float32(math.NaN()))
	case autograd.Int32:
		fill := make([]int32, buf.Len())
		for i := range fill {
			fill[i] = PoisonInt32
		}
		p.WriteInt32(buf, fill)
	case autograd.Uint8:
		p.WriteUint8(buf, make([]uint8, buf.Len()))
	case autograd.BFloat16:
		nan := p.Backend.Alloc(autograd.Float32, buf.Len())
		p.Fill(nan, float32(math.NaN()))
		p.Convert(buf, nan)
		p.Free(nan)
	}
}

type poisonedTry struct {
	poisoned
	ta autograd.TryAllocator
}

func (p poisonedTry) TryAlloc(dt autograd.DType, n int) (autograd.Buffer, error) {
	buf, err := p.ta.TryAlloc(dt, n)
	if err == nil {
		p.poison(buf)
	}
	return buf, err
}

// Unwrap returns the backend p wraps, where optim looks for its fused
// updates (optim.Unwrapper): they allocate nothing, so poisoning has
// nothing to add to them.
func (p poisoned) Unwrap() autograd.Backend { return p.Backend }
