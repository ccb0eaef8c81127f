//go:build !openblas

package cpu

import "testing"

// TestGemmGonum runs TestGemm's cases on gonum, the fallback for CPUs
// without the assembly kernel, which TestGemm does not reach on CPUs that
// have it.
func TestGemmGonum(t *testing.T) {
	saved := fastSgemm
	defer func() { fastSgemm = saved }()
	fastSgemm = nil
	testGemm(t)
}
