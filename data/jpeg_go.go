//go:build !libjpeg || !cgo

package data

// JPEGDecoder names the JPEG decoder this build uses; build with
// -tags libjpeg (and libturbojpeg0-dev installed) for libjpeg-turbo.
const JPEGDecoder = "image/jpeg"

// decodeTurbo leaves every JPEG to image/jpeg in this build.
func decodeTurbo(*Image, []byte, int, int, int) (handled bool, err error) { return false, nil }
