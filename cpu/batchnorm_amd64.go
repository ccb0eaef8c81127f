//go:build !openblas

package cpu

// The kernels below are installed by sgemm_amd64.go's init, with the
// other AVX2/FMA paths.

// bnSums16 adds, for the 16 channels at x of rows rows stride floats
// apart, d = float64(x) - ref[j] to s[j] and d*d to q[j], each channel's
// terms in row order. It is written in batchnorm_amd64.s.
//
//go:noescape
func bnSums16(x *float32, rows, stride int, ref, s, q *float64)

// bnGradSums16 adds, for the 16 channels at x and dy of rows rows stride
// floats apart, float64(dy) to s[j] and float64(dy)*float64(x - mean[j])
// to q[j], each channel's terms in row order; a y that is not nil masks
// dy to where y > 0. It is written in batchnorm_amd64.s.
//
//go:noescape
func bnGradSums16(x, y, dy *float32, rows, stride int, mean *float32, s, q *float64)

// bnAffine8 sets y = x*scale + shift, per channel, for rows rows of c
// floats, c a multiple of 8, then adds res (when not nil) and with relu
// takes max(y, 0). It is written in batchnorm_amd64.s.
//
//go:noescape
func bnAffine8(x, res, y *float32, rows, c int, scale, shift *float32, relu bool)

// bnBackward8 sets dx = dy*scale - (x - mean)*k - off, per channel, for
// rows rows of c floats, c a multiple of 8, dy first masked to where y > 0
// when y is not nil and stored to dres when that is not nil. It is
// written in batchnorm_amd64.s.
//
//go:noescape
func bnBackward8(x, y, dy, dx, dres *float32, rows, c int, mean, scale, k, off *float32)
