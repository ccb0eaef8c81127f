// Command jpegcorpus writes a folder of synthetic photo-like JPEGs in
// torchvision's ImageFolder layout (OUT/<class>/<n>.jpg), 500x375 at
// quality 90 by default, like ImageNet's training images, for timing data
// loaders where no real photos are at hand (see data.SyntheticPhoto):
//
//	go run ./scripts/jpegcorpus -out /tmp/corpus -n 512
package main

import (
	"bufio"
	"flag"
	"fmt"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/gocnn/gocnn/data"
)

func main() {
	out := flag.String("out", "", "folder to write (created; its class folders are c0, c1, ...)")
	n := flag.Int("n", 256, "number of images")
	classes := flag.Int("classes", 4, "number of class folders")
	w := flag.Int("w", 500, "image width")
	h := flag.Int("h", 375, "image height")
	q := flag.Int("quality", 90, "JPEG quality")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := write(*out, *n, *classes, *w, *h, *q, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "jpegcorpus:", err)
		os.Exit(1)
	}
}

func write(out string, n, classes, w, h, q int, seed uint64) error {
	switch {
	case out == "":
		return fmt.Errorf("-out is required")
	case n <= 0 || classes <= 0 || w <= 0 || h <= 0:
		return fmt.Errorf("-n %d, -classes %d, -w %d, -h %d: each must be positive", n, classes, w, h)
	case q < 1 || q > 100:
		return fmt.Errorf("-quality %d is not in [1, 100]", q)
	}
	r := rand.New(rand.NewPCG(seed, 0))
	total := 0
	for i := range n {
		dir := filepath.Join(out, fmt.Sprintf("c%d", i%classes))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%05d.jpg", i)))
		if err != nil {
			return err
		}
		bw := bufio.NewWriter(f)
		err = jpeg.Encode(bw, data.SyntheticPhoto(w, h, r), &jpeg.Options{Quality: q})
		if err == nil {
			err = bw.Flush()
		}
		if err == nil {
			var st os.FileInfo
			if st, err = f.Stat(); err == nil {
				total += int(st.Size())
			}
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	fmt.Printf("%s: %d %dx%d JPEGs at quality %d, %d KB on average\n", out, n, w, h, q, total/n/1024)
	return nil
}
