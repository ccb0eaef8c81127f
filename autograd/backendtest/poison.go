package backendtest

import (
	"math"

	"github.com/gocnn/gocnn/autograd"
)

// PoisonInt32 is what every element of a freshly allocated Int32 buffer
// holds under Poisoned.
const PoisonInt32 = math.MinInt32

// Poisoned wraps b so that every buffer it allocates starts as NaN (Float32)
// or PoisonInt32 (Int32): a kernel that leaves part of its output unwritten
// then fails its comparison instead of passing on leftover zeros.
func Poisoned(b autograd.Backend) autograd.Backend { return poisoned{b} }

type poisoned struct{ autograd.Backend }

func (p poisoned) Alloc(dt autograd.DType, n int) autograd.Buffer {
	buf := p.Backend.Alloc(dt, n)
	switch dt {
	case autograd.Float32:
		p.Fill(buf, float32(math.NaN()))
	case autograd.Int32:
		fill := make([]int32, n)
		for i := range fill {
			fill[i] = PoisonInt32
		}
		p.WriteInt32(buf, fill)
	}
	return buf
}
