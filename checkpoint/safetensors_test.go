package checkpoint

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func sampleTensors() []Tensor {
	return []Tensor{
		{Name: "layer1.0.conv1.weight", Shape: []int{2, 3, 1, 2}, Data: []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
		{Name: "fc.bias", Shape: []int{3}, Data: []float32{-1.5, float32(math.Inf(1)), 1e-30}},
		{Name: "scalar", Shape: []int{}, Data: []float32{42}},
		{Name: "empty", Shape: []int{0, 4}, Data: []float32{}},
	}
}

func encode(t testing.TB, tensors []Tensor, meta map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteSafetensors(&b, tensors, meta); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rawFile builds a safetensors file from a header string and data bytes.
func rawFile(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

func TestSafetensorsBytes(t *testing.T) {
	// The exact bytes, written out from the format description: header
	// sorted by name, padded with spaces to 8 bytes, F32 data in name order.
	got := encode(t, []Tensor{
		{Name: "b", Shape: []int{2}, Data: []float32{1, -2}},
		{Name: "a", Shape: []int{1, 1}, Data: []float32{0.5}},
	}, map[string]string{"format": "pt"})
	header := `{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`
	header += strings.Repeat(" ", (8-len(header)%8)%8)
	want := rawFile(header, []byte{0, 0, 0, 0x3f, 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0})
	if !bytes.Equal(got, want) {
		t.Fatalf("encoded\n%q\nwant\n%q", got, want)
	}
}

func TestSafetensorsRoundTrip(t *testing.T) {
	in := sampleTensors()
	meta := map[string]string{"epoch": "3"}
	b := encode(t, in, meta)
	out, gotMeta, err := ReadSafetensors(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if gotMeta["epoch"] != "3" || len(gotMeta) != 1 {
		t.Errorf("metadata %v", gotMeta)
	}
	if len(out) != len(in) {
		t.Fatalf("%d tensors back, want %d", len(out), len(in))
	}
	byName := map[string]Tensor{}
	for _, o := range out {
		byName[o.Name] = o
	}
	for _, w := range in {
		g := byName[w.Name]
		if !slices.Equal(g.Shape, w.Shape) || !slices.Equal(g.Data, w.Data) {
			t.Errorf("%s: got %v %v, want %v %v", w.Name, g.Shape, g.Data, w.Shape, w.Data)
		}
	}
}

func TestSafetensorsOtherDTypes(t *testing.T) {
	le := binary.LittleEndian
	var data []byte
	// F16: 1.0, -2.0, smallest subnormal 2^-24, +Inf
	for _, h := range []uint16{0x3c00, 0xc000, 0x0001, 0x7c00} {
		data = le.AppendUint16(data, h)
	}
	// BF16: 1.0, -0.5
	data = le.AppendUint16(le.AppendUint16(data, 0x3f80), 0xbf00)
	// I64: 7
	data = le.AppendUint64(data, 7)
	// F64: 0.25
	data = le.AppendUint64(data, math.Float64bits(0.25))
	header := `{"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},` +
		`"bf":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]},` +
		`"n":{"dtype":"I64","shape":[],"data_offsets":[12,20]},` +
		`"d":{"dtype":"F64","shape":[1],"data_offsets":[20,28]}}`
	f := rawFile(header, data)
	got, _, err := ReadSafetensors(bytes.NewReader(f), int64(len(f)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]float32{
		"h":  {1, -2, float32(math.Ldexp(1, -24)), float32(math.Inf(1))},
		"bf": {1, -0.5},
		"n":  {7},
		"d":  {0.25},
	}
	for _, g := range got {
		if !slices.Equal(g.Data, want[g.Name]) {
			t.Errorf("%s: got %v, want %v", g.Name, g.Data, want[g.Name])
		}
	}
}

func TestFloat16(t *testing.T) {
	// Every finite half value against its definition: (-1)^s 2^(e-15) (1 + f/1024),
	// or 2^-14 f/1024 when e = 0.
	for h := 0; h < 1<<16; h++ {
		s, e, f := h>>15, (h>>10)&0x1f, h&0x3ff
		got := float16ToFloat32(uint16(h))
		if e == 0x1f {
			if f == 0 && !math.IsInf(float64(got), 1-2*s) || f != 0 && !math.IsNaN(float64(got)) {
				t.Fatalf("%#04x -> %v", h, got)
			}
			continue
		}
		want := math.Ldexp(float64(f)/1024, -14)
		if e != 0 {
			want = math.Ldexp(1+float64(f)/1024, e-15)
		}
		if s == 1 {
			want = -want
		}
		if float64(got) != want || math.Signbit(float64(got)) != (s == 1) {
			t.Fatalf("%#04x -> %v, want %v", h, got, want)
		}
	}
}

func TestSafetensorsRejects(t *testing.T) {
	good := `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	data8 := make([]byte, 8)
	cases := map[string][]byte{
		"empty file":        {},
		"short length":      {1, 2, 3},
		"header too long":   rawFile(good, data8)[:20],
		"huge length":       append(binary.LittleEndian.AppendUint64(nil, 1<<62), good...),
		"not json":          rawFile(`{"a":`, nil),
		"not an object":     rawFile(`[1,2]`, data8),
		"trailing bytes":    rawFile(good+`{}`, data8),
		"duplicate name":    rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, data8),
		"unknown dtype":     rawFile(`{"a":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}}`, data8),
		"bool dtype":        rawFile(`{"a":{"dtype":"BOOL","shape":[8],"data_offsets":[0,8]}}`, data8),
		"no shape":          rawFile(`{"a":{"dtype":"F32","data_offsets":[0,8]}}`, data8),
		"one offset":        rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[8]}}`, data8),
		"negative dim":      rawFile(`{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, data8),
		"float dim":         rawFile(`{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}`, data8),
		"overflowing shape": rawFile(`{"a":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,8]}}`, data8),
		"size mismatch":     rawFile(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, data8),
		"offset past end":   rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}`, data8),
		"reversed offsets":  rawFile(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}`, data8),
		"overlap":           rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, data8),
		"gap":               rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, data8),
		"data truncated":    rawFile(good, data8[:6]),
		"extra data":        rawFile(good, make([]byte, 12)),
		"metadata not str":  rawFile(`{"__metadata__":{"k":1}}`, nil),
		"entry not object":  rawFile(`{"a":5}`, nil),
	}
	for name, f := range cases {
		if _, _, err := ReadSafetensors(bytes.NewReader(f), int64(len(f))); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	f := rawFile(good, data8)
	if _, _, err := ReadSafetensors(bytes.NewReader(f), int64(len(f))); err != nil {
		t.Errorf("the well-formed base case is rejected: %v", err)
	}
}

func TestSafetensorsTruncatedFile(t *testing.T) {
	full := encode(t, sampleTensors(), nil)
	dir := t.TempDir()
	for n := 0; n < len(full); n++ {
		path := filepath.Join(dir, "cut.safetensors")
		if err := os.WriteFile(path, full[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := LoadSafetensors(path)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Fatalf("%d of %d bytes: error %v, want one naming %s", n, len(full), err, path)
		}
	}
}

func TestWriteSafetensorsPanics(t *testing.T) {
	for name, ts := range map[string][]Tensor{
		"length":   {{Name: "a", Shape: []int{3}, Data: []float32{1}}},
		"repeated": {{Name: "a", Shape: []int{1}, Data: []float32{1}}, {Name: "a", Shape: []int{1}, Data: []float32{2}}},
		"reserved": {{Name: "__metadata__", Shape: []int{1}, Data: []float32{1}}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			WriteSafetensors(new(bytes.Buffer), ts, nil)
		}()
	}
}

// FuzzReadSafetensors checks that no input panics and that whatever is
// accepted is self-consistent and survives a write/read round trip.
func FuzzReadSafetensors(f *testing.F) {
	f.Add([]byte{})
	f.Add(encode(f, sampleTensors(), map[string]string{"k": "v"}))
	f.Add(rawFile(`{"h":{"dtype":"F16","shape":[2,1],"data_offsets":[0,4]},"n":{"dtype":"I64","shape":[],"data_offsets":[4,12]}}`, make([]byte, 12)))
	f.Add(rawFile(`{"a":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}`, []byte{0x80, 0x3f}))
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, meta, err := ReadSafetensors(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		for _, x := range ts {
			if len(x.Data) != numel(x.Shape) {
				t.Fatalf("%s: %d values for shape %v", x.Name, len(x.Data), x.Shape)
			}
		}
		var w bytes.Buffer
		if err := WriteSafetensors(&w, ts, meta); err != nil {
			t.Fatal(err)
		}
		back, _, err := ReadSafetensors(bytes.NewReader(w.Bytes()), int64(w.Len()))
		if err != nil || len(back) != len(ts) {
			t.Fatalf("re-read of %d tensors: %d, %v", len(ts), len(back), err)
		}
	})
}
