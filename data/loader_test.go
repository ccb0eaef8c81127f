package data

import (
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// synthetic returns n random 6x5 RGB images with labels i%10, and masks
// when seg is set.
func synthetic(n int, seg bool) *Memory {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	m := &Memory{H: 5, W: 6, C: 3, Pix: make([]uint8, n*5*6*3), Labels: make([]int32, n), ClassNames: MNISTClasses}
	for i := range m.Pix {
		m.Pix[i] = uint8(r.IntN(256))
	}
	for i := range m.Labels {
		m.Labels[i] = int32(i % 10)
	}
	if seg {
		m.Masks = make([]uint8, n*5*6)
		for i := range m.Masks {
			m.Masks[i] = uint8(r.IntN(10))
		}
		for i := range m.Labels {
			m.Labels[i] = -1
		}
	}
	return m
}

// epoch drains one epoch and returns its batches' index lists and a copy
// of their float images.
func epoch(t *testing.T, l *Loader, e int) (idx [][]int, imgs [][]float32) {
	t.Helper()
	ep := l.Epoch(e)
	defer ep.Close()
	for {
		b, err := ep.Next()
		if err == io.EOF {
			return idx, imgs
		}
		if err != nil {
			t.Fatal(err)
		}
		idx = append(idx, slices.Clone(b.Index))
		imgs = append(imgs, slices.Clone(b.Images.Data().([]float32)))
		b.Release()
	}
}

func TestLoaderContents(t *testing.T) {
	for _, seg := range []bool{false, true} {
		ds := synthetic(23, seg)
		l, err := NewLoader(ds, LoaderConfig{BatchSize: 4, Workers: 3})
		if err != nil {
			t.Fatal(err)
		}
		if l.Batches() != 6 {
			t.Fatalf("%d batches, want 6", l.Batches())
		}
		ep := l.Epoch(0)
		var seen []int
		for {
			b, err := ep.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			img := b.Images.Data().([]float32)
			if s := b.Images.Shape(); !slices.Equal(s, []int{b.Len(), 5, 6, 3}) {
				t.Fatalf("image shape %v", s)
			}
			for k, i := range b.Index {
				for j := range 90 {
					if want := float64(ds.Pix[i*90+j]) / 255; !closeTo(float64(img[k*90+j]), want, 1e-6) {
						t.Fatalf("example %d value %d = %v, want %v", i, j, img[k*90+j], want)
					}
				}
				if seg {
					masks := b.Masks.Data().([]int32)
					for j := range 30 {
						if masks[k*30+j] != int32(ds.Masks[i*30+j]) {
							t.Fatalf("example %d mask %d = %d, want %d", i, j, masks[k*30+j], ds.Masks[i*30+j])
						}
					}
				} else if b.Labels[k] != ds.Labels[i] {
					t.Fatalf("example %d label %d, want %d", i, b.Labels[k], ds.Labels[i])
				}
			}
			seen = append(seen, b.Index...)
			b.Release()
		}
		if want := l.Order(0); !slices.Equal(seen, want) || len(seen) != 23 {
			t.Fatalf("seen %v, want %v", seen, want)
		}
	}
}

func TestLoaderShuffleShardDropLast(t *testing.T) {
	ds := synthetic(103, false)
	cfg := LoaderConfig{BatchSize: 8, Shuffle: true, Seed: 9, Workers: 2, WorldSize: 3}
	var all []int
	for rank := range 3 {
		cfg.Rank = rank
		l, err := NewLoader(ds, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Order(0)) != 35 || l.Batches() != 5 {
			t.Fatalf("rank %d: %d examples in %d batches, want 35 in 5", rank, len(l.Order(0)), l.Batches())
		}
		if slices.Equal(l.Order(0), l.Order(1)) {
			t.Fatalf("epochs 0 and 1 have the same order")
		}
		all = append(all, l.Order(0)...)
	}
	slices.Sort(all)
	all = slices.Compact(all)
	if len(all) != 103 {
		t.Fatalf("shards cover %d of 103 examples", len(all))
	}
	cfg.DropLast, cfg.Rank = true, 1
	l, err := NewLoader(ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	idx, _ := epoch(t, l, 0)
	if len(idx) != 4 || l.Batches() != 4 {
		t.Fatalf("drop last: %d batches (Batches says %d), want 34/8 = 4", len(idx), l.Batches())
	}
	for _, b := range idx {
		if len(b) != 8 {
			t.Fatalf("drop last: batch of %d", len(b))
		}
	}
}

// The batches depend on the seed and the epoch, not on how many workers
// raced to fill them.
// TestLoaderShardChunks checks that process p of 3, each feeding 2
// devices batch k*2+i of its shard in runs of 2 batches, gives device i
// the batch (examples and augmented pixels) that device p*2+i of one
// process with 6 devices takes from the whole order: batch k*6+p*2+i.
func TestLoaderShardChunks(t *testing.T) {
	const batch, procs, devices = 4, 3, 2
	ds := synthetic(103, false)
	cfg := LoaderConfig{BatchSize: batch, Shuffle: true, Seed: 5, Workers: 2, DropLast: true,
		Transforms: []Transform{RandomCrop{Size: 4, Pad: 1}}}
	one, err := NewLoader(ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	wantIdx, wantImgs := epoch(t, one, 1)
	steps := len(wantIdx) / (procs * devices) // 25 batches: 4 steps of 6
	cfg.WorldSize, cfg.Chunk = procs, devices*batch
	for p := range procs {
		cfg.Rank = p
		l, err := NewLoader(ds, cfg)
		if err != nil {
			t.Fatal(err)
		}
		idx, imgs := epoch(t, l, 1)
		if len(idx) != l.Batches() || l.Batches()/devices != steps {
			t.Fatalf("process %d: %d batches (Batches says %d) make %d steps of %d devices; one process makes %d", p, len(idx), l.Batches(), l.Batches()/devices, devices, steps)
		}
		for k := range steps {
			for i := range devices {
				got, want := k*devices+i, k*procs*devices+p*devices+i
				if !slices.Equal(idx[got], wantIdx[want]) || !slices.Equal(imgs[got], wantImgs[want]) {
					t.Fatalf("process %d batch %d: examples %v, want batch %d's %v", p, got, idx[got], want, wantIdx[want])
				}
			}
		}
	}
}

func TestLoaderDeterministic(t *testing.T) {
	ds := synthetic(50, false)
	cfg := LoaderConfig{BatchSize: 7, Shuffle: true, Seed: 3, Prefetch: 3,
		Transforms: []Transform{RandomResizedCrop{Size: 4}, HorizontalFlip{}, Normalize{}}}
	var ref [][]float32
	for _, w := range []int{1, 4} {
		cfg.Workers = w
		l, err := NewLoader(ds, cfg)
		if err != nil {
			t.Fatal(err)
		}
		_, imgs := epoch(t, l, 2)
		_, other := epoch(t, l, 3)
		if slices.EqualFunc(imgs, other, slices.Equal) {
			t.Fatal("epochs 2 and 3 gave the same batches")
		}
		if ref == nil {
			ref = imgs
		} else if !slices.EqualFunc(imgs, ref, slices.Equal) {
			t.Fatal("4 workers gave other batches than 1")
		}
	}
}

// flaky fails to load the examples in bad.
type flaky struct {
	*Memory
	bad map[int]bool
}

func (f flaky) Load(i int, ex *Example) error {
	if f.bad[i] {
		return fmt.Errorf("data: example%d.png: corrupt", i)
	}
	return f.Memory.Load(i, ex)
}

func TestLoaderBadExamples(t *testing.T) {
	ds := flaky{synthetic(20, false), map[int]bool{0: true, 5: true, 6: true, 7: true, 13: true}}
	l, err := NewLoader(ds, LoaderConfig{BatchSize: 4, SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	idx, _ := epoch(t, l, 0)
	var got []int
	for _, b := range idx {
		got = append(got, b...)
	}
	want := []int{1, 2, 3, 4, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19}
	if !slices.Equal(got, want) || len(idx) != 5 || len(idx[1]) != 1 {
		t.Fatalf("got %v in batches %v, want %v in 5 batches (the second holding only 4)", got, idx, want)
	}
	if l.Skipped() != 5 {
		t.Fatalf("Skipped = %d, want 5", l.Skipped())
	}
	l, err = NewLoader(ds, LoaderConfig{BatchSize: 4})
	if err == nil || !strings.Contains(err.Error(), "example0.png") {
		t.Fatalf("probe error %v, want the first example's", err)
	}
	delete(ds.bad, 0)
	l, err = NewLoader(ds, LoaderConfig{BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	ep := l.Epoch(0)
	if _, err := ep.Next(); err != nil {
		t.Fatal(err)
	}
	if _, err := ep.Next(); err == nil || !strings.Contains(err.Error(), "example5.png") {
		t.Fatalf("second batch: err %v, want example5.png's", err)
	}
	if _, err := ep.Next(); err == nil {
		t.Fatal("epoch goes on after an error")
	}
}

func TestLoaderMismatchedSizes(t *testing.T) {
	ds := &mixed{a: synthetic(3, false), b: &Memory{H: 7, W: 6, C: 3, Pix: make([]uint8, 3*7*6*3), Labels: make([]int32, 3), ClassNames: MNISTClasses}}
	l, err := NewLoader(ds, LoaderConfig{BatchSize: 6, SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	ep := l.Epoch(0)
	defer ep.Close()
	if _, err := ep.Next(); err == nil || !strings.Contains(err.Error(), "fixed-size crop") {
		t.Fatalf("err %v, want a size mismatch even with SkipBad", err)
	}
}

// mixed serves a's examples then b's.
type mixed struct{ a, b *Memory }

func (m *mixed) Len() int          { return m.a.Len() + m.b.Len() }
func (m *mixed) Classes() []string { return m.a.ClassNames }
func (m *mixed) Load(i int, ex *Example) error {
	if i < m.a.Len() {
		return m.a.Load(i, ex)
	}
	return m.b.Load(i-m.a.Len(), ex)
}

func TestLoaderCloseEarlyAndUint8(t *testing.T) {
	ds := synthetic(200, false)
	l, err := NewLoader(ds, LoaderConfig{BatchSize: 5, Workers: 3, Uint8: true})
	if err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	for e := range 3 {
		ep := l.Epoch(e)
		b, err := ep.Next()
		if err != nil {
			t.Fatal(err)
		}
		img := b.Images.Data().([]uint8)
		if len(img) != 5*90 || !slices.Equal(img[:90], ds.Pix[b.Index[0]*90:(b.Index[0]+1)*90]) {
			t.Fatal("uint8 batch differs from the dataset")
		}
		b.Release()
		ep.Close()
		ep.Close()
	}
	for range 100 {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%d goroutines after closing, %d before", runtime.NumGoroutine(), before)
}

func TestLoaderConfigErrors(t *testing.T) {
	ds := synthetic(4, false)
	for _, cfg := range []LoaderConfig{
		{BatchSize: 0},
		{BatchSize: 2, Rank: 2, WorldSize: 2},
		{BatchSize: 2, WorldSize: 5, DropLast: true},
		{BatchSize: 2, Transforms: []Transform{Normalize{Mean: []float32{0.5}, Std: []float32{0.5}}}},
	} {
		if _, err := NewLoader(ds, cfg); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
	if _, err := NewLoader(ds, LoaderConfig{BatchSize: 2, WorldSize: 4}); err != nil {
		t.Error(err)
	}
}

// TestPixelAffine checks that a Uint8 loader's pixels, mapped through
// PixelAffine as the device maps them, are a float32 loader's values
// (exactly here, where no resampling rounds the pixels), with and without
// Normalize.
func TestPixelAffine(t *testing.T) {
	ds := synthetic(8, false)
	// first returns the first batch's images as float32, through
	// PixelAffine for a Uint8 loader.
	first := func(tfm []Transform, u8 bool) []float32 {
		l, err := NewLoader(ds, LoaderConfig{BatchSize: 8, Workers: 1, Transforms: tfm, Uint8: u8})
		if err != nil {
			t.Fatal(err)
		}
		ep := l.Epoch(0)
		defer ep.Close()
		b, err := ep.Next()
		if err != nil {
			t.Fatal(err)
		}
		defer b.Release()
		if !u8 {
			return slices.Clone(b.Images.Data().([]float32))
		}
		scale, shift := l.PixelAffine()
		pix := b.Images.Data().([]uint8)
		out := make([]float32, len(pix))
		for i, v := range pix {
			out[i] = float32(v)*scale[i%3] + shift[i%3]
		}
		return out
	}
	for _, tfm := range [][]Transform{nil, {Normalize{}}, {Normalize{Mean: []float32{0.5, 0.4, 0.3}, Std: []float32{0.2, 0.3, 0.4}}}} {
		if got, want := first(tfm, true), first(tfm, false); !slices.Equal(got, want) {
			t.Errorf("transforms %v: Uint8 pixels through PixelAffine differ from the float32 batch", tfm)
		}
	}
}
