package cpu

import "github.com/gocnn/gocnn/autograd"

// PixelsToFloat32 sets y[r, c] = float32(x[r, c])*scale[c] + shift[c]:
// uint8 images converted and normalised. x: (rows, cols) Uint8; scale,
// shift: (cols); y: (rows, cols).
func (b *Backend) PixelsToFloat32(rows, cols int, x, scale, shift, y autograd.Buffer) {
	xv, sv, hv, yv := uint8s(x), floats(scale), floats(shift), floats(y)
	mustLen("PixelsToFloat32", rows*cols, len(xv), len(yv))
	mustLen("PixelsToFloat32", cols, len(sv), len(hv))
	b.parallelFor(rows, rowGrain(cols), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xr, yr := xv[r*cols:(r+1)*cols], yv[r*cols:(r+1)*cols]
			for c, v := range xr {
				yr[c] = float32(v)*sv[c] + hv[c]
			}
		}
	})
}
