package data

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

const cifarPixels = 32 * 32 * 3

// CIFAR10 reads the binary version of CIFAR-10 from dir (the
// cifar-10-batches-bin folder): data_batch_1.bin to data_batch_5.bin for
// split "train", test_batch.bin for "val". Class names come from
// batches.meta.txt when present.
func CIFAR10(dir, split string) (*Memory, error) {
	var files []string
	switch split {
	case "train":
		for i := 1; i <= 5; i++ {
			files = append(files, fmt.Sprintf("data_batch_%d.bin", i))
		}
	case "val", "test":
		files = []string{"test_batch.bin"}
	default:
		return nil, fmt.Errorf("data: CIFAR-10 split %q is not train or val", split)
	}
	return readCIFAR(dir, files, 1, "batches.meta.txt", CIFAR10Classes)
}

// CIFAR100 reads the binary version of CIFAR-100 from dir (the
// cifar-100-binary folder): train.bin for split "train", test.bin for
// "val", with the 100 fine labels. Class names come from
// fine_label_names.txt when present.
func CIFAR100(dir, split string) (*Memory, error) {
	file, ok := map[string]string{"train": "train.bin", "val": "test.bin", "test": "test.bin"}[split]
	if !ok {
		return nil, fmt.Errorf("data: CIFAR-100 split %q is not train or val", split)
	}
	return readCIFAR(dir, []string{file}, 2, "fine_label_names.txt", CIFAR100Classes)
}

func readCIFAR(dir string, files []string, labelBytes int, meta string, classes []string) (*Memory, error) {
	if names, err := readLines(filepath.Join(dir, meta)); err == nil {
		classes = names
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("data: %w", err)
	}
	m := &Memory{H: 32, W: 32, C: 3, ClassNames: classes}
	for _, f := range files {
		p := filepath.Join(dir, f)
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		if err := decodeCIFAR(m, b, labelBytes); err != nil {
			return nil, fmt.Errorf("data: %s: %w", p, err)
		}
	}
	return m, nil
}

// decodeCIFAR appends the records of one CIFAR binary file to m: each is
// labelBytes label bytes (the last one is the label used) and a 32x32 RGB
// image stored as three planes, transposed here to HWC.
func decodeCIFAR(m *Memory, b []byte, labelBytes int) error {
	rec := labelBytes + cifarPixels
	if len(b) == 0 || len(b)%rec != 0 {
		return fmt.Errorf("size %d is not a whole number of %d-byte CIFAR records", len(b), rec)
	}
	for r := 0; r < len(b); r += rec {
		l := int32(b[r+labelBytes-1])
		if int(l) >= len(m.ClassNames) {
			return fmt.Errorf("record %d: label %d is not a class in [0, %d)", r/rec, l, len(m.ClassNames))
		}
		m.Labels = append(m.Labels, l)
		planes := b[r+labelBytes : r+rec]
		for i := range 32 * 32 {
			m.Pix = append(m.Pix, planes[i], planes[1024+i], planes[2048+i])
		}
	}
	return nil
}

// readLines returns the non-empty lines of a text file, trimmed.
func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		if l := strings.TrimSpace(s.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return lines, nil
}
