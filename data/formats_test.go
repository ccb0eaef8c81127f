package data_test

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/data/embedded"
)

const debianFashion = "/usr/share/datasets/fashion-mnist"

func TestIDXRoundTrip(t *testing.T) {
	m := firstN(fashion(t, "val"), 30)
	dir := t.TempDir()
	for _, gz := range []bool{false, true} {
		var im, lb bytes.Buffer
		write := func(buf *bytes.Buffer, dims []int, b []byte) {
			if !gz {
				if err := data.WriteIDX(buf, dims, b); err != nil {
					t.Fatal(err)
				}
				return
			}
			zw := gzip.NewWriter(buf)
			if err := data.WriteIDX(zw, dims, b); err != nil {
				t.Fatal(err)
			}
			zw.Close()
		}
		labels := make([]byte, 30)
		for i, l := range m.Labels {
			labels[i] = byte(l)
		}
		write(&im, []int{30, 28, 28}, m.Pix)
		write(&lb, []int{30}, labels)
		ext := map[bool]string{false: "", true: ".gz"}[gz]
		os.WriteFile(filepath.Join(dir, "t10k-images-idx3-ubyte"+ext), im.Bytes(), 0o644)
		os.WriteFile(filepath.Join(dir, "t10k-labels-idx1-ubyte"+ext), lb.Bytes(), 0o644)
		got, err := data.MNIST(dir, "val", data.FashionMNISTClasses)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Pix, m.Pix) || !slices.Equal(got.Labels, m.Labels) || got.H != 28 || got.W != 28 {
			t.Fatalf("gzip %v: round trip differs", gz)
		}
		os.Remove(filepath.Join(dir, "t10k-images-idx3-ubyte"))
		os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte"))
	}
	// Labels out of range and mismatched counts are errors naming the files.
	if _, err := data.MNIST(dir, "val", data.FashionMNISTClasses[:3]); err == nil || !strings.Contains(err.Error(), "t10k-labels") {
		t.Fatalf("bad labels: err %v", err)
	}
	if _, err := data.MNIST(dir, "train", data.FashionMNISTClasses); err == nil || !strings.Contains(err.Error(), "train-images") {
		t.Fatalf("missing files: err %v", err)
	}
}

func TestCIFAR(t *testing.T) {
	src := firstN(fashion(t, "val"), 25)
	for _, c := range []struct {
		name       string
		labelBytes int
		files      []string
		open       func(dir, split string) (*data.Memory, error)
	}{
		{"cifar10", 1, []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}, data.CIFAR10},
		{"cifar100", 2, []string{"train.bin"}, data.CIFAR100},
	} {
		dir := t.TempDir()
		// Each file holds 5 records: label byte(s), then R, G and B planes
		// made from a Fashion image and its mirror and negative.
		var want []uint8
		var wantLab []int32
		for f, name := range c.files {
			var b []byte
			for r := range 5 {
				i := (f*5 + r) % src.Len()
				l := byte(src.Labels[i])
				if c.labelBytes == 2 {
					b = append(b, 7) // coarse label, ignored
				}
				b = append(b, l)
				img := src.Pix[i*784 : (i+1)*784]
				var planes [3][1024]byte
				for y := range 32 {
					for x := range 32 {
						var v byte
						if y >= 2 && y < 30 && x >= 2 && x < 30 {
							v = img[(y-2)*28+x-2]
						}
						planes[0][y*32+x], planes[1][y*32+31-x], planes[2][y*32+x] = v, v, 255-v
					}
				}
				b = append(b, planes[0][:]...)
				b = append(b, planes[1][:]...)
				b = append(b, planes[2][:]...)
				for p := range 1024 {
					want = append(want, planes[0][p], planes[1][p], planes[2][p])
				}
				wantLab = append(wantLab, int32(l))
			}
			os.WriteFile(filepath.Join(dir, name), b, 0o644)
		}
		m, err := c.open(dir, "train")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !bytes.Equal(m.Pix, want) || !slices.Equal(m.Labels, wantLab) || m.C != 3 {
			t.Fatalf("%s: decoded records differ", c.name)
		}
		os.WriteFile(filepath.Join(dir, c.files[0]), []byte("short"), 0o644)
		if _, err := c.open(dir, "train"); err == nil || !strings.Contains(err.Error(), c.files[0]) {
			t.Fatalf("%s: truncated file: err %v", c.name, err)
		}
	}
	if len(data.CIFAR100Classes) != 100 || !slices.IsSorted(data.CIFAR100Classes) {
		t.Fatal("CIFAR-100 class list is not 100 sorted names")
	}
}

func TestEmbeddedSample(t *testing.T) {
	for split, per := range map[string]int{"train": 500, "val": 100} {
		m := fashion(t, split)
		count := make([]int, 10)
		for _, l := range m.Labels {
			count[l]++
		}
		for c, n := range count {
			if n != per {
				t.Fatalf("%s: class %d has %d images, want %d", split, c, n, per)
			}
		}
		seg, err := embedded.FashionMNISTSeg(split)
		if err != nil {
			t.Fatal(err)
		}
		garment := 0
		for i, v := range seg.Masks {
			if v != 0 {
				garment++
				if int32(v) != m.Labels[i/784]+1 {
					t.Fatalf("%s: mask value %d in an image of class %d", split, v, m.Labels[i/784])
				}
			}
		}
		if f := float64(garment) / float64(len(seg.Masks)); f < 0.2 || f > 0.8 {
			t.Fatalf("%s: %.2f of pixels are garment", split, f)
		}
	}
}

// With Debian's dataset-fashion-mnist installed, the full files load and
// the embedded sample is exactly the first images of each class.
func TestDebianFashionMNIST(t *testing.T) {
	if _, err := os.Stat(debianFashion); err != nil {
		t.Skip("dataset-fashion-mnist is not installed")
	}
	for split, n := range map[string]int{"train": 60000, "val": 10000} {
		full, err := data.MNIST(debianFashion, split, data.FashionMNISTClasses)
		if err != nil {
			t.Fatal(err)
		}
		if full.Len() != n {
			t.Fatalf("%s: %d images", split, full.Len())
		}
		sample := fashion(t, split)
		j := 0
		taken := make([]int, 10)
		for i, l := range full.Labels {
			if j < sample.Len() && taken[l] < map[string]int{"train": 500, "val": 100}[split] {
				taken[l]++
				if sample.Labels[j] != l || !bytes.Equal(sample.Pix[j*784:(j+1)*784], full.Pix[i*784:(i+1)*784]) {
					t.Fatalf("%s: embedded image %d is not full image %d", split, j, i)
				}
				j++
			}
		}
		if j != sample.Len() {
			t.Fatalf("%s: matched %d of %d embedded images", split, j, sample.Len())
		}
	}
}
