package data

import "math"

// axis holds the filter taps of one output axis: output i reads count[i]
// source pixels from start[i] on, with weights w[i*stride:]. count 0 marks
// an output whose centre falls outside the source: padding.
type axis struct {
	start, count []int
	w            []float32
	stride       int
}

// build computes the taps of an output of n pixels that samples the box
// [o, o+size) of a source of length src, mirrored when flip is set, with
// the filter of mode. The filter is widened to the scale factor when
// shrinking, which is what PIL's antialiased resize does, so that a
// 500->224 resize averages instead of aliasing; Nearest takes one tap.
func (a *axis) build(src int, o, size float64, n int, flip bool, mode Interpolation) {
	scale := size / float64(n)
	stretch := max(1, scale)
	kernel, radius := mode.filter()
	support := radius * stretch
	a.stride = int(math.Ceil(2*support)) + 1
	a.start = grow(a.start, n)
	a.count = grow(a.count, n)
	a.w = grow(a.w, n*a.stride)
	for i := range n {
		j := i
		if flip {
			j = n - 1 - i
		}
		c := o + (float64(j)+0.5)*scale
		a.start[i], a.count[i] = 0, 0
		if c < 0 || c >= float64(src) {
			continue
		}
		w := a.w[i*a.stride : (i+1)*a.stride]
		if mode == Nearest {
			w[0] = 1
			a.start[i], a.count[i] = int(c), 1
			continue
		}
		lo := max(0, int(math.Floor(c-support+0.5)))
		hi := min(src, int(math.Ceil(c+support-0.5))+1)
		var sum float32
		k := 0
		for p := lo; p < hi && k < a.stride; p++ {
			t := float32(kernel((float64(p) + 0.5 - c) / stretch))
			if k == 0 && t == 0 {
				lo++ // trim leading zero taps
				continue
			}
			w[k] = t
			sum += t
			k++
		}
		for k > 0 && w[k-1] == 0 {
			k--
		}
		for q := range k {
			w[q] /= sum
		}
		a.start[i], a.count[i] = lo, k
	}
}

// nearest maps each output pixel to the source pixel under its centre, or
// -1 for padding, for masks, where interpolating would invent classes.
func nearest(dst []int, src int, o, size float64, flip bool) {
	n := len(dst)
	scale := size / float64(n)
	for i := range dst {
		j := i
		if flip {
			j = n - 1 - i
		}
		c := o + (float64(j)+0.5)*scale
		if c < 0 || c >= float64(src) {
			dst[i] = -1
			continue
		}
		dst[i] = int(c)
	}
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// resampler is one worker's scratch space for resampling.
type resampler struct {
	x, y     axis
	tmp, acc []float32
	scale    []float32 // per channel, folding /255 and the normalisation
	shift    []float32
	xi, yi   []int
	rowf     []float32   // one source row as float32 (vector path)
	aff      [50]float32 // the vector vertical pass's scale, shift, clamp
}

// image resamples src through v into out (OutH, OutW, C) as float32 with
// the view's normalisation, or into out8 when out is nil.
func (rs *resampler) image(src *Image, v *View, out []float32, out8 []uint8) {
	C, Q, P := src.C, v.OutW, v.OutH
	rs.x.build(src.W, v.X0, v.BoxW, Q, v.Flip, v.Interpolation)
	rs.y.build(src.H, v.Y0, v.BoxH, P, false, v.Interpolation)
	// Rows of the source that any output row reads.
	r0, r1 := src.H, 0
	for p := range P {
		if n := rs.y.count[p]; n > 0 {
			r0 = min(r0, rs.y.start[p])
			r1 = max(r1, rs.y.start[p]+n)
		}
	}
	r1 = max(r0, r1)
	rs.tmp = grow(rs.tmp, (r1-r0)*Q*C)
	vector := C == 3 && simdRGB.vertical != nil
	if vector {
		rs.horizontalSIMD(src, r0, r1)
	} else {
		for r := r0; r < r1; r++ {
			rs.horizontal(src.Pix[r*src.W*C:(r+1)*src.W*C], rs.tmp[(r-r0)*Q*C:(r-r0+1)*Q*C], C)
		}
	}
	rs.scale, rs.shift = grow(rs.scale, C), grow(rs.shift, C)
	scale, shift := rs.scale, rs.shift
	pixelAffine(v.Mean, v.Std, scale, shift)
	row := Q * C
	if vector {
		rs.verticalSIMD(r0, row, v.Interpolation == Bicubic, scale, shift, out, out8)
		return
	}
	for p := range P {
		n, s := rs.y.count[p], rs.y.start[p]
		w := rs.y.w[p*rs.y.stride:]
		acc := rs.accumulate(n, s-r0, w, row)
		if out == nil {
			o := out8[p*row : (p+1)*row]
			for i, a := range acc {
				o[i] = uint8(min(255, max(0, a+0.5)))
			}
			continue
		}
		if v.Interpolation == Bicubic { // its negative lobes overshoot
			for i, a := range acc {
				acc[i] = min(255, max(0, a))
			}
		}
		o := out[p*row : (p+1)*row]
		for i := 0; i < row; i += C {
			for c := range C {
				o[i+c] = float32(acc[i+c]*scale[c]) + shift[c] // two roundings, never fused
			}
		}
	}
}

// pixelAffine sets, for each channel c < len(scale), the map from a pixel
// value v in [0, 255] to its normalised value v*scale[c] + shift[c]:
// (v/255 - mean[c]) / std[c], or v/255 when mean is nil.
func pixelAffine(mean, std, scale, shift []float32) {
	for c := range scale {
		shift[c] = 0
		scale[c] = 1.0 / 255
		if mean != nil {
			scale[c] /= std[c]
			shift[c] = -mean[c] / std[c]
		}
	}
}

// accumulate sums n rows of tmp from row s on, weighted by w, into acc.
func (rs *resampler) accumulate(n, s int, w []float32, row int) []float32 {
	rs.acc = grow(rs.acc, row)
	acc := rs.acc
	clear(acc)
	for k := range n {
		wk := w[k]
		for i, v := range rs.tmp[(s+k)*row : (s+k+1)*row] {
			acc[i] += wk * v
		}
	}
	return acc
}

// horizontal filters one source row into one row of Q output columns.
func (rs *resampler) horizontal(src []uint8, dst []float32, C int) {
	a := &rs.x
	for q := range len(a.count) {
		n, s := a.count[q], a.start[q]*C
		w := a.w[q*a.stride : q*a.stride+n]
		switch C {
		case 1:
			var v float32
			for k, wk := range w {
				v += wk * float32(src[s+k])
			}
			dst[q] = v
		case 3:
			var r, g, b float32
			for k, wk := range w {
				i := s + 3*k
				r += wk * float32(src[i])
				g += wk * float32(src[i+1])
				b += wk * float32(src[i+2])
			}
			dst[3*q], dst[3*q+1], dst[3*q+2] = r, g, b
		default:
			for c := range C {
				var v float32
				for k, wk := range w {
					v += wk * float32(src[s+k*C+c])
				}
				dst[q*C+c] = v
			}
		}
	}
}

// mask samples src (C == 1) through v's geometry into out (OutH, OutW) by
// nearest neighbour; padding becomes Ignore.
func (rs *resampler) mask(src *Image, v *View, out []int32) {
	rs.xi = grow(rs.xi, v.OutW)
	rs.yi = grow(rs.yi, v.OutH)
	nearest(rs.xi, src.W, v.X0, v.BoxW, v.Flip)
	nearest(rs.yi, src.H, v.Y0, v.BoxH, false)
	for p, y := range rs.yi {
		o := out[p*v.OutW : (p+1)*v.OutW]
		for q, x := range rs.xi {
			if x < 0 || y < 0 {
				o[q] = Ignore
				continue
			}
			o[q] = int32(src.Pix[y*src.W+x])
		}
	}
}
