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

func (k *kernelCache) get(kern *kernels.Kernel) (cu.Function, error) {
	if fn, ok := k.funcs[kern.Name]; ok {
		return fn, nil
	}
	mod, ok := k.modules[kern.Family]
	if !ok {
		ptx, err := kernels.PTX(kern.Family)
		if err != nil {
			return cu.Function{}, err
		}
		if mod, err = cu.LoadData(ptx); err != nil {
			return cu.Function{}, fmt.Errorf("load module %s: %w", kern.Family, err)
		}
		if k.modules == nil {
			k.modules, k.funcs = map[string]cu.Module{}, map[string]cu.Function{}
		}
		k.modules[kern.Family] = mod
	}
	fn, err := mod.Function(kern.Name)
	if err != nil {
		return cu.Function{}, fmt.Errorf("module %s has no kernel %s: %w", kern.Family, kern.Name, err)
	}
	k.funcs[kern.Name] = fn
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

// launch queues kern on the backend's stream; the caller holds the
// backend. It panics, before the driver sees the launch, unless args match
// kern's parameters (kernels.Kernel.CheckArgs). Each argument gets its own
// 8-byte slot, which cu.Function.Launch reads whole: integers as int64
// (the kernels declare them long long), float32 in the low 4 bytes,
// float64, uint64, bool as 0 or 1, and a *buffer as its device pointer
// (nil: a null pointer).
func (b *Backend) launch(op string, kern *kernels.Kernel, grid, block dim3, shared int, args ...any) {
	slots := make([]uint64, len(args))
	kinds := make([]kernels.Arg, len(args))
	params := make([]unsafe.Pointer, len(args))
	for i, a := range args {
		kinds[i], slots[i] = slot(a)
		params[i] = unsafe.Pointer(&slots[i])
	}
	if err := kern.CheckArgs(kinds); err != nil {
		panic(wrap(b, op, kern.Name, err))
	}
	fn, err := b.kernels.get(kern)
	if err != nil {
		panic(wrap(b, op, kern.Name, err))
	}
	b.activity.Launches++
	err = fn.Launch(grid.x, grid.y, grid.z, block.x, block.y, block.z, shared, b.stream, params)
	if err != nil {
		panic(wrap(b, op, kern.Name, fmt.Errorf("launch grid %v block %v: %w", grid, block, err)))
	}
	b.checkDebug(op, kern.Name)
}

// launch1 enters the backend and launches a one-dimensional grid-stride
// kernel over n items.
func (b *Backend) launch1(op string, kern *kernels.Kernel, n int64, args ...any) {
	if n == 0 {
		return
	}
	defer b.enter()()
	b.launch(op, kern, b.grid1(n), dim3{threads, 1, 1}, 0, args...)
}

// slot returns the kind of kernel parameter a passes and its 8-byte slot.
func slot(a any) (kernels.Arg, uint64) {
	switch v := a.(type) {
	case *buffer:
		if v == nil {
			return kernels.Ptr, 0
		}
		return kernels.Ptr, uint64(v.ptr)
	case int64:
		return kernels.Int, uint64(v)
	case int:
		return kernels.Int, uint64(int64(v))
	case uint64:
		return kernels.Int, v
	case bool:
		if v {
			return kernels.Int, 1
		}
		return kernels.Int, 0
	case float32:
		return kernels.F32, uint64(math.Float32bits(v))
	case float64:
		return kernels.F64, math.Float64bits(v)
	}
	panic(fmt.Sprintf("cuda: kernel argument of type %T", a))
}

// checkDebug, in debug mode, waits for the kernel or copy just queued and
// panics with its error, naming it.
func (b *Backend) checkDebug(op, name string) {
	if !b.debug {
		return
	}
	b.activity.Syncs++
	if err := b.stream.Synchronize(); err != nil {
		panic(wrap(b, op, name, err))
	}
}
