package train

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// KRSCToOIHW returns t with a 4-D (K, R, S, C) filter permuted to PyTorch's
// (K, C, R, S); tensors of other ranks are returned unchanged. Transposed
// convolution filters take the same permutation: gocnn stores them as the
// KRSC filter of the convolution they transpose, and PyTorch's
// (in, out/groups, kH, kW) is that filter's OIHW.
func KRSCToOIHW(t HostTensor) HostTensor { return permute4(t, [4]int{0, 3, 1, 2}) }

// OIHWToKRSC is the inverse of KRSCToOIHW.
func OIHWToKRSC(t HostTensor) HostTensor { return permute4(t, [4]int{0, 2, 3, 1}) }

// permute4 returns t with a 4-D shape's axes reordered so that axis i of
// the result is axis perm[i] of t; tensors of other ranks are returned
// unchanged.
func permute4(t HostTensor, perm [4]int) HostTensor {
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
	return HostTensor{Name: t.Name, Shape: d[:], Data: out}
}

// WriteWeights writes model parameters and buffers (gocnn layout,
// torchvision names) as a safetensors file PyTorch loads directly: 4-D
// filters are converted to OIHW and the metadata gets "format": "pt".
func WriteWeights(w io.Writer, tensors []HostTensor, metadata map[string]string) error {
	out := make([]HostTensor, len(tensors))
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
func SaveWeights(path string, tensors []HostTensor, metadata map[string]string) error {
	return WriteFileAtomic(path, func(w io.Writer) error { return WriteWeights(w, tensors, metadata) })
}

// LoadWeights reads a safetensors file written by SaveWeights or by
// PyTorch and returns its tensors in gocnn layout (4-D filters KRSC).
func LoadWeights(path string) ([]HostTensor, map[string]string, error) {
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
func MatchTensors(file string, got []HostTensor, want map[string][]int) error {
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
	return fmt.Errorf("train: %s does not match the model: %s", file, strings.Join(parts, "; "))
}
