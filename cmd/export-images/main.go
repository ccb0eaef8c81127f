// Command export-images writes an idx (MNIST, Fashion-MNIST), CIFAR binary
// or the embedded Fashion-MNIST sample out as an image-folder tree, so the
// folder pipeline can be tried on real data:
//
//	export-images -from embedded -out /tmp/fashion                 # train/ and val/, PNG
//	export-images -from embedded -seg -out /tmp/fashion-seg        # images/ + masks/ layout
//	export-images -from fashion-mnist -src /usr/share/datasets/fashion-mnist -out /tmp/fm
//	export-images -from cifar10 -src cifar-10-batches-bin -format jpg -out /tmp/cifar10
//
// It writes <out>/train and <out>/val (or only -split), each an ImageFolder
// tree <split>/<NN_class>/<index>.<format>, or with -seg a segmentation
// tree <split>/images, <split>/masks and <split>/classes.txt. A split folder
// that exists and is not empty is refused, so that an export never mixes
// with older files.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/data/embedded"
)

func main() {
	from := flag.String("from", "embedded", "source: embedded, mnist, fashion-mnist, cifar10 or cifar100")
	src := flag.String("src", "", "folder holding the source files (not for embedded)")
	out := flag.String("out", "", "output root (required)")
	split := flag.String("split", "", "write only this split (train or val); default both")
	format := flag.String("format", "png", "image file format: png or jpg")
	limit := flag.Int("limit", 0, "write at most this many images per split (0: all)")
	seg := flag.Bool("seg", false, "with -from embedded: write the segmentation variant")
	flag.Parse()
	if err := run(*from, *src, *out, *split, data.ExportFormat(*format), *limit, *seg); err != nil {
		fmt.Fprintln(os.Stderr, "export-images:", err)
		os.Exit(1)
	}
}

func run(from, src, out, split string, format data.ExportFormat, limit int, seg bool) error {
	if out == "" {
		return fmt.Errorf("-out is required")
	}
	if seg && from != "embedded" {
		return fmt.Errorf("-seg needs -from embedded")
	}
	splits := []string{"train", "val"}
	if split != "" {
		splits = []string{split}
	}
	for _, s := range splits {
		if err := checkEmpty(filepath.Join(out, s)); err != nil {
			return err
		}
	}
	for _, s := range splits {
		m, err := load(from, src, s, seg)
		if err != nil {
			return err
		}
		if err := data.Export(m, filepath.Join(out, s), format, limit); err != nil {
			return err
		}
		n := m.Len()
		if limit > 0 {
			n = min(n, limit)
		}
		fmt.Printf("%s: wrote %d images to %s\n", s, n, filepath.Join(out, s))
	}
	return nil
}

// checkEmpty refuses dir when it exists and holds anything.
func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("-out: %s is not empty (%d entries, such as %s), and the export would mix with them; choose a new -out or empty it", dir, len(entries), entries[0].Name())
	}
	return nil
}

func load(from, src, split string, seg bool) (*data.Memory, error) {
	if from != "embedded" && src == "" {
		return nil, fmt.Errorf("-from %s needs -src", from)
	}
	switch from {
	case "embedded":
		if seg {
			return embedded.FashionMNISTSeg(split)
		}
		return embedded.FashionMNIST(split)
	case "mnist":
		return data.MNIST(src, split, data.MNISTClasses)
	case "fashion-mnist":
		return data.MNIST(src, split, data.FashionMNISTClasses)
	case "cifar10":
		return data.CIFAR10(src, split)
	case "cifar100":
		return data.CIFAR100(src, split)
	}
	return nil, fmt.Errorf("unknown -from %q", from)
}
