package cpu

// Direct kernels for convolutions whose groups read one input channel
// each (C/G == 1): depthwise (K == C) and channel multipliers (K = m*C).
// Output channel k reads input channel k/m. NHWC makes every tap a
// vector operation along channels; filters are transposed to tap-major
// (R*S, K) so that each tap's weights are contiguous too.

func (b *Backend) depthwiseForward(g convGeom, x, w, y []float32) {
	wt := g.tapMajor(w)
	b.parallelFor(g.N*g.pq(), 1, func(r0, r1 int) {
		for row := r0; row < r1; row++ {
			yr := y[row*g.K:][:g.K]
			clear(yr)
			g.taps(row, func(tap, off int) {
				if off >= 0 {
					spreadMulAdd(yr, x[off:][:g.C], wt[tap*g.K:][:g.K], g.kg)
				}
			})
			g.epi.block(yr, 1, g.K, g.K, 0)
		}
	})
}

func (b *Backend) depthwiseBackwardData(g convGeom, dy, w, dx []float32) {
	wt := g.tapMajor(w)
	// Workers own whole images of dx: the scatter never races.
	b.parallelFor(g.N, 1, func(n0, n1 int) {
		clear(dx[n0*g.H*g.W*g.C : n1*g.H*g.W*g.C])
		for row := n0 * g.pq(); row < n1*g.pq(); row++ {
			dyr := dy[row*g.K:][:g.K]
			g.taps(row, func(tap, off int) {
				if off >= 0 {
					gatherMulAdd(dx[off:][:g.C], dyr, wt[tap*g.K:][:g.K], g.kg)
				}
			})
		}
	})
}

func (b *Backend) depthwiseBackwardFilter(g convGeom, x, dy, dw []float32) {
	rs := g.R * g.S
	acc := b.scratch(rs * g.K) // (R*S, K)
	defer b.recycle(acc)
	b.reduceChunks(g.N, acc, func(n0, n1 int, acc []float32) {
		for row := n0 * g.pq(); row < n1*g.pq(); row++ {
			dyr := dy[row*g.K:][:g.K]
			g.taps(row, func(tap, off int) {
				if off >= 0 {
					spreadMulAdd(acc[tap*g.K:][:g.K], x[off:][:g.C], dyr, g.kg)
				}
			})
		}
	})
	for k := range g.K {
		for tap := range rs {
			dw[k*rs+tap] = acc[tap*g.K+k]
		}
	}
}

// tapMajor returns w (K, R, S, 1) transposed to (R*S, K).
func (g convGeom) tapMajor(w []float32) []float32 {
	rs := g.R * g.S
	wt := make([]float32, rs*g.K)
	for k := range g.K {
		for tap := range rs {
			wt[tap*g.K+k] = w[k*rs+tap]
		}
	}
	return wt
}

// spreadMulAdd sets dst[j] += x[j/m] * v[j] for dst and v of len(x)*m.
func spreadMulAdd(dst, x, v []float32, m int) {
	if m == 1 {
		v = v[:len(x)]
		dst = dst[:len(x)]
		for c, xc := range x {
			dst[c] += xc * v[c]
		}
		return
	}
	for c, xc := range x {
		d, vv := dst[c*m:][:m], v[c*m:][:m]
		for j := range d {
			d[j] += xc * vv[j]
		}
	}
}

// gatherMulAdd sets dst[c] += sum over j of u[c*m+j] * v[c*m+j]: the
// adjoint of spreadMulAdd with respect to x.
func gatherMulAdd(dst, u, v []float32, m int) {
	if m == 1 {
		u, v = u[:len(dst)], v[:len(dst)]
		for c := range dst {
			dst[c] += u[c] * v[c]
		}
		return
	}
	for c := range dst {
		uu, vv := u[c*m:][:m], v[c*m:][:m]
		var s float32
		for j := range uu {
			s += uu[j] * vv[j]
		}
		dst[c] += s
	}
}
