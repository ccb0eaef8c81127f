package data_test

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/internal/cputime"
)

// photoDirs are searched for real photos to cut the benchmark corpus from:
// $GOCNN_BENCH_PHOTOS, then scikit-image's samples (Debian's
// python3-skimage).
func photoDirs() []string {
	return []string{os.Getenv("GOCNN_BENCH_PHOTOS"), "/usr/lib/python3/dist-packages/skimage/data"}
}

// benchCorpus writes n ImageNet-like JPEGs (500x375, quality 90) into
// dir/train/c/, cut at random from real colour photos when some are found,
// else from the embedded Fashion-MNIST images enlarged (far smoother than
// photos, so they decode faster). It returns a description of the source.
func benchCorpus(b *testing.B, dir string, n int) string {
	var photos []*data.Image
	src := ""
	for _, d := range photoDirs() {
		files, _ := filepath.Glob(filepath.Join(d, "*"))
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			cfg, _, err := image.DecodeConfig(bytes.NewReader(raw))
			if err != nil || cfg.Width < 300 || cfg.Height < 300 {
				continue
			}
			var m data.Image
			if data.DecodeImage(&m, raw, 3) == nil && !isGrey(&m) {
				photos = append(photos, &m)
			}
		}
		if len(photos) > 0 {
			src = fmt.Sprintf("%d photos from %s", len(photos), d)
			break
		}
	}
	if len(photos) == 0 {
		m := fashion(b, "val")
		for i := range 20 {
			g := data.Image{H: 28, W: 28, C: 3, Pix: make([]uint8, 28*28*3)}
			for p := range 784 {
				v := m.Pix[i*784+p]
				g.Pix[3*p], g.Pix[3*p+1], g.Pix[3*p+2] = v, 255-v, v/2
			}
			photos = append(photos, &g)
		}
		src = "embedded Fashion-MNIST images enlarged (no photos found)"
	}
	cdir := filepath.Join(dir, "train", "c")
	if err := os.MkdirAll(cdir, 0o755); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var bytesTotal int
	for i := range n {
		m := cutTo(photos[i%len(photos)], 500, 375, r)
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
			b.Fatal(err)
		}
		bytesTotal += buf.Len()
		if err := os.WriteFile(filepath.Join(cdir, fmt.Sprintf("%04d.jpg", i)), buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return fmt.Sprintf("%s, %d JPEGs of %d KB on average", src, n, bytesTotal/n/1024)
}

func isGrey(m *data.Image) bool {
	for i := 0; i < len(m.Pix); i += 3 {
		if m.Pix[i] != m.Pix[i+1] || m.Pix[i] != m.Pix[i+2] {
			return false
		}
	}
	return true
}

// cutTo takes a random 4:3 region of at least half the photo, resized to
// w x h, through the loader's own resampler.
func cutTo(p *data.Image, w, h int, r *rand.Rand) image.Image {
	ds := &data.Memory{H: p.H, W: p.W, C: 3, Pix: p.Pix, Labels: []int32{0}, ClassNames: []string{"c"}}
	crop := data.RandomResizedCrop{Size: w, Scale: [2]float64{0.5, 1}, Ratio: [2]float64{4.0 / 3, 4.0 / 3}}
	l, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: 1, Uint8: true, Workers: 1, Seed: r.Uint64(),
		Transforms: []data.Transform{crop, resizeTo{w, h}}})
	if err != nil {
		panic(err)
	}
	ep := l.Epoch(0)
	defer ep.Close()
	bt, err := ep.Next()
	if err != nil {
		panic(err)
	}
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	pix := bt.Images.Data().([]uint8)
	for i := range w * h {
		copy(out.Pix[4*i:4*i+3], pix[3*i:])
		out.Pix[4*i+3] = 255
	}
	return out
}

type resizeTo struct{ w, h int }

func (t resizeTo) Apply(v *data.View, _ *rand.Rand) { v.Resize(t.w, t.h) }

// BenchmarkLoader measures images per second: Go's image/jpeg decode
// alone, DecodeImage alone (RGB pixels out, through libjpeg-turbo with
// -tags libjpeg), and the Loader decoding and augmenting to 224x224
// (RandomResizedCrop, flip, normalise) with one worker and with one per
// core, reading the files or, cached, from memory. Run with:
// go test ./data/ -run '^$' -bench Loader -benchtime 200x
func BenchmarkLoader(b *testing.B) {
	dir := b.TempDir()
	b.Logf("%s; JPEG decoder %s", benchCorpus(b, dir, 120), data.JPEGDecoder)
	files, _ := filepath.Glob(filepath.Join(dir, "train", "c", "*.jpg"))
	raws := make([][]byte, len(files))
	for i, f := range files {
		raws[i], _ = os.ReadFile(f)
	}
	// CPU time per image is reported next to the rate: on a shared
	// machine it is the steadier number, and what sizes a CPU budget.
	cpu0 := cputime.Process()
	report := func(b *testing.B, n int, start time.Time) {
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "img/s")
		b.ReportMetric((cputime.Process()-cpu0).Seconds()*1e3/float64(n), "cpu-ms/img")
	}
	decoders := []struct {
		name string
		fn   func(raw []byte) error
	}{
		{"image-jpeg", func(raw []byte) error { _, err := jpeg.Decode(bytes.NewReader(raw)); return err }},
		{"DecodeImage", func(raw []byte) error { var m data.Image; return data.DecodeImage(&m, raw, 3) }},
	}
	for _, d := range decoders {
		b.Run(d.name+"/cores=1", func(b *testing.B) {
			start := time.Now()
			cpu0 = cputime.Process()
			for i := range b.N {
				if err := d.fn(raws[i%len(raws)]); err != nil {
					b.Fatal(err)
				}
			}
			report(b, b.N, start)
		})
		b.Run(fmt.Sprintf("%s/cores=%d", d.name, runtime.GOMAXPROCS(0)), func(b *testing.B) {
			start := time.Now()
			cpu0 = cputime.Process()
			b.RunParallel(func(pb *testing.PB) {
				for i := 0; pb.Next(); i++ {
					if err := d.fn(raws[i%len(raws)]); err != nil {
						b.Error(err)
					}
				}
			})
			report(b, b.N, start)
		})
	}
	f, err := data.NewImageFolder(filepath.Join(dir, "train"), data.FolderOptions{})
	if err != nil {
		b.Fatal(err)
	}
	// The cached loader (-cache-dataset) is timed after an epoch that
	// fills its cache: the epochs after the first.
	cached, err := data.NewCache(f, nil, data.NewCacheMemory(1<<30))
	if err != nil {
		b.Fatal(err)
	}
	for _, ds := range []struct {
		name string
		ds   data.Dataset
	}{{"loader-224", f}, {"loader-224-cached", cached}} {
		for _, w := range []int{1, runtime.GOMAXPROCS(0)} {
			b.Run(fmt.Sprintf("%s/workers=%d", ds.name, w), func(b *testing.B) {
				l, err := data.NewLoader(ds.ds, data.LoaderConfig{BatchSize: 32, Workers: w, Shuffle: true,
					Transforms: []data.Transform{data.RandomResizedCrop{Size: 224}, data.HorizontalFlip{}, data.Normalize{}}})
				if err != nil {
					b.Fatal(err)
				}
				takeImages(b, l, ds.ds.Len(), 0)
				start := time.Now()
				cpu0 = cputime.Process()
				report(b, takeImages(b, l, b.N, 1), start)
			})
		}
	}
}

// takeImages takes n images from l, from epoch first on, and returns how
// many it took.
func takeImages(b *testing.B, l *data.Loader, n, first int) int {
	took := 0
	for e := first; took < n; e++ {
		ep := l.Epoch(e)
		for took < n {
			bt, err := ep.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			took += bt.Len()
			bt.Release()
		}
		ep.Close()
	}
	return took
}
