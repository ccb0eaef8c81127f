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
func decodeTurbo(dst *Image, b []byte, c, limit int) (handled bool, err error) {
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
	dst.reshape(int(ht), int(w), c)
	if C.tjDecompress2(h, buf, C.ulong(len(b)), (*C.uchar)(unsafe.Pointer(&dst.Pix[0])), w, 0, ht, pf, C.TJFLAG_STOPONWARNING) != 0 {
		return true, turboError(h)
	}
	return true, nil
}

func turboError(h C.tjhandle) error {
	return fmt.Errorf("libjpeg-turbo: %s", C.GoString(C.tjGetErrorStr2(h)))
}
