package checkpoint

// KRSCToOIHW returns t with a 4-D (K, R, S, C) filter permuted to PyTorch's
// (K, C, R, S); tensors of other ranks are returned unchanged. Transposed
// convolution filters take the same permutation: gocnn stores them as the
// KRSC filter of the convolution they transpose, and PyTorch's
// (in, out/groups, kH, kW) is that filter's OIHW.
func KRSCToOIHW(t Tensor) Tensor { return permute4(t, [4]int{0, 3, 1, 2}) }

// OIHWToKRSC is the inverse of KRSCToOIHW.
func OIHWToKRSC(t Tensor) Tensor { return permute4(t, [4]int{0, 2, 3, 1}) }

// permute4 returns t with a 4-D shape's axes reordered so that axis i of
// the result is axis perm[i] of t; tensors of other ranks are returned
// unchanged.
func permute4(t Tensor, perm [4]int) Tensor {
	if len(t.Shape) != 4 {
		return t
	}
	var inStride [4]int
	for i, n := 3, 1; i >= 0; i-- {
		inStride[i], n = n, n*t.Shape[i]
	}
	// d and st are the result's dimensions and the step each takes in t.
	var d, st [4]int
	for i, p := range perm {
		d[i], st[i] = t.Shape[p], inStride[p]
	}
	out := make([]float32, len(t.Data))
	o := 0
	for a := range d[0] {
		for b := range d[1] {
			for c := range d[2] {
				for e := range d[3] {
					out[o] = t.Data[a*st[0]+b*st[1]+c*st[2]+e*st[3]]
					o++
				}
			}
		}
	}
	return Tensor{Name: t.Name, Shape: d[:], Data: out}
}
