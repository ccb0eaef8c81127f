//go:build libjpeg && cgo

package data

/*
#cgo LDFLAGS: -lturbojpeg
#include <stdlib.h>
#include <turbojpeg.h>
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// JPEGDecoder names the JPEG decoder this build uses.
const JPEGDecoder = "libjpeg-turbo"

// decodeTurbo decodes a JPEG with libjpeg-turbo straight into RGB or luma
// pixels. It returns handled == false for CMYK and YCCK files, which the
// TurboJPEG API cannot turn into RGB, and for headers it cannot parse
// (4:1:0 subsampling, for one); image/jpeg decodes those or says what is
// wrong with them. Warnings
// (a truncated file, corrupt data) are errors, as in the pure-Go path.
// shrink (1, 2, 4 or 8) scales the image down by that factor in the DCT
// domain, to ceil(w/shrink) x ceil(h/shrink) pixels: libjpeg-turbo then
// runs a smaller inverse DCT per block, far cheaper than a full decode.
func decodeTurbo(dst *Image, b []byte, c, limit, shrink int) (handled bool, err error) {
	h := C.tjInitDecompress()
	if h == nil {
		return true, errors.New("libjpeg-turbo: cannot create a decompressor")
	}
	defer C.tjDestroy(h)
	buf := (*C.uchar)(unsafe.Pointer(&b[0]))
	var w, ht, subsamp, cs C.int
	if C.tjDecompressHeader3(h, buf, C.ulong(len(b)), &w, &ht, &subsamp, &cs) != 0 ||
		cs == C.TJCS_CMYK || cs == C.TJCS_YCCK {
		return false, nil
	}
	if w <= 0 || ht <= 0 || int(w) > limit/int(ht) {
		return true, fmt.Errorf("image size %dx%d is empty or over %d pixels", w, ht, limit)
	}
	pf := C.int(C.TJPF_RGB)
	if c == 1 {
		pf = C.TJPF_GRAY
	}
	if !turboScales(shrink) {
		return true, fmt.Errorf("libjpeg-turbo cannot scale by 1/%d", shrink)
	}
	s := C.int(shrink)
	w, ht = (w+s-1)/s, (ht+s-1)/s // TJSCALED(dim, 1/shrink)
	dst.reshape(int(ht), int(w), c)
	if C.tjDecompress2(h, buf, C.ulong(len(b)), (*C.uchar)(unsafe.Pointer(&dst.Pix[0])), w, 0, ht, pf, C.TJFLAG_STOPONWARNING) != 0 {
		return true, turboError(h)
	}
	return true, nil
}

// turboScales reports whether libjpeg-turbo's scaling factors include
// 1/shrink (tjGetScalingFactors; 1/2, 1/4 and 1/8 in every release).
func turboScales(shrink int) bool {
	var n C.int
	f := C.tjGetScalingFactors(&n)
	if f == nil {
		return shrink == 1
	}
	for _, sf := range unsafe.Slice(f, int(n)) {
		if sf.num == 1 && int(sf.denom) == shrink {
			return true
		}
	}
	return false
}

func turboError(h C.tjhandle) error {
	return fmt.Errorf("libjpeg-turbo: %s", C.GoString(C.tjGetErrorStr2(h)))
}
