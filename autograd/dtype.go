package autograd

import "fmt"

// DType is the element type of a tensor's storage.
type DType uint8

const (
	// Float32 is IEEE single precision: weights, gradients and, in fp32
	// mode, activations.
	Float32 DType = iota
	// BFloat16 is bfloat16 (fp32's exponent, an 8-bit significand): the
	// activations of mixed-precision training (Device.SetActivationDType).
	BFloat16
	// Int32 holds class labels and pooling argmax indices.
	Int32
	// Uint8 holds image pixels on their way to the device, a quarter of
	// the bytes of float32 ones (see Backend.PixelsToFloat32).
	Uint8
)

// Size returns the number of bytes one element occupies.
func (d DType) Size() int {
	switch d {
	case Float32, Int32:
		return 4
	case BFloat16:
		return 2
	case Uint8:
		return 1
	}
	panic(fmt.Sprintf("autograd: unknown dtype %d", d))
}

func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case BFloat16:
		return "bfloat16"
	case Int32:
		return "int32"
	case Uint8:
		return "uint8"
	}
	return fmt.Sprintf("DType(%d)", d)
}
