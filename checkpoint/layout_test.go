package checkpoint

import (
	"slices"
	"testing"
)

func TestLayout(t *testing.T) {
	const K, R, S, C = 3, 2, 4, 5
	krsc := Tensor{Name: "w", Shape: []int{K, R, S, C}, Data: make([]float32, K*R*S*C)}
	for i := range krsc.Data {
		// element (k, r, s, c) holds the code k r s c in decimal digits
		k, r, s, c := i/(R*S*C), i/(S*C)%R, i/C%S, i%C
		krsc.Data[i] = float32(k*1000 + r*100 + s*10 + c)
	}
	oihw := KRSCToOIHW(krsc)
	if !slices.Equal(oihw.Shape, []int{K, C, R, S}) || oihw.Name != "w" {
		t.Fatalf("shape %v name %q", oihw.Shape, oihw.Name)
	}
	for k := range K {
		for c := range C {
			for r := range R {
				for s := range S {
					got := oihw.Data[((k*C+c)*R+r)*S+s]
					if want := float32(k*1000 + r*100 + s*10 + c); got != want {
						t.Fatalf("OIHW (%d,%d,%d,%d) = %v, want %v", k, c, r, s, got, want)
					}
				}
			}
		}
	}
	if back := OIHWToKRSC(oihw); !slices.Equal(back.Shape, krsc.Shape) || !slices.Equal(back.Data, krsc.Data) {
		t.Fatal("OIHWToKRSC does not invert KRSCToOIHW")
	}
	fc := Tensor{Name: "fc.weight", Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, 6}}
	if got := KRSCToOIHW(fc); !slices.Equal(got.Data, fc.Data) || !slices.Equal(got.Shape, fc.Shape) {
		t.Fatal("a 2-D tensor was permuted")
	}
}
