package checkpoint

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

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
	got := []Tensor{
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
