// Command gen remakes the Fashion-MNIST subset embedded in package
// embedded from the full dataset (Debian's dataset-fashion-mnist package
// installs it in /usr/share/datasets/fashion-mnist):
//
//	go generate ./data/embedded
//
// It keeps the first -train images of each class from the training file
// and the first -val of each class from the t10k file, in file order, and
// writes them as gzipped idx files. The output is byte-for-byte
// reproducible.
package main

import (
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gocnn/gocnn/data"
)

func main() {
	src := flag.String("src", "/usr/share/datasets/fashion-mnist", "folder with the full Fashion-MNIST idx files")
	out := flag.String("out", "fashion", "output folder")
	train := flag.Int("train", 500, "training images per class")
	val := flag.Int("val", 100, "validation images per class")
	flag.Parse()
	if err := run(*src, *out, *train, *val); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src, out string, train, val int) error {
	for _, s := range []struct {
		split, prefix string
		per           int
	}{{"train", "train", train}, {"val", "t10k", val}} {
		m, err := data.MNIST(src, s.split, data.FashionMNISTClasses)
		if err != nil {
			return err
		}
		pix, labels := subset(m, s.per)
		n := len(labels)
		if err := write(filepath.Join(out, s.prefix+"-images-idx3-ubyte.gz"), []int{n, m.H, m.W}, pix); err != nil {
			return err
		}
		if err := write(filepath.Join(out, s.prefix+"-labels-idx1-ubyte.gz"), []int{n}, labels); err != nil {
			return err
		}
	}
	return nil
}

// subset keeps the first per images of each class, in file order.
func subset(m *data.Memory, per int) (pix, labels []byte) {
	count := make([]int, len(m.ClassNames))
	sz := m.H * m.W
	for i, l := range m.Labels {
		if count[l] < per {
			count[l]++
			pix = append(pix, m.Pix[i*sz:(i+1)*sz]...)
			labels = append(labels, byte(l))
		}
	}
	return pix, labels
}

func write(path string, dims []int, b []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := data.WriteIDX(zw, dims, b); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}
