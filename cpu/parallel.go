package cpu

import "sync"

// parallelFor splits [0, n) into at most b.workers contiguous chunks of at
// least grain items and runs body on each, concurrently. The split depends
// only on n, grain and the worker count, so per-chunk partial results
// combined in chunk order are deterministic.
func (b *Backend) parallelFor(n, grain int, body func(lo, hi int)) {
	chunks := b.chunks(n, grain)
	if chunks <= 1 {
		if n > 0 {
			body(0, n)
		}
		return
	}
	var wg sync.WaitGroup
	for i := range chunks {
		lo, hi := i*n/chunks, (i+1)*n/chunks
		wg.Add(1)
		go func() {
			defer wg.Done()
			body(lo, hi)
		}()
	}
	wg.Wait()
}

// chunks returns how many pieces parallelFor cuts n items into.
func (b *Backend) chunks(n, grain int) int {
	return max(1, min(b.workers, n/max(grain, 1)))
}
