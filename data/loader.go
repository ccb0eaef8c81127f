package data

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// LoaderConfig configures a Loader. The zero value of every field but
// BatchSize is a sensible default.
type LoaderConfig struct {
	BatchSize int
	// Transforms run in order on every example; they must leave every
	// example at the same output size (end with a fixed-size crop).
	Transforms []Transform
	// Shuffle visits the dataset in a new order each epoch, drawn from
	// Seed and the epoch number. Seed also seeds the transforms.
	Shuffle bool
	Seed    uint64
	// DropLast drops the last, partial batch, and the examples that would
	// make shards unequal; without it the order wraps around to fill the
	// shards as PyTorch's DistributedSampler does, and the last batch may
	// be short.
	DropLast bool
	// Rank and WorldSize shard every epoch's order for data-parallel
	// training: replica Rank of WorldSize (0 means 1) sees every
	// WorldSize-th run of Chunk consecutive examples (0 means 1: every
	// WorldSize-th example, as PyTorch's DistributedSampler), all
	// replicas the same number of batches.
	Rank, WorldSize, Chunk int
	// Workers decoding and augmenting in parallel; 0 means GOMAXPROCS.
	Workers int
	// Prefetch is how many batches may be ready or in the making ahead of
	// the consumer; 0 means 2. Memory stays within Prefetch+1 batches plus
	// those not yet released, whatever the dataset size.
	Prefetch int
	// Uint8 delivers images as uint8 (0-255, no normalisation) so that a
	// GPU can normalise them after a four times smaller copy.
	Uint8 bool
	// SkipBad drops examples that fail to load (corrupt, truncated or
	// unreadable files, masks of the wrong size), counted by Skipped,
	// instead of ending the epoch with the error.
	SkipBad bool
	// FullDecode decodes every image at full size. Without it, a Loader
	// over image files (ImageFolder) plans each example's view on the
	// file header's size and decodes a JPEG at 1/2, 1/4 or 1/8 of its
	// size when the view's box would still hold at least as many pixels
	// as the output in each direction (libjpeg-turbo's DCT-domain
	// scaling, or image/jpeg's full decode averaged over blocks), as
	// PIL's draft mode does: the crops and flips drawn are the same, the
	// pixels close (TestLoaderDraft states how close).
	FullDecode bool
}

// Loader turns a Dataset into batches, decoding and augmenting examples
// on a pool of worker goroutines. Run one Epoch at a time.
type Loader struct {
	ds      Dataset
	cfg     LoaderConfig
	shape   batchShape
	mean    []float32 // the normalisation the transforms set (nil: none)
	std     []float32
	pool    sync.Pool
	workers []*worker
	skipped atomic.Int64
	badMu   sync.Mutex
	bad     map[int]error // the examples SkipBad dropped, by index
	running atomic.Bool
}

// worker is one goroutine's reusable scratch space.
type worker struct {
	ex  Example
	rs  resampler
	px  pixelStage
	pcg *rand.PCG
	rng *rand.Rand
}

// loadError marks a failure of the input (skippable with SkipBad), as
// opposed to a configuration error that would hit every example.
type loadError struct{ err error }

func (e loadError) Error() string { return e.err.Error() }
func (e loadError) Unwrap() error { return e.err }

// NewLoader checks cfg and finds the batch geometry by loading and
// transforming the first example that loads.
func NewLoader(ds Dataset, cfg LoaderConfig) (*Loader, error) {
	if cfg.BatchSize <= 0 {
		return nil, fmt.Errorf("data: batch size %d", cfg.BatchSize)
	}
	if cfg.WorldSize == 0 {
		cfg.WorldSize = 1
	}
	if cfg.Chunk == 0 {
		cfg.Chunk = 1
	}
	if cfg.Rank < 0 || cfg.Rank >= cfg.WorldSize {
		return nil, fmt.Errorf("data: rank %d is not in [0, %d)", cfg.Rank, cfg.WorldSize)
	}
	if cfg.Chunk < 0 {
		return nil, fmt.Errorf("data: chunk %d is negative", cfg.Chunk)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.Prefetch <= 0 {
		cfg.Prefetch = 2
	}
	l := &Loader{ds: ds, cfg: cfg}
	if l.perRank() == 0 {
		return nil, fmt.Errorf("data: %d examples cannot be shared by %d replicas", ds.Len(), cfg.WorldSize)
	}
	for range cfg.Workers {
		pcg := rand.NewPCG(0, 0)
		l.workers = append(l.workers, &worker{pcg: pcg, rng: rand.New(pcg)})
	}
	if err := l.probe(); err != nil {
		return nil, err
	}
	l.pool.New = func() any { return l.shape.newBuf() }
	return l, nil
}

func (l *Loader) probe() error {
	w := l.workers[0]
	var first error
	for i := range l.ds.Len() {
		v, err := l.load(w, 0, i)
		if err == nil {
			l.shape = batchShape{n: l.cfg.BatchSize, h: v.OutH, w: v.OutW, c: w.ex.Image.C,
				seg: w.ex.Mask.W > 0, uint8: l.cfg.Uint8}
			l.mean, l.std = v.Mean, v.Std
			if v.Mean != nil && (len(v.Mean) != l.shape.c || len(v.Std) != l.shape.c) {
				return fmt.Errorf("data: Normalize has %d means and %d stds for %d-channel images",
					len(v.Mean), len(v.Std), l.shape.c)
			}
			for _, t := range l.cfg.Transforms {
				if pt, ok := t.(pixelTransform); ok {
					if err := pt.check(l.shape.c, l.shape.seg); err != nil {
						return err
					}
				}
			}
			return nil
		}
		if first == nil {
			first = err
		}
		if !l.cfg.SkipBad || i >= 100 {
			break
		}
	}
	return first
}

// load decodes example i into w.ex and returns its view: decoded at
// full size and then planned, or, for a dataset of files, planned on the
// header's size and decoded as small as the view allows (see
// LoaderConfig.FullDecode).
func (l *Loader) load(w *worker, epoch, i int) (View, error) {
	fd := asFiles(l.ds)
	if fd == nil || l.cfg.FullDecode {
		if err := guard(i, func() error { return l.ds.Load(i, &w.ex) }); err != nil {
			return View{}, err
		}
		return l.view(w, epoch, i, w.ex.Image.W, w.ex.Image.H), nil
	}
	var path string
	var c, width, height int
	err := guard(i, func() (err error) {
		if path, c, err = fd.readFile(i, &w.ex); err != nil {
			return err
		}
		width, height, err = imageSize(w.ex.file, MaxPixels)
		if err != nil { // let the full decode say what is wrong
			width, height = 0, 0
			_, err = decodeFile(&w.ex, path, c, 1)
		}
		return err
	})
	if err != nil {
		return View{}, err
	}
	if width == 0 {
		return l.view(w, epoch, i, w.ex.Image.W, w.ex.Image.H), nil
	}
	v := l.view(w, epoch, i, width, height)
	s := draftShrink(&v)
	err = guard(i, func() (err error) {
		s, err = decodeFile(&w.ex, path, c, s)
		return err
	})
	if err != nil {
		return View{}, err
	}
	if w.ex.Image.W != (width+s-1)/s || w.ex.Image.H != (height+s-1)/s {
		return View{}, loadError{fmt.Errorf("data: %s: decoded %dx%d from a %dx%d header at 1/%d",
			path, w.ex.Image.W, w.ex.Image.H, width, height, s)}
	}
	v.shrink(s)
	return v, nil
}

// guard runs a step of loading example i, turning its error into a
// loadError and a panic of the decoders into one: bad input must never
// bring the process down.
func guard(i int, load func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = loadError{fmt.Errorf("data: example %d: panic while loading: %v", i, r)}
		}
	}()
	if err := load(); err != nil {
		return loadError{err}
	}
	return nil
}

// view runs the transforms for example i, a width x height image, with
// the generator seeded from the seed, epoch and index.
func (l *Loader) view(w *worker, epoch, i, width, height int) View {
	w.pcg.Seed(l.cfg.Seed, uint64(epoch)<<32|uint64(i))
	v := NewView(width, height)
	for _, t := range l.cfg.Transforms {
		t.Apply(&v, w.rng)
	}
	return v
}

// perRank is the number of examples each replica sees per epoch: whole
// chunks, as many for every replica.
func (l *Loader) perRank() int {
	n, span := l.ds.Len(), l.cfg.WorldSize*l.cfg.Chunk
	if l.cfg.DropLast {
		return n / span * l.cfg.Chunk
	}
	return (n + span - 1) / span * l.cfg.Chunk
}

// Batches returns the number of batches in each epoch.
func (l *Loader) Batches() int {
	n, b := l.perRank(), l.cfg.BatchSize
	if l.cfg.DropLast {
		return n / b
	}
	return (n + b - 1) / b
}

// Skipped returns how many examples SkipBad has dropped so far, over all
// epochs.
func (l *Loader) Skipped() int { return int(l.skipped.Load()) }

// Bad returns the examples SkipBad has dropped so far, each once, in index
// order, with the error that dropped it.
func (l *Loader) Bad() []BadExample {
	l.badMu.Lock()
	defer l.badMu.Unlock()
	bad := make([]BadExample, 0, len(l.bad))
	for i, err := range l.bad {
		bad = append(bad, BadExample{i, err})
	}
	slices.SortFunc(bad, func(a, b BadExample) int { return a.Index - b.Index })
	return bad
}

// skip counts example i as dropped for err.
func (l *Loader) skip(i int, err error) {
	l.skipped.Add(1)
	l.badMu.Lock()
	defer l.badMu.Unlock()
	if l.bad == nil {
		l.bad = map[int]error{}
	}
	l.bad[i] = err
}

// Uint8 reports whether batches hold uint8 images (LoaderConfig.Uint8).
func (l *Loader) Uint8() bool { return l.cfg.Uint8 }

// Shape returns the batch geometry: batch size, height, width, channels.
func (l *Loader) Shape() (n, h, w, c int) { return l.shape.n, l.shape.h, l.shape.w, l.shape.c }

// PixelAffine returns, per channel, the map from a uint8 pixel v to the
// value a float32 batch holds: v*scale[c] + shift[c], the normalisation
// the transforms ask for. A Uint8 loader's batches are normalised with it
// on the device.
func (l *Loader) PixelAffine() (scale, shift []float32) {
	scale, shift = make([]float32, l.shape.c), make([]float32, l.shape.c)
	pixelAffine(l.mean, l.std, scale, shift)
	return scale, shift
}

// Order returns the dataset indices this replica visits in epoch, in
// order.
func (l *Loader) Order(epoch int) []int {
	n, world := l.ds.Len(), l.cfg.WorldSize
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if l.cfg.Shuffle {
		r := rand.New(rand.NewPCG(l.cfg.Seed, uint64(epoch)))
		r.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	}
	mine := make([]int, l.perRank())
	c := l.cfg.Chunk
	for k := range mine {
		mine[k] = idx[((k/c*world+l.cfg.Rank)*c+k%c)%n]
	}
	return mine
}

// Epoch is one pass over the data in progress. It is not safe for
// concurrent use.
type Epoch struct {
	l     *Loader
	ready chan *pending
	quit  chan struct{}
	wg    sync.WaitGroup
	once  sync.Once
	err   error
}

// pending is a batch being filled by the workers.
type pending struct {
	buf  *batchBuf
	n    int
	left atomic.Int32
	done chan struct{}
	mu   sync.Mutex
	err  error
}

type job struct {
	p          *pending
	slot, item int
}

// Epoch starts decoding epoch number epoch (which selects the shuffle and
// the augmentation draws). Call Next until it returns an error, or Close.
// It panics when another Epoch of l is still running.
func (l *Loader) Epoch(epoch int) *Epoch {
	if !l.running.CompareAndSwap(false, true) {
		panic("data: Loader.Epoch called while another epoch is running; Close it first")
	}
	e := &Epoch{l: l, ready: make(chan *pending, l.cfg.Prefetch), quit: make(chan struct{})}
	jobs := make(chan job, l.cfg.BatchSize)
	order := l.Order(epoch)
	e.wg.Add(1 + len(l.workers))
	go func() {
		defer e.wg.Done()
		defer close(jobs)
		defer close(e.ready)
		for lo := 0; lo < len(order); lo += l.cfg.BatchSize {
			hi := min(lo+l.cfg.BatchSize, len(order))
			if hi-lo < l.cfg.BatchSize && l.cfg.DropLast {
				return
			}
			p := &pending{buf: l.pool.Get().(*batchBuf), n: hi - lo, done: make(chan struct{})}
			p.left.Store(int32(hi - lo))
			select {
			case e.ready <- p:
			case <-e.quit:
				return
			}
			for s := range hi - lo {
				select {
				case jobs <- job{p, s, order[lo+s]}:
				case <-e.quit:
					return
				}
			}
		}
	}()
	for _, w := range l.workers {
		go func() {
			defer e.wg.Done()
			for j := range jobs {
				err := l.fill(w, epoch, j)
				j.p.buf.bad[j.slot] = err != nil
				if err != nil {
					if _, bad := err.(loadError); bad && l.cfg.SkipBad {
						l.skip(j.item, err)
					} else {
						j.p.fail(err)
					}
				}
				if j.p.left.Add(-1) == 0 {
					close(j.p.done)
				}
			}
		}()
	}
	return e
}

func (p *pending) fail(err error) {
	p.mu.Lock()
	if p.err == nil {
		p.err = err
	}
	p.mu.Unlock()
}

// fill loads, transforms and resamples one example into its batch slot.
func (l *Loader) fill(w *worker, epoch int, j job) error {
	v, err := l.load(w, epoch, j.item)
	if err != nil {
		return err
	}
	s, ex := l.shape, &w.ex
	if v.OutW != s.w || v.OutH != s.h || ex.Image.C != s.c || (ex.Mask.W > 0) != s.seg {
		return fmt.Errorf("data: example %d comes out %dx%dx%d (mask: %v) but the batch holds %dx%dx%d (mask: %v); end the transforms with a fixed-size crop",
			j.item, v.OutW, v.OutH, ex.Image.C, ex.Mask.W > 0, s.w, s.h, s.c, s.seg)
	}
	if v.Mean != nil && (len(v.Mean) != s.c || len(v.Std) != s.c) {
		return fmt.Errorf("data: Normalize has %d means and %d stds for %d-channel images", len(v.Mean), len(v.Std), s.c)
	}
	if v.Shift != nil && len(v.Shift) != s.c {
		return fmt.Errorf("data: the view shifts %d channels of %d-channel images", len(v.Shift), s.c)
	}
	img := s.h * s.w * s.c
	b := j.p.buf
	var out []float32
	var out8 []uint8
	if s.uint8 {
		out8 = b.u8[j.slot*img : (j.slot+1)*img]
	} else {
		out = b.f32[j.slot*img : (j.slot+1)*img]
	}
	if v.hasPixelStage() {
		w.px.run(&w.rs, &ex.Image, &v, out, out8)
	} else {
		w.rs.image(&ex.Image, &v, out, out8)
	}
	if s.seg {
		w.rs.mask(&ex.Mask, &v, b.masks[j.slot*s.h*s.w:(j.slot+1)*s.h*s.w])
	} else {
		b.labels[j.slot] = ex.Label
	}
	b.index[j.slot] = j.item
	return nil
}

// Next returns the next batch, or io.EOF after the last one. After any
// error the epoch is over and its goroutines have stopped.
func (e *Epoch) Next() (*Batch, error) {
	if e.err != nil {
		return nil, e.err
	}
	s := e.l.shape
	for {
		p, ok := <-e.ready
		if !ok {
			e.stop(io.EOF)
			return nil, io.EOF
		}
		<-p.done
		if p.err != nil {
			e.l.pool.Put(p.buf)
			e.stop(p.err)
			return nil, p.err
		}
		n := s.compact(p.buf, p.n)
		if n == 0 {
			e.l.pool.Put(p.buf)
			continue
		}
		return s.batch(p.buf, n, &e.l.pool), nil
	}
}

// Close stops the epoch early and waits for its goroutines. Calling it
// again, or after Next returned an error, is a no-op.
func (e *Epoch) Close() { e.stop(errors.New("data: epoch closed")) }

func (e *Epoch) stop(err error) {
	e.once.Do(func() {
		e.err = err
		close(e.quit)
		e.wg.Wait()
		e.l.running.Store(false)
	})
}
