package train

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLayout(t *testing.T) {
	const K, R, S, C = 3, 2, 4, 5
	krsc := HostTensor{Name: "w", Shape: []int{K, R, S, C}, Data: make([]float32, K*R*S*C)}
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
	fc := HostTensor{Name: "fc.weight", Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, 6}}
	if got := KRSCToOIHW(fc); !slices.Equal(got.Data, fc.Data) || !slices.Equal(got.Shape, fc.Shape) {
		t.Fatal("a 2-D tensor was permuted")
	}
}

func TestSaveLoadWeights(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.safetensors")
	in := sampleTensors()
	if err := SaveWeights(path, in, map[string]string{"model": "resnet18"}); err != nil {
		t.Fatal(err)
	}
	// On disk the filter is OIHW.
	raw, meta, err := LoadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	if meta["format"] != "pt" || meta["model"] != "resnet18" {
		t.Errorf("metadata %v", meta)
	}
	for _, r := range raw {
		if r.Name == "layer1.0.conv1.weight" && !slices.Equal(r.Shape, []int{2, 2, 3, 1}) {
			t.Errorf("filter stored with shape %v, want OIHW [2 2 3 1]", r.Shape)
		}
	}
	got, _, err := LoadWeights(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{}
	for _, w := range in {
		want[w.Name] = w.Shape
	}
	if err := MatchTensors(path, got, want); err != nil {
		t.Fatal(err)
	}
	for _, g := range got {
		if g.Name == "layer1.0.conv1.weight" && !slices.Equal(g.Data, in[0].Data) {
			t.Errorf("filter came back as %v, want %v", g.Data, in[0].Data)
		}
	}
}

func TestMatchTensors(t *testing.T) {
	got := []HostTensor{
		{Name: "a", Shape: []int{2}},
		{Name: "b", Shape: []int{3, 3}},
		{Name: "extra1", Shape: []int{1}},
		{Name: "extra2", Shape: []int{1}},
	}
	want := map[string][]int{"a": {2}, "b": {3, 4}, "gone": {5}}
	err := MatchTensors("m.safetensors", got, want)
	if err == nil {
		t.Fatal("mismatch not reported")
	}
	msg := err.Error()
	for _, s := range []string{"m.safetensors", "1 missing: gone", "2 unexpected: extra1, extra2", "1 mis-shaped: b (file [3 3], model [3 4])"} {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q lacks %q", msg, s)
		}
	}
	if strings.Contains(msg, "a (") || strings.Contains(msg, "\n") {
		t.Errorf("error %q lists a matching tensor or spans lines", msg)
	}
}
