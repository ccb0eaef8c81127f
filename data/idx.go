package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// maxIDXElems bounds the element count an idx header may announce.
const maxIDXElems = 1 << 32

// ReadIDX reads an idx file of unsigned bytes (the MNIST format), gzipped
// or not, and returns its dimensions and data. The allocation grows with
// the bytes actually read, so a lying header cannot exhaust memory.
func ReadIDX(r io.Reader) (dims []int, data []byte, err error) {
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, err
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	var hdr [4]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		return nil, nil, fmt.Errorf("idx header: %w", err)
	}
	if hdr[0] != 0 || hdr[1] != 0 {
		return nil, nil, errors.New("not an idx file (bad magic)")
	}
	if hdr[2] != 0x08 {
		return nil, nil, fmt.Errorf("idx element type 0x%02x is not unsigned byte (0x08)", hdr[2])
	}
	if hdr[3] == 0 {
		return nil, nil, errors.New("idx file has no dimensions")
	}
	dims = make([]int, hdr[3])
	total := 1
	for i := range dims {
		var d uint32
		if err := binary.Read(br, binary.BigEndian, &d); err != nil {
			return nil, nil, fmt.Errorf("idx dimension %d: %w", i, err)
		}
		dims[i] = int(d)
		if d != 0 && total > maxIDXElems/int(d) {
			return nil, nil, fmt.Errorf("idx dimensions %v are too large", dims[:i+1])
		}
		total *= int(d)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(br, int64(total)+1)); err != nil {
		return nil, nil, fmt.Errorf("idx data: %w", err)
	}
	switch {
	case buf.Len() < total:
		return nil, nil, fmt.Errorf("idx data truncated: %d of %d bytes", buf.Len(), total)
	case buf.Len() > total:
		return nil, nil, fmt.Errorf("idx file has data past the %d bytes its dimensions %v announce", total, dims)
	}
	return dims, buf.Bytes(), nil
}

// WriteIDX writes an idx file of unsigned bytes with the given dimensions.
// It panics when len(data) does not match dims.
func WriteIDX(w io.Writer, dims []int, data []byte) error {
	total := 1
	for _, d := range dims {
		total *= d
	}
	if total != len(data) || len(dims) == 0 || len(dims) > 255 {
		panic(fmt.Sprintf("data: WriteIDX: %d bytes for dimensions %v", len(data), dims))
	}
	hdr := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		hdr = binary.BigEndian.AppendUint32(hdr, uint32(d))
	}
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	_, err := w.Write(data)
	return err
}

// IDX reads an idx images file (N, H, W) and its labels file (N) into a
// Memory dataset with the given class names.
func IDX(images, labels io.Reader, classes []string) (*Memory, error) {
	dims, pix, err := ReadIDX(images)
	if err != nil {
		return nil, fmt.Errorf("images: %w", err)
	}
	if len(dims) != 3 {
		return nil, fmt.Errorf("images: idx dimensions %v, want (N, H, W)", dims)
	}
	ldims, lab, err := ReadIDX(labels)
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	if len(ldims) != 1 || ldims[0] != dims[0] {
		return nil, fmt.Errorf("labels: idx dimensions %v, want (%d)", ldims, dims[0])
	}
	m := &Memory{H: dims[1], W: dims[2], C: 1, Pix: pix, Labels: make([]int32, len(lab)), ClassNames: classes}
	for i, l := range lab {
		m.Labels[i] = int32(l)
	}
	if err := checkLabels(m.Labels, len(classes)); err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	return m, nil
}

// MNIST reads the MNIST or Fashion-MNIST split ("train" or "val", the
// latter being the t10k files) from dir, which holds the four files as
// published: train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each possibly ending in
// .gz. Pass MNISTClasses or FashionMNISTClasses as classes.
func MNIST(dir, split string, classes []string) (*Memory, error) {
	prefix, ok := map[string]string{"train": "train", "val": "t10k", "test": "t10k"}[split]
	if !ok {
		return nil, fmt.Errorf("data: MNIST split %q is not train or val", split)
	}
	open := func(name string) (*os.File, error) {
		p := filepath.Join(dir, prefix+name)
		f, err := os.Open(p)
		if errors.Is(err, os.ErrNotExist) {
			f, err = os.Open(p + ".gz")
		}
		return f, err
	}
	imf, err := open("-images-idx3-ubyte")
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer imf.Close()
	lbf, err := open("-labels-idx1-ubyte")
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer lbf.Close()
	m, err := IDX(imf, lbf, classes)
	if err != nil {
		return nil, fmt.Errorf("data: %s, %s: %w", imf.Name(), lbf.Name(), err)
	}
	return m, nil
}
