package data

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// Cache is a Dataset that keeps the examples of another in memory once
// they have been loaded, so that later epochs neither read nor decode
// their files. It is safe for concurrent use, as a Dataset must be, and
// gives exactly what the underlying Load gives: a Loader's batches are
// the same with and without it. An example that fails to load is cached
// with its error: a bad file stays bad without being read again.
//
// The bake transforms of NewCache, when given, draw nothing random
// (Resize, CenterCrop): the Cache resamples each example through them,
// with the Loader's resampler into 8-bit pixels, and holds and returns
// that, smaller than the decoded image; the Loader is then given the
// transforms that follow them. Its batches are the same as with all the
// transforms only when they are uint8 (LoaderConfig.Uint8): a float32
// batch would have resampled without rounding to 8 bits.
//
// The pixels live in a CacheMemory; an example that no longer fits in it
// is loaded every time, as without a Cache.
type Cache struct {
	ds      Dataset
	bake    []Transform
	mem     *CacheMemory
	entries []atomic.Pointer[cacheEntry]
	scratch sync.Pool // *bakeScratch
}

// cacheEntry is one cached example; its pixels lie in a CacheMemory.
type cacheEntry struct {
	image, mask Image
	label       int32
	err         error
}

// bakeScratch is the space one Load needs to bake an example.
type bakeScratch struct {
	rs    resampler
	image Image
	mask  []int32
}

// NewCache returns a Cache of ds in mem, baking each example through
// bake (see Cache). A transform of bake that draws random numbers is an
// error: its draws would be frozen at the first epoch's.
func NewCache(ds Dataset, bake []Transform, mem *CacheMemory) (*Cache, error) {
	if err := checkDrawsNothing(bake); err != nil {
		return nil, err
	}
	c := &Cache{ds: ds, bake: bake, mem: mem, entries: make([]atomic.Pointer[cacheEntry], ds.Len())}
	c.scratch.New = func() any { return new(bakeScratch) }
	return c, nil
}

// Len returns the underlying dataset's length.
func (c *Cache) Len() int { return c.ds.Len() }

// Classes returns the underlying dataset's classes.
func (c *Cache) Classes() []string { return c.ds.Classes() }

// Load copies example i from memory, or loads (and bakes) it and keeps it
// when it fits.
func (c *Cache) Load(i int, ex *Example) error {
	if e := c.entries[i].Load(); e != nil {
		if e.err != nil {
			return e.err
		}
		copyImage(&ex.Image, &e.image)
		copyImage(&ex.Mask, &e.mask)
		ex.Label = e.label
		return nil
	}
	if err := c.ds.Load(i, ex); err != nil {
		c.entries[i].CompareAndSwap(nil, &cacheEntry{err: err})
		return err
	}
	if len(c.bake) > 0 {
		c.bakeInto(ex)
	}
	img, mask := len(ex.Image.Pix), len(ex.Mask.Pix)
	buf := c.mem.alloc(img + mask)
	if buf == nil {
		return nil
	}
	e := &cacheEntry{image: ex.Image, mask: ex.Mask, label: ex.Label}
	e.image.Pix, e.mask.Pix = buf[:img:img], buf[img:]
	copy(e.image.Pix, ex.Image.Pix)
	copy(e.mask.Pix, ex.Mask.Pix)
	c.entries[i].CompareAndSwap(nil, e) // a concurrent Load of i may have won: the same example
	return nil
}

// bakeInto replaces ex by its resampling through c.bake, as the Loader
// would resample it into a uint8 batch, its mask by nearest neighbour.
func (c *Cache) bakeInto(ex *Example) {
	v := bakedView(c.bake, ex)
	s := c.scratch.Get().(*bakeScratch)
	defer c.scratch.Put(s)
	s.image.reshape(v.OutH, v.OutW, ex.Image.C)
	s.rs.image(&ex.Image, &v, nil, s.image.Pix)
	copyImage(&ex.Image, &s.image)
	if ex.Mask.W > 0 {
		s.mask = grow(s.mask, v.OutH*v.OutW)
		s.rs.mask(&ex.Mask, &v, s.mask)
		ex.Mask.reshape(v.OutH, v.OutW, 1)
		for j, m := range s.mask {
			ex.Mask.Pix[j] = uint8(m) // a class or Ignore: both fit
		}
	}
}

// bakedView is the view bake makes of ex.
func bakedView(bake []Transform, ex *Example) View {
	v := NewView(ex.Image.W, ex.Image.H)
	r := rand.New(noDraws{})
	for _, t := range bake {
		t.Apply(&v, r)
	}
	return v
}

// noDraws is the random source of transforms that must draw nothing.
type noDraws struct{}

func (noDraws) Uint64() uint64 { panic(noDraws{}) }

// checkDrawsNothing returns an error naming the first transform of ts
// that draws a random number on a sample view.
func checkDrawsNothing(ts []Transform) (err error) {
	v := NewView(640, 480)
	r := rand.New(noDraws{})
	for _, t := range ts {
		func() {
			defer func() {
				if p := recover(); p == (noDraws{}) {
					err = fmt.Errorf("data: cache: %T draws random numbers; only the transforms before it can be cached", t)
				} else if p != nil {
					panic(p)
				}
			}()
			t.Apply(&v, r)
		}()
		if err != nil {
			return err
		}
	}
	return nil
}

// cacheSamples is how many examples CacheEstimate loads.
const cacheSamples = 32

// CacheEstimate returns about how many bytes a Cache of ds baking
// through bake would hold when full: the mean size of up to cacheSamples
// evenly spread examples, loaded and measured, times ds.Len(). Examples
// that fail to load are passed over; when none loads, the first error.
func CacheEstimate(ds Dataset, bake []Transform) (int64, error) {
	var ex Example
	var sum, n int64
	var first error
	samples := min(cacheSamples, ds.Len())
	for k := range samples {
		if err := ds.Load(k*ds.Len()/samples, &ex); err != nil {
			first = cmp.Or(first, err)
			continue
		}
		size := int64(len(ex.Image.Pix) + len(ex.Mask.Pix))
		if len(bake) > 0 {
			v := bakedView(bake, &ex)
			size = int64(v.OutH * v.OutW * ex.Image.C)
			if ex.Mask.W > 0 {
				size += int64(v.OutH * v.OutW)
			}
		}
		sum += size
		n++
	}
	if n == 0 {
		return 0, first
	}
	return sum * int64(ds.Len()) / n, nil
}

// InMemory reports whether ds already holds its examples decoded in
// memory (a Memory, or a Subset of one), where a Cache saves nothing.
func InMemory(ds Dataset) bool {
	switch d := ds.(type) {
	case *Memory:
		return true
	case *Subset:
		return InMemory(d.Dataset)
	}
	return false
}
