package checkpoint

import (
	"fmt"
	"io"
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
