package data

import (
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
)

// counting counts the calls of its dataset's Load.
type counting struct {
	Dataset
	loads atomic.Int64
}

func (c *counting) Load(i int, ex *Example) error {
	c.loads.Add(1)
	return c.Dataset.Load(i, ex)
}

// pngTree writes n PNG images of sizes from 17x13 to 23x17 under dir: an
// ImageFolder of three classes, or with seg the images/ and masks/ of a
// segmentation folder of three classes (masks hold 0-2 and 255). Example
// bad, when in range, is a truncated file.
func pngTree(t *testing.T, dir string, n int, seg bool, bad int) {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(n), 1))
	write := func(path string, m image.Image, truncate bool) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, m); err != nil {
			t.Fatal(err)
		}
		if truncate {
			st, _ := f.Stat()
			f.Truncate(st.Size() - 20)
		}
		f.Close()
	}
	if seg {
		os.WriteFile(filepath.Join(dir, "classes.txt"), []byte("a\nb\nc\n"), 0o644)
	}
	for i := range n {
		w, h := 17+i%7, 13+i%5
		img := image.NewNRGBA(image.Rect(0, 0, w, h))
		mask := image.NewGray(img.Rect)
		for j := range w * h {
			img.Pix[4*j], img.Pix[4*j+1], img.Pix[4*j+2], img.Pix[4*j+3] = uint8(r.Uint32()), uint8(r.Uint32()), uint8(r.Uint32()), 255
			mask.Pix[j] = []uint8{0, 1, 2, Ignore}[r.IntN(4)]
		}
		name := fmt.Sprintf("%03d.png", i)
		if !seg {
			write(filepath.Join(dir, fmt.Sprint("class", i%3), name), img, i == bad)
			continue
		}
		write(filepath.Join(dir, "images", name), img, i == bad)
		write(filepath.Join(dir, "masks", name), mask, false)
	}
}

// batchCopy is a copy of a Batch's contents, images as bits.
type batchCopy struct {
	Index  []int
	Images []uint32
	Labels []int32
	Masks  []int32
}

// drainCopies drains epoch e of l and copies its batches.
func drainCopies(t *testing.T, l *Loader, e int) []batchCopy {
	t.Helper()
	ep := l.Epoch(e)
	defer ep.Close()
	var out []batchCopy
	for {
		b, err := ep.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		c := batchCopy{Index: append([]int(nil), b.Index...), Labels: append([]int32(nil), b.Labels...)}
		switch px := b.Images.Data().(type) {
		case []float32:
			for _, v := range px {
				c.Images = append(c.Images, math.Float32bits(v))
			}
		case []uint8:
			for _, v := range px {
				c.Images = append(c.Images, uint32(v))
			}
		}
		if b.Masks != nil {
			c.Masks = append(c.Masks, b.Masks.Data().([]int32)...)
		}
		out = append(out, c)
		b.Release()
	}
}

// cacheCase is a dataset and loader set-up run with and without a Cache.
type cacheCase struct {
	name string
	cfg  LoaderConfig
	// bake is the head of cfg.Transforms that the Cache bakes.
	bake int
}

// TestCacheSameBatches checks that a Cache changes nothing in the batches
// of two epochs, training (random crops and flips after the cache) and
// validation (resize and crop baked into 8-bit pixels, or cached before
// them for float batches), for image folders and segmentation folders
// with a corrupt file skipped, on one worker and several; and that the
// second epoch loads nothing from the files.
func TestCacheSameBatches(t *testing.T) {
	trainTfm := []Transform{RandomResizedCrop{Size: 9}, HorizontalFlip{}, ColorJitter{Brightness: 0.4}, Normalize{}}
	valTfm := []Transform{Resize{Shorter: 12, Interpolation: Bicubic}, CenterCrop{W: 11, H: 10}, Normalize{}}
	cases := []cacheCase{
		{"train", LoaderConfig{Transforms: trainTfm, Shuffle: true, DropLast: true}, 0},
		{"val float", LoaderConfig{Transforms: valTfm}, 0},
		{"val uint8 baked", LoaderConfig{Transforms: valTfm, Uint8: true}, 2},
	}
	for _, seg := range []bool{false, true} {
		dir := t.TempDir()
		pngTree(t, dir, 40, seg, 6)
		var ds Dataset
		var err error
		if seg {
			ds, err = NewSegFolder(dir, nil, 3)
		} else {
			ds, err = NewImageFolder(dir, FolderOptions{})
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range cases {
			for _, workers := range []int{1, 3} {
				name := fmt.Sprintf("seg=%v/%s/workers=%d", seg, tc.name, workers)
				cfg := tc.cfg
				cfg.BatchSize, cfg.Seed, cfg.Workers, cfg.SkipBad = 8, 5, workers, true
				plain, err := NewLoader(ds, cfg)
				if err != nil {
					t.Fatal(name, err)
				}
				under := &counting{Dataset: ds}
				c, err := NewCache(under, cfg.Transforms[:tc.bake], NewCacheMemory(1<<30))
				if err != nil {
					t.Fatal(name, err)
				}
				cfg.Transforms = cfg.Transforms[tc.bake:]
				cached, err := NewLoader(c, cfg)
				if err != nil {
					t.Fatal(name, err)
				}
				for e := range 2 {
					before := under.loads.Load()
					want, got := drainCopies(t, plain, e), drainCopies(t, cached, e)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%s: epoch %d's batches differ with the cache", name, e)
					}
					if n := under.loads.Load() - before; e > 0 && n != 0 {
						t.Errorf("%s: epoch %d loaded %d examples from the files; want all from the cache", name, e, n)
					}
				}
				if !reflect.DeepEqual(cached.Bad(), plain.Bad()) || len(plain.Bad()) != 1 {
					t.Errorf("%s: bad examples %v with the cache, %v without; want example 6", name, cached.Bad(), plain.Bad())
				}
			}
		}
	}
}

// TestCacheFull checks that a Cache whose memory is full loads what does
// not fit every time, with the same batches, and never maps more than its
// capacity.
func TestCacheFull(t *testing.T) {
	ds := synthetic(30, true)
	cfg := LoaderConfig{BatchSize: 4, Workers: 3, Shuffle: true, Transforms: []Transform{RandomCrop{Size: 4}}}
	plain, err := NewLoader(ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	under := &counting{Dataset: ds}
	const size = 6*5*3 + 6*5
	mem := NewCacheMemory(10 * size)
	c, err := NewCache(under, nil, mem)
	if err != nil {
		t.Fatal(err)
	}
	cached, err := NewLoader(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for e := range 2 {
		before := under.loads.Load()
		if !reflect.DeepEqual(drainCopies(t, cached, e), drainCopies(t, plain, e)) {
			t.Fatalf("epoch %d's batches differ with a full cache", e)
		}
		if n := under.loads.Load() - before; e == 1 && n != 20 {
			t.Errorf("epoch 1 loaded %d examples from the dataset; want the 20 that do not fit", n)
		}
	}
	if mem.Used() != 10*size {
		t.Errorf("the cache mapped %d bytes; want its capacity, %d", mem.Used(), 10*size)
	}
}

// TestCacheEstimate checks the estimate against the size of equal images,
// baked and not, and that in-memory datasets are recognised.
func TestCacheEstimate(t *testing.T) {
	ds := synthetic(50, true)
	got, err := CacheEstimate(ds, nil)
	if want := int64(50 * (6*5*3 + 6*5)); err != nil || got != want {
		t.Errorf("estimate %d, %v; want %d", got, err, want)
	}
	got, err = CacheEstimate(ds, []Transform{Resize{Shorter: 10}, CenterCrop{W: 8, H: 8}})
	if want := int64(50 * (8*8*3 + 8*8)); err != nil || got != want {
		t.Errorf("baked estimate %d, %v; want %d", got, err, want)
	}
	if !InMemory(ds) || !InMemory(Limit(ds, 10, 1)) || InMemory(&counting{Dataset: ds}) {
		t.Error("InMemory is wrong about a Memory, its Subset or another dataset")
	}
}

// TestCacheRefusesRandomBake checks that a transform that draws random
// numbers cannot be baked.
func TestCacheRefusesRandomBake(t *testing.T) {
	_, err := NewCache(synthetic(3, false), []Transform{Resize{Shorter: 4}, RandomCrop{Size: 3}}, NewCacheMemory(1<<20))
	if err == nil || !strings.Contains(err.Error(), "RandomCrop draws random numbers") {
		t.Errorf("baking RandomCrop: %v", err)
	}
	if _, err := NewCache(synthetic(3, false), []Transform{Resize{Shorter: 4}, CenterCrop{W: 3, H: 3}}, NewCacheMemory(1<<20)); err != nil {
		t.Errorf("baking Resize and CenterCrop: %v", err)
	}
}
