package cpu

import "github.com/gocnn/gocnn/autograd"

// AddBias sets y[r, c] = x[r, c] + bias[c]. x, y: (rows, cols); bias: (cols).
func (b *Backend) AddBias(rows, cols int, x, bias, y autograd.Buffer) {
	xv, bv, yv := floats(x), floats(bias), floats(y)
	mustLen("AddBias", rows*cols, len(xv), len(yv))
	mustLen("AddBias", cols, len(bv))
	b.parallelFor(rows, rowGrain(cols), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xr, yr := xv[r*cols:(r+1)*cols], yv[r*cols:(r+1)*cols]
			for c, v := range xr {
				yr[c] = v + bv[c]
			}
		}
	})
}

// SumRows sets y[c] to the sum over r of x[r, c]. Each worker sums a fixed
// band of rows in float64 and the bands are added in order, so the result
// depends only on the inputs and the worker count. x: (rows, cols); y: (cols).
func (b *Backend) SumRows(rows, cols int, x, y autograd.Buffer) {
	xv, yv := floats(x), floats(y)
	mustLen("SumRows", rows*cols, len(xv))
	mustLen("SumRows", cols, len(yv))
	b.sumRows(rows, cols, xv, nil, nil, yv)
}

// sumRows is SumRows of x into y, except that with a mask (rows, cols) each
// x[r, c] is first gated by mask[r, c] > 0 (reluGate) and written to
// gated, and those values are summed; a nil y sums nothing. The bands are
// SumRows' whatever the mask, so that a masked sum has the bits of
// ActivationBackward's gate followed by SumRows.
func (b *Backend) sumRows(rows, cols int, x, mask, gated, y []float32) {
	grain := rowGrain(cols)
	chunks := b.chunks(rows, grain)
	var partial []float64 // (chunks, cols)
	if y != nil {
		partial = make([]float64, chunks*cols)
	}
	b.parallelFor(chunks, 1, func(lo, hi int) {
		for k := lo; k < hi; k++ {
			for r := k * rows / chunks; r < (k+1)*rows/chunks; r++ {
				xr := x[r*cols : (r+1)*cols]
				if mask != nil {
					mr, gr := mask[r*cols:][:cols], gated[r*cols:][:cols]
					for c, v := range xr {
						gr[c] = reluGate(mr[c], v)
					}
					xr = gr
				}
				if y == nil {
					continue
				}
				acc := partial[k*cols : (k+1)*cols]
				for c, v := range xr {
					acc[c] += float64(v)
				}
			}
		}
	})
	for c := range y {
		var s float64
		for k := range chunks {
			s += partial[k*cols+c]
		}
		y[c] = float32(s)
	}
}

// ScaleChannels sets y[n, i, c] = x[n, i, c] * s[n, c].
// x, y: (n, hw, c); s: (n, c).
func (b *Backend) ScaleChannels(n, hw, c int, x, s, y autograd.Buffer) {
	if b.viaFloat32([]autograd.Buffer{x}, []autograd.Buffer{y}, func(in, out []autograd.Buffer) {
		b.ScaleChannels(n, hw, c, in[0], s, out[0])
	}) {
		return
	}
	xv, sv, yv := floats(x), floats(s), floats(y)
	mustLen("ScaleChannels", n*hw*c, len(xv), len(yv))
	mustLen("ScaleChannels", n*c, len(sv))
	b.parallelFor(n*hw, rowGrain(c), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			sr := sv[r/hw*c:][:c]
			for j, v := range xv[r*c : (r+1)*c] {
				yv[r*c+j] = v * sr[j]
			}
		}
	})
}

// ScaleChannelsBackward sets dx = dy * s (broadcast over hw) and
// ds[n, c] = sum over i of dy[n, i, c] * x[n, i, c], accumulated in float64
// image by image, so ds does not depend on the worker count.
// x, dy, dx: (n, hw, c); s, ds: (n, c).
func (b *Backend) ScaleChannelsBackward(n, hw, c int, x, s, dy, dx, ds autograd.Buffer) {
	if b.viaFloat32([]autograd.Buffer{x}, nil, func(in, _ []autograd.Buffer) {
		b.ScaleChannelsBackward(n, hw, c, in[0], s, dy, dx, ds)
	}) {
		return
	}
	xv, sv, dyv, dxv, dsv := floats(x), floats(s), floats(dy), floats(dx), floats(ds)
	mustLen("ScaleChannelsBackward", n*hw*c, len(xv), len(dyv), len(dxv))
	mustLen("ScaleChannelsBackward", n*c, len(sv), len(dsv))
	b.ScaleChannels(n, hw, c, dy, s, dx)
	b.parallelFor(n, 1, func(lo, hi int) {
		acc := make([]float64, c)
		for img := lo; img < hi; img++ {
			clear(acc)
			base := img * hw * c
			for i := range hw {
				row := base + i*c
				for j := range acc {
					acc[j] += float64(dyv[row+j]) * float64(xv[row+j])
				}
			}
			for j, v := range acc {
				dsv[img*c+j] = float32(v)
			}
		}
	})
}

// CopyColumns copies, for each of rows rows, cols elements from
// src[r*srcStride+srcOff:] to dst[r*dstStride+dstOff:], leaving the rest of
// dst as it is.
func (b *Backend) CopyColumns(rows, cols int, src autograd.Buffer, srcStride, srcOff int, dst autograd.Buffer, dstStride, dstOff int) {
	if s, ok := src.(b16); ok {
		copyColumns(b, rows, cols, s, srcStride, srcOff, bfloat16s(dst), dstStride, dstOff)
		return
	}
	copyColumns(b, rows, cols, floats(src), srcStride, srcOff, floats(dst), dstStride, dstOff)
}

// copyColumns is CopyColumns on Float32 or BFloat16 slices.
func copyColumns[T float32 | uint16](b *Backend, rows, cols int, sv []T, srcStride, srcOff int, dv []T, dstStride, dstOff int) {
	if rows == 0 || cols == 0 {
		return
	}
	mustAtLeast("CopyColumns src", len(sv), (rows-1)*srcStride+srcOff+cols)
	mustAtLeast("CopyColumns dst", len(dv), (rows-1)*dstStride+dstOff+cols)
	b.parallelFor(rows, rowGrain(cols), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			copy(dv[r*dstStride+dstOff:][:cols], sv[r*srcStride+srcOff:][:cols])
		}
	})
}

// rowGrain returns how many rows of cols elements make a slice of work worth
// a goroutine.
func rowGrain(cols int) int { return max(1, elementGrain/max(cols, 1)) }
