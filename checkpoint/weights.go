package checkpoint

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
)

// WriteWeights writes model parameters and buffers (gocnn layout,
// torchvision names) as a safetensors file PyTorch loads directly: 4-D
// filters are converted to OIHW and the metadata gets "format": "pt".
func WriteWeights(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	out := make([]Tensor, len(tensors))
	for i, t := range tensors {
		out[i] = KRSCToOIHW(t)
	}
	meta := map[string]string{"format": "pt"}
	for k, v := range metadata {
		meta[k] = v
	}
	return WriteSafetensors(w, out, meta)
}

// SaveWeights writes tensors to path atomically with WriteWeights.
func SaveWeights(path string, tensors []Tensor, metadata map[string]string) error {
	return writeFile(path, func(w io.Writer) error { return WriteWeights(w, tensors, metadata) })
}

// LoadWeights reads a safetensors file written by SaveWeights or by
// PyTorch and returns its tensors in gocnn layout (4-D filters KRSC).
func LoadWeights(path string) ([]Tensor, map[string]string, error) {
	tensors, meta, err := LoadSafetensors(path)
	if err != nil {
		return nil, nil, err
	}
	for i, t := range tensors {
		tensors[i] = OIHWToKRSC(t)
	}
	return tensors, meta, nil
}

// MatchTensors compares the tensors loaded from file with the names and
// shapes a model expects, and returns nil when they agree or else one error
// listing every missing, unexpected and mis-shaped tensor.
func MatchTensors(file string, got []Tensor, want map[string][]int) error {
	var missing, unexpected, misshaped []string
	have := make(map[string]bool, len(got))
	for _, t := range got {
		have[t.Name] = true
		shape, ok := want[t.Name]
		switch {
		case !ok:
			unexpected = append(unexpected, t.Name)
		case !slices.Equal(shape, t.Shape):
			misshaped = append(misshaped, fmt.Sprintf("%s (file %v, model %v)", t.Name, t.Shape, shape))
		}
	}
	for name := range want {
		if !have[name] {
			missing = append(missing, name)
		}
	}
	var parts []string
	for _, l := range []struct {
		what  string
		names []string
	}{{"missing", missing}, {"unexpected", unexpected}, {"mis-shaped", misshaped}} {
		if len(l.names) > 0 {
			sort.Strings(l.names)
			parts = append(parts, fmt.Sprintf("%d %s: %s", len(l.names), l.what, strings.Join(l.names, ", ")))
		}
	}
	if parts == nil {
		return nil
	}
	return fmt.Errorf("checkpoint: %s does not match the model: %s", file, strings.Join(parts, "; "))
}

// Reshaped is a tensor that a file and a model both hold under one name
// with different shapes, such as the classifier of a model trained for
// another number of classes.
type Reshaped struct {
	Name        string
	File, Model []int // gocnn layout
}

// String writes r as "fc.weight (shape (1000,512) in the file, (10,512) in
// the model)", 4-D filters in PyTorch's OIHW order.
func (r Reshaped) String() string {
	return fmt.Sprintf("%s (shape %s in the file, %s in the model)", r.Name, torchShape(r.File), torchShape(r.Model))
}

// torchShape writes a gocnn shape in PyTorch's order and notation: (64,3,7,7).
func torchShape(s []int) string {
	if len(s) == 4 {
		s = []int{s[0], s[3], s[1], s[2]}
	}
	parts := make([]string, len(s))
	for i, n := range s {
		parts[i] = fmt.Sprint(n)
	}
	return "(" + strings.Join(parts, ",") + ")"
}

// splitReshaped takes out of got the tensors that want holds under the
// same name with another shape and that replaceable accepts (nil accepts
// none), and returns the rest, the names and shapes the rest must match,
// and the tensors taken out, sorted by name.
func splitReshaped(got []Tensor, want map[string][]int, replaceable func(name string) bool) ([]Tensor, map[string][]int, []Reshaped) {
	var reshaped []Reshaped
	rest := slices.DeleteFunc(slices.Clone(got), func(t Tensor) bool {
		shape, ok := want[t.Name]
		if !ok || slices.Equal(shape, t.Shape) || replaceable == nil || !replaceable(t.Name) {
			return false
		}
		reshaped = append(reshaped, Reshaped{Name: t.Name, File: t.Shape, Model: shape})
		return true
	})
	if reshaped == nil {
		return rest, want, nil
	}
	restWant := maps.Clone(want)
	for _, r := range reshaped {
		delete(restWant, r.Name)
	}
	slices.SortFunc(reshaped, func(a, b Reshaped) int { return strings.Compare(a.Name, b.Name) })
	return rest, restWant, reshaped
}
