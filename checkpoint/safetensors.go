package checkpoint

// The safetensors codec is written here rather than taken from
// github.com/nlpodyssey/safetensors: that library needs the whole file as
// one []byte (a second copy of a 550 MB VGG checkpoint next to its float32
// tensors), counts a scalar's elements as 0 when building views, has no
// tagged release, and its errors name neither the file nor the tensor.
// The format is small: an 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets}, "__metadata__": {string: string}},
// then the raw little-endian tensor bytes, packed without gaps.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
)

// Tensor is a named float32 array in host memory, row-major with the
// given shape.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// numel returns the number of elements of shape.
func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// maxHeaderLen bounds the JSON header (the reference implementation uses the
// same 100 MB limit) so that a corrupt length cannot ask for gigabytes.
const maxHeaderLen = 100 << 20

type headerEntry struct {
	DType       string  `json:"dtype"`
	Shape       []int64 `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"`
}

// dtypeSize gives the element size of each dtype the reader converts to
// float32; integers are accepted for PyTorch's num_batches_tracked counters.
var dtypeSize = map[string]int64{"F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4}

// WriteSafetensors writes tensors as F32 in safetensors format, sorted by
// name as the reference implementation does, with metadata (may be nil) as
// "__metadata__". It panics when a tensor's data does not match its shape or
// a name repeats.
func WriteSafetensors(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	sorted := slices.Clone(tensors)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	header := make(map[string]any, len(sorted)+1)
	if len(metadata) > 0 {
		header["__metadata__"] = metadata
	}
	var off int64
	for i, t := range sorted {
		if len(t.Data) != numel(t.Shape) {
			panic(fmt.Sprintf("checkpoint: tensor %q has %d values for shape %v", t.Name, len(t.Data), t.Shape))
		}
		if i > 0 && sorted[i-1].Name == t.Name || t.Name == "__metadata__" {
			panic(fmt.Sprintf("checkpoint: tensor name %q repeated or reserved", t.Name))
		}
		shape := make([]int64, len(t.Shape))
		for k, d := range t.Shape {
			shape[k] = int64(d)
		}
		end := off + 4*int64(len(t.Data))
		header[t.Name] = headerEntry{"F32", shape, []int64{off, end}}
		off = end
	}
	js, err := json.Marshal(header)
	if err != nil {
		return err
	}
	// Pad with spaces so the data starts 8-byte aligned, as the reference
	// writer does, which lets readers map it in place.
	js = append(js, bytes.Repeat([]byte(" "), (8-len(js)%8)%8)...)
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(js)))
	if _, err := w.Write(lenBuf[:]); err != nil {
		return err
	}
	if _, err := w.Write(js); err != nil {
		return err
	}
	buf := make([]byte, 0, 1<<16)
	for _, t := range sorted {
		for i, v := range t.Data {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			if len(buf) == cap(buf) || i == len(t.Data)-1 {
				if _, err := w.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
	}
	return nil
}

// tensorInfo is a validated header entry.
type tensorInfo struct {
	name       string
	dtype      string
	shape      []int
	begin, end int64 // byte offsets into the data section
}

// ReadSafetensors decodes a safetensors file of size bytes from r,
// converting every tensor to float32, and returns the tensors in file order
// with the metadata. Everything is validated before any tensor memory is
// allocated: the header length against the size, the JSON, dtypes, shapes,
// and offsets (in range, matching dtype size times elements, packed from 0
// to the end of the file without gaps or overlap). It never panics on bad
// input.
func ReadSafetensors(r io.ReaderAt, size int64) ([]Tensor, map[string]string, error) {
	var lenBuf [8]byte
	if size < 8 {
		return nil, nil, fmt.Errorf("file of %d bytes is too short for a safetensors header", size)
	}
	if _, err := r.ReadAt(lenBuf[:], 0); err != nil {
		return nil, nil, err
	}
	hlen := binary.LittleEndian.Uint64(lenBuf[:])
	if hlen > maxHeaderLen || int64(hlen) > size-8 {
		return nil, nil, fmt.Errorf("header length %d does not fit a file of %d bytes (truncated?)", hlen, size)
	}
	hbuf := make([]byte, hlen)
	if _, err := r.ReadAt(hbuf, 8); err != nil {
		return nil, nil, err
	}
	dataStart := 8 + int64(hlen)
	infos, meta, err := parseHeader(hbuf, size-dataStart)
	if err != nil {
		return nil, nil, err
	}
	tensors := make([]Tensor, len(infos))
	for i, ti := range infos {
		data, err := readTensor(r, dataStart, ti)
		if err != nil {
			return nil, nil, fmt.Errorf("tensor %q: %w", ti.name, err)
		}
		tensors[i] = Tensor{Name: ti.name, Shape: ti.shape, Data: data}
	}
	return tensors, meta, nil
}

// parseHeader decodes and validates the JSON header for a data section of
// dataLen bytes, returning the entries sorted by offset.
func parseHeader(hbuf []byte, dataLen int64) ([]tensorInfo, map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(hbuf))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, errors.New("header is not a JSON object")
	}
	var infos []tensorInfo
	var meta map[string]string
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("header: %w", err)
		}
		name := tok.(string) // object keys are always strings
		if seen[name] {
			return nil, nil, fmt.Errorf("header: name %q appears twice", name)
		}
		seen[name] = true
		if name == "__metadata__" {
			if err := dec.Decode(&meta); err != nil {
				return nil, nil, fmt.Errorf("header: __metadata__: %w", err)
			}
			continue
		}
		var e headerEntry
		if err := dec.Decode(&e); err != nil {
			return nil, nil, fmt.Errorf("header: tensor %q: %w", name, err)
		}
		ti, err := validateEntry(name, e, dataLen)
		if err != nil {
			return nil, nil, fmt.Errorf("header: tensor %q: %w", name, err)
		}
		infos = append(infos, ti)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, fmt.Errorf("header: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, errors.New("header: trailing bytes after the JSON object")
	}
	sort.Slice(infos, func(i, j int) bool {
		a, b := infos[i], infos[j]
		return a.begin < b.begin || a.begin == b.begin && a.end < b.end
	})
	var off int64
	for _, ti := range infos {
		if ti.begin != off {
			return nil, nil, fmt.Errorf("header: tensor %q starts at byte %d, want %d (tensors must be packed without gaps or overlap)", ti.name, ti.begin, off)
		}
		off = ti.end
	}
	if off != dataLen {
		return nil, nil, fmt.Errorf("tensors end at data byte %d but the file has %d data bytes (truncated or padded?)", off, dataLen)
	}
	return infos, meta, nil
}

func validateEntry(name string, e headerEntry, dataLen int64) (tensorInfo, error) {
	size, ok := dtypeSize[e.DType]
	if !ok {
		return tensorInfo{}, fmt.Errorf("unsupported dtype %q", e.DType)
	}
	if e.Shape == nil || len(e.DataOffsets) != 2 {
		return tensorInfo{}, errors.New("needs a shape and two data_offsets")
	}
	begin, end := e.DataOffsets[0], e.DataOffsets[1]
	if begin < 0 || end < begin || end > dataLen {
		return tensorInfo{}, fmt.Errorf("data_offsets [%d, %d] outside the %d data bytes", begin, end, dataLen)
	}
	shape := make([]int, len(e.Shape))
	n := int64(1)
	for i, d := range e.Shape {
		// Every element needs at least one byte of the file, so bounding
		// the product by dataLen also rules out overflow.
		if d < 0 || d > 0 && n > dataLen/d {
			return tensorInfo{}, fmt.Errorf("shape %v does not fit the file", e.Shape)
		}
		n *= d
		shape[i] = int(d)
	}
	if n > dataLen/size || end-begin != n*size {
		return tensorInfo{}, fmt.Errorf("data_offsets [%d, %d] hold %d bytes, want %d for %s %v", begin, end, end-begin, n*size, e.DType, e.Shape)
	}
	return tensorInfo{name: name, dtype: e.DType, shape: shape, begin: begin, end: end}, nil
}

// readTensor reads one tensor in chunks, so a large tensor costs little
// memory beyond its float32 copy.
func readTensor(r io.ReaderAt, dataStart int64, ti tensorInfo) ([]float32, error) {
	size := dtypeSize[ti.dtype]
	out := make([]float32, (ti.end-ti.begin)/size)
	chunk := make([]byte, min(ti.end-ti.begin, 1<<20))
	for done := int64(0); done < int64(len(out)); {
		k := min(int64(len(chunk))/size, int64(len(out))-done)
		b := chunk[:k*size]
		if _, err := r.ReadAt(b, dataStart+ti.begin+done*size); err != nil {
			return nil, err
		}
		decode(out[done:done+k], b, ti.dtype)
		done += k
	}
	return out, nil
}

// decode converts little-endian elements of dtype in b to float32.
func decode(dst []float32, b []byte, dtype string) {
	le := binary.LittleEndian
	switch dtype {
	case "F32":
		for i := range dst {
			dst[i] = math.Float32frombits(le.Uint32(b[4*i:]))
		}
	case "F16":
		for i := range dst {
			dst[i] = float16ToFloat32(le.Uint16(b[2*i:]))
		}
	case "BF16":
		for i := range dst {
			dst[i] = math.Float32frombits(uint32(le.Uint16(b[2*i:])) << 16)
		}
	case "F64":
		for i := range dst {
			dst[i] = float32(math.Float64frombits(le.Uint64(b[8*i:])))
		}
	case "I64":
		for i := range dst {
			dst[i] = float32(int64(le.Uint64(b[8*i:])))
		}
	case "I32":
		for i := range dst {
			dst[i] = float32(int32(le.Uint32(b[4*i:])))
		}
	}
}

// float16ToFloat32 widens an IEEE 754 binary16 value exactly.
func float16ToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp != 0: // normal: rebias 15 -> 127
		return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
	default: // zero or subnormal: frac * 2^-24
		v := float32(frac) * (1.0 / (1 << 24))
		if sign != 0 {
			v = -v
		}
		return v
	}
}

// SaveSafetensors writes tensors to path atomically (see WriteFileAtomic).
func SaveSafetensors(path string, tensors []Tensor, metadata map[string]string) error {
	return writeFile(path, func(w io.Writer) error { return WriteSafetensors(w, tensors, metadata) })
}

// LoadSafetensors reads the safetensors file at path (see
// ReadSafetensors); errors name the file.
func LoadSafetensors(path string) ([]Tensor, map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %w", err)
	}
	tensors, meta, err := ReadSafetensors(f, fi.Size())
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %s: %w", path, err)
	}
	return tensors, meta, nil
}
