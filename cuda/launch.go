//go:build cuda

package cuda

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/gocnn/gocnn/kernels"
	"gorgonia.org/cu"
)

// kernelCache loads each kernel family's module on first use (the driver
// JIT-compiles its PTX then) and remembers the functions looked up.
type kernelCache struct {
	modules map[string]cu.Module
	funcs   map[string]cu.Function
}

func (k *kernelCache) get(family, name string) (cu.Function, error) {
	if fn, ok := k.funcs[name]; ok {
		return fn, nil
	}
	mod, ok := k.modules[family]
	if !ok {
		ptx, err := kernels.PTX(family)
		if err != nil {
			return cu.Function{}, err
		}
		if mod, err = cu.LoadData(ptx); err != nil {
			return cu.Function{}, fmt.Errorf("load module %s: %w", family, err)
		}
		if k.modules == nil {
			k.modules, k.funcs = map[string]cu.Module{}, map[string]cu.Function{}
		}
		k.modules[family] = mod
	}
	fn, err := mod.Function(name)
	if err != nil {
		return cu.Function{}, fmt.Errorf("module %s has no kernel %s: %w", family, name, err)
	}
	k.funcs[name] = fn
	return fn, nil
}

func (k *kernelCache) unload() error {
	for family, mod := range k.modules {
		if err := mod.Unload(); err != nil {
			return fmt.Errorf("unload module %s: %w", family, err)
		}
	}
	k.modules, k.funcs = nil, nil
	return nil
}

// dim3 is a grid or block shape.
type dim3 struct{ x, y, z int }

// threads is the block size of one-dimensional kernels.
const threads = 256

// grid1 returns the grid of a one-dimensional grid-stride kernel over n
// items: enough blocks to fill the device several times over, no more.
func (b *Backend) grid1(n int64) dim3 {
	blocks := (n + threads - 1) / threads
	return dim3{int(max(1, min(blocks, int64(b.sms)*32))), 1, 1}
}

// launch queues kernel family.name on the backend's stream; the caller
// holds the backend. Each argument gets its own 8-byte slot, which
// cu.Function.Launch reads whole: integers as int64 (the kernels declare
// them long long), float32 in the low 4 bytes, float64, uint64, bool as 0
// or 1, and a *buffer as its device pointer (nil: a null pointer).
func (b *Backend) launch(op, family, name string, grid, block dim3, shared int, args ...any) {
	fn, err := b.kernels.get(family, name)
	if err != nil {
		panic(wrap(b, op, name, err))
	}
	slots := make([]uint64, len(args))
	params := make([]unsafe.Pointer, len(args))
	for i, a := range args {
		slots[i] = slot(a)
		params[i] = unsafe.Pointer(&slots[i])
	}
	err = fn.Launch(grid.x, grid.y, grid.z, block.x, block.y, block.z, shared, b.stream, params)
	if err != nil {
		panic(wrap(b, op, name, fmt.Errorf("launch grid %v block %v: %w", grid, block, err)))
	}
	b.checkDebug(op, name)
}

// launch1 enters the backend and launches a one-dimensional grid-stride
// kernel over n items.
func (b *Backend) launch1(op, family, name string, n int64, args ...any) {
	if n == 0 {
		return
	}
	defer b.enter()()
	b.launch(op, family, name, b.grid1(n), dim3{threads, 1, 1}, 0, args...)
}

func slot(a any) uint64 {
	switch v := a.(type) {
	case *buffer:
		if v == nil {
			return 0
		}
		return uint64(v.ptr)
	case int64:
		return uint64(v)
	case int:
		return uint64(int64(v))
	case uint64:
		return v
	case float32:
		return uint64(math.Float32bits(v))
	case float64:
		return math.Float64bits(v)
	case bool:
		if v {
			return 1
		}
		return 0
	}
	panic(fmt.Sprintf("cuda: kernel argument of type %T", a))
}

// checkDebug, in debug mode, waits for the kernel or copy just queued and
// panics with its error, naming it.
func (b *Backend) checkDebug(op, name string) {
	if !b.debug {
		return
	}
	if err := b.stream.Synchronize(); err != nil {
		panic(wrap(b, op, name, err))
	}
}
