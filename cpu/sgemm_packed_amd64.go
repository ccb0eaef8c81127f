//go:build !openblas

package cpu

import "sync"

// Blocking of packedSgemm, in the manner of BLIS/GotoBLAS: a kc-deep slice
// of op(b), up to nc columns, is packed once into 16-column strips that
// stay in L2, and the micro-kernel computes 6x16 tiles of c from six rows
// of op(a) and one strip. op(a) is read in place (the kernel takes both of
// its strides), except where packA says: packing all of a would cost as
// much as the arithmetic when c is narrow, as a convolution's output
// channels often are.
const (
	mr, nr = 6, 16
	kc, nc = 256, 1024
)

type packBuffers struct {
	a    [kc * mr]float32
	b    [kc * nc]float32
	tile [mr * nr]float32
}

var packPool = sync.Pool{New: func() any { return new(packBuffers) }}

// packedSgemm is sgemm (same contract, k >= 1) on one goroutine with the AVX2/FMA
// micro-kernel. Each element of c sums its k products in a fixed order.
func packedSgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	// Strides of op(a) in a: between rows, and along k.
	rs, ks := lda, 1
	if transA {
		rs, ks = 1, lda
	}
	buf := packPool.Get().(*packBuffers)
	defer packPool.Put(buf)
	for j0 := 0; j0 < n; j0 += nc {
		nb := min(nc, n-j0)
		for p0 := 0; p0 < k; p0 += kc {
			kb := min(kc, k-p0)
			// The first k block applies beta; later ones accumulate.
			bta := beta
			if p0 > 0 {
				bta = 1
			}
			packB(transB, b, ldb, p0, kb, j0, nb, buf.b[:])
			for i0 := 0; i0 < m; i0 += mr {
				rows := min(mr, m-i0)
				strip, srs, sks := a[i0*rs+p0*ks:], rs, ks
				if rows < mr || ks >= l1SetPeriod && nb > 2*nr {
					strip, srs, sks = packA(strip, rs, ks, rows, kb, buf.a[:kb*mr]), 1, mr
				}
				_ = strip[(mr-1)*srs+(kb-1)*sks] // the kernel reads this far
				for jr := 0; jr < nb; jr += nr {
					kernel6x16(kb, &strip[0], srs, sks, &buf.b[jr*kb], &buf.tile[0])
					storeTile(&buf.tile, rows, min(nr, nb-jr), alpha, bta, c[i0*ldc+j0+jr:], ldc)
				}
			}
		}
	}
}

// l1SetPeriod is the stride, in floats, at which addresses fall in the same
// set of a 32 KiB 8-way L1 data cache (4 KiB).
const l1SetPeriod = 1024

// packA copies rows <= 6 rows of op(a) starting at a (strides rs, ks)
// into dst laid out (kb, 6), missing rows zero. packedSgemm packs a strip
// when it has fewer than six rows, and when its k steps lie l1SetPeriod
// floats apart or more and it serves more than two column strips: read in
// place, its kb steps at a convolution's 1,024 or 2,048 channels all fall
// in one L1 set and evict one another (BenchmarkPointwisePasses: 1x1
// filter gradients at 1,024 and 2,048 filters 52-66 cpu-GFLOP/s read in
// place, 63-89 packed, on a loaded machine; at 256 filters packing lost).
func packA(a []float32, rs, ks, rows, kb int, dst []float32) []float32 {
	if rows < mr {
		clear(dst)
	}
	if rs == 1 {
		for l := range kb {
			copy(dst[l*mr:l*mr+rows], a[l*ks:l*ks+rows])
		}
		return dst
	}
	for i := range rows {
		for l := range kb {
			dst[l*mr+i] = a[i*rs+l*ks]
		}
	}
	return dst
}

// packDepth is the rows of a strip packB fills per pass when op(b) is
// transposed: 64 rows of 16 floats, 4 KiB.
const packDepth = 64

// packB copies op(b)[p0:p0+kb, j0:j0+nb] into 16-column strips, each laid
// out (kb, 16), columns past nb zero.
func packB(trans bool, b []float32, ldb, p0, kb, j0, nb int, dst []float32) {
	for jr := 0; jr < nb; jr += nr {
		strip := dst[jr*kb:][:kb*nr]
		cols := min(nr, nb-jr)
		if trans {
			// A band of packDepth rows of the strip at a time, so the
			// band stays in L1 while each column is scattered into it.
			for l0 := 0; l0 < kb; l0 += packDepth {
				lb := min(packDepth, kb-l0)
				for j := range cols {
					src := b[(j0+jr+j)*ldb+p0+l0:][:lb]
					for l, v := range src {
						strip[(l0+l)*nr+j] = v
					}
				}
			}
			for l := range kb {
				clear(strip[l*nr+cols : (l+1)*nr])
			}
			continue
		}
		for l := range kb {
			d := strip[l*nr:][:nr]
			copy(d, b[(p0+l)*ldb+j0+jr:][:cols])
			clear(d[cols:])
		}
	}
}

// storeTile sets the rows x cols corner of c to alpha*tile + beta*c,
// not reading c when beta == 0.
func storeTile(tile *[mr * nr]float32, rows, cols int, alpha, beta float32, c []float32, ldc int) {
	if rows == mr && cols == nr && alpha == 1 && (beta == 0 || beta == 1) {
		_ = c[(mr-1)*ldc+nr-1]
		storeTile6x16(tile, &c[0], ldc, beta == 1)
		return
	}
	for i := range rows {
		t := tile[i*nr:][:cols]
		d := c[i*ldc:][:cols]
		switch beta {
		case 0:
			for j, v := range t {
				d[j] = alpha * v
			}
		case 1:
			for j, v := range t {
				d[j] += alpha * v
			}
		default:
			for j, v := range t {
				d[j] = alpha*v + beta*d[j]
			}
		}
	}
}

// storeTile6x16 is storeTile of a whole tile with alpha 1 and beta 0
// (add false) or 1 (add true), in tile_amd64.s: the Go loops cost a tenth
// of a ResNet-18 step, most of it in the filter gradient's accumulation.
//
//go:noescape
func storeTile6x16(tile *[mr * nr]float32, c *float32, ldc int, add bool)
