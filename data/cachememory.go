package data

import (
	"runtime"
	"sync"
)

// cacheChunk is how much memory a CacheMemory maps at a time.
const cacheChunk = 64 << 20

// CacheMemory is the memory Caches keep their pixels in, up to a fixed
// number of bytes that Caches sharing it never exceed together. It is
// mapped outside Go's heap where the system allows (Linux, macOS, BSD), so
// that the garbage collector neither scans it nor lets the heap grow by as
// much again before it collects; it is given back when the CacheMemory
// and its Caches are unreachable.
type CacheMemory struct {
	mu       sync.Mutex
	capacity int64
	mapped   *mappings
	free     []byte // the rest of the newest chunk
}

// mappings are the chunks a CacheMemory has mapped; a cleanup unmaps them.
type mappings struct {
	chunks [][]byte
	bytes  int64
}

// NewCacheMemory returns a CacheMemory of capacity bytes, mapped as it
// fills.
func NewCacheMemory(capacity int64) *CacheMemory {
	m := &CacheMemory{capacity: capacity, mapped: &mappings{}}
	runtime.AddCleanup(m, func(mp *mappings) {
		for _, b := range mp.chunks {
			unmapMemory(b)
		}
	}, m.mapped)
	return m
}

// Used returns the bytes mapped so far.
func (m *CacheMemory) Used() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mapped.bytes
}

// alloc returns n bytes, or nil when they do not fit in the capacity left
// (or the system refuses to map them).
func (m *CacheMemory) alloc(n int) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n > len(m.free) {
		size := min(int64(max(n, cacheChunk)), m.capacity-m.mapped.bytes)
		if int64(n) > size {
			return nil
		}
		b, err := mapMemory(int(size))
		if err != nil {
			return nil
		}
		m.mapped.chunks = append(m.mapped.chunks, b)
		m.mapped.bytes += size
		m.free = b
	}
	b := m.free[:n:n]
	m.free = m.free[n:]
	return b
}
