//go:build cuda

package cuda

// NCCL, loaded at run time: the GPU machines have libnccl.so.2 but this
// project builds without nccl.h, so the few entry points it calls are
// declared here, with the types and enum values of NCCL 2's nccl.h, and
// looked up with dlsym. A build of train therefore runs on machines
// without NCCL, and only multi-GPU training asks for it.

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <cuda.h>

#define NCCL_UNIQUE_ID_BYTES 128
typedef struct { char internal[NCCL_UNIQUE_ID_BYTES]; } ncclUniqueId;
typedef struct ncclComm *ncclComm_t;
typedef int ncclResult_t;   // ncclSuccess is 0
typedef int ncclDataType_t; // ncclFloat32 is 7
typedef int ncclRedOp_t;    // ncclAvg is 4 (NCCL 2.10 and later)

// cudaStream_t and CUstream are the same type, struct CUstream_st *.
static ncclResult_t (*p_ncclGetVersion)(int *);
static ncclResult_t (*p_ncclGetUniqueId)(ncclUniqueId *);
static ncclResult_t (*p_ncclCommInitRank)(ncclComm_t *, int, ncclUniqueId, int);
static ncclResult_t (*p_ncclCommDestroy)(ncclComm_t);
static ncclResult_t (*p_ncclCommAbort)(ncclComm_t);
static ncclResult_t (*p_ncclCommGetAsyncError)(ncclComm_t, ncclResult_t *);
static ncclResult_t (*p_ncclBroadcast)(const void *, void *, size_t, ncclDataType_t, int, ncclComm_t, CUstream);
static ncclResult_t (*p_ncclAllReduce)(const void *, void *, size_t, ncclDataType_t, ncclRedOp_t, ncclComm_t, CUstream);
static ncclResult_t (*p_ncclGroupStart)(void);
static ncclResult_t (*p_ncclGroupEnd)(void);
static const char *(*p_ncclGetErrorString)(ncclResult_t);

// nccl_load opens the library and resolves every entry point; it returns
// NULL or dlerror's message.
static const char *nccl_load(void) {
	void *h = dlopen("libnccl.so.2", RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) return dlerror();
#define SYM(name) if ((*(void **)&p_##name = dlsym(h, #name)) == NULL) return dlerror();
	SYM(ncclGetVersion)
	SYM(ncclGetUniqueId)
	SYM(ncclCommInitRank)
	SYM(ncclCommDestroy)
	SYM(ncclCommAbort)
	SYM(ncclCommGetAsyncError)
	SYM(ncclBroadcast)
	SYM(ncclAllReduce)
	SYM(ncclGroupStart)
	SYM(ncclGroupEnd)
	SYM(ncclGetErrorString)
#undef SYM
	return NULL;
}

static ncclResult_t nccl_get_version(int *v) { return p_ncclGetVersion(v); }
static ncclResult_t nccl_get_unique_id(ncclUniqueId *id) { return p_ncclGetUniqueId(id); }
static ncclResult_t nccl_comm_init_rank(ncclComm_t *c, int n, ncclUniqueId *id, int rank) { return p_ncclCommInitRank(c, n, *id, rank); }
static ncclResult_t nccl_comm_destroy(ncclComm_t c) { return p_ncclCommDestroy(c); }
static ncclResult_t nccl_comm_abort(ncclComm_t c) { return p_ncclCommAbort(c); }
static ncclResult_t nccl_comm_get_async_error(ncclComm_t c, ncclResult_t *r) { return p_ncclCommGetAsyncError(c, r); }
static ncclResult_t nccl_all_reduce(uintptr_t ptr, size_t n, ncclDataType_t dt, ncclRedOp_t op, ncclComm_t c, CUstream s) {
	void *buf = (void *)ptr;
	return p_ncclAllReduce(buf, buf, n, dt, op, c, s);
}
static ncclResult_t nccl_broadcast(uintptr_t ptr, size_t n, ncclDataType_t dt, int root, ncclComm_t c, CUstream s) {
	void *buf = (void *)ptr;
	return p_ncclBroadcast(buf, buf, n, dt, root, c, s);
}
static ncclResult_t nccl_group_start(void) { return p_ncclGroupStart(); }
static ncclResult_t nccl_group_end(void) { return p_ncclGroupEnd(); }
static const char *nccl_error_string(ncclResult_t r) { return p_ncclGetErrorString(r); }
*/
import "C"

import (
	"cmp"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gocnn/gocnn/autograd"
	"gorgonia.org/cu"
)

// NCCLIDSize is the length of an NCCL unique id (NCCL_UNIQUE_ID_BYTES).
const NCCLIDSize = C.NCCL_UNIQUE_ID_BYTES

const (
	ncclInt32   = 2
	ncclFloat32 = 7
	ncclSum     = 0
	ncclAvg     = 4
	// ncclAvgVersion is the first NCCL (2.10.3, as ncclGetVersion codes
	// it) with ncclAvg.
	ncclAvgVersion = 21003
)

var nccl struct {
	once    sync.Once
	err     error
	version int
}

// LoadNCCL opens libnccl.so.2 once and returns its version code (major *
// 10000 + minor * 100 + patch), or an error that says how to get NCCL when
// the library is missing or too old. Every other NCCL call loads it too.
func LoadNCCL() (int, error) {
	nccl.once.Do(func() {
		if msg := C.nccl_load(); msg != nil {
			nccl.err = fmt.Errorf("cuda: NCCL: %s: multi-GPU training needs NCCL 2.10 or later (Debian/Ubuntu: apt install libnccl2; or add its folder to LD_LIBRARY_PATH); -gpus 0,0 on one GPU does not", C.GoString(msg))
			return
		}
		var v C.int
		if err := ncclCheck("ncclGetVersion", C.nccl_get_version(&v)); err != nil {
			nccl.err = err
			return
		}
		nccl.version = int(v)
		if nccl.version < ncclAvgVersion {
			nccl.err = fmt.Errorf("cuda: NCCL %d is older than 2.10, which averaging all-reduces need", nccl.version)
		}
	})
	return nccl.version, nccl.err
}

// NCCLError is an NCCL call's failure.
type NCCLError struct {
	Call   string // the call, or who made it
	Text   string // NCCL's description of Result
	Result int    // the ncclResult_t
}

func (e *NCCLError) Error() string {
	return fmt.Sprintf("cuda: %s: %s (ncclResult %d)", e.Call, e.Text, e.Result)
}

// Remote reports whether NCCL blames another rank: one that failed or
// left, a process that exited, a network error (ncclRemoteError).
func (e *NCCLError) Remote() bool { return e.Result == ncclRemoteError }

// ncclRemoteError is NCCL's ncclResult_t of that name.
const ncclRemoteError = 6

// ncclCheck turns an ncclResult_t into an *NCCLError naming call.
func ncclCheck(call string, r C.ncclResult_t) error {
	if r == 0 {
		return nil
	}
	return &NCCLError{Call: call, Text: C.GoString(C.nccl_error_string(r)), Result: int(r)}
}

// NCCLUniqueID returns a new communicator id: rank 0 makes it and hands it
// to every rank (train/dist does that over TCP).
func NCCLUniqueID() ([NCCLIDSize]byte, error) {
	var id [NCCLIDSize]byte
	if _, err := LoadNCCL(); err != nil {
		return id, err
	}
	var cid C.ncclUniqueId
	if err := ncclCheck("ncclGetUniqueId", C.nccl_get_unique_id(&cid)); err != nil {
		return id, err
	}
	id = *(*[NCCLIDSize]byte)(unsafe.Pointer(&cid))
	return id, nil
}

// Comm is one rank's NCCL communicator, bound to one backend's device. Its
// collectives run on a stream of their own, after the work queued on the
// backend's stream when they were called: the backend goes on computing
// (the rest of a backward pass) while they run. Join orders the backend's
// later work after them.
type Comm struct {
	b          *Backend
	comm       C.ncclComm_t
	rank, size int
	stream     cu.Stream
	computed   cu.Event // recorded on the backend's stream before each collective
	reduced    cu.Event // recorded on the comm's stream by Join
	aborted    atomic.Bool
	progress   progress
}

// NewComm joins rank of size ranks to the communicator id names, on b's
// device. It blocks until every rank has called it, so the ranks of one
// process must call it from goroutines of their own (one per device, as
// the training loop drives them); it does not hold b while it waits. Two
// ranks on one GPU are refused by NCCL: logical devices that share a GPU
// use the host-staged all-reduce.
func NewComm(b *Backend, id [NCCLIDSize]byte, size, rank int) (*Comm, error) {
	if _, err := LoadNCCL(); err != nil {
		return nil, err
	}
	if size < 1 || rank < 0 || rank >= size {
		return nil, fmt.Errorf("cuda: NCCL rank %d of %d", rank, size)
	}
	c := &Comm{b: b, rank: rank, size: size}
	err := func() error {
		defer b.enter()()
		var err error
		if c.stream, err = cu.MakeStream(cu.NonBlocking); err != nil {
			return wrap(b, "NewComm", "cuStreamCreate", err)
		}
		c.computed, c.reduced = b.newEvent("NewComm"), b.newEvent("NewComm")
		return nil
	}()
	if err != nil {
		return nil, err
	}
	var cid C.ncclUniqueId
	*(*[NCCLIDSize]byte)(unsafe.Pointer(&cid)) = id
	leave := b.current()
	err = ncclCheck("ncclCommInitRank", C.nccl_comm_init_rank(&c.comm, C.int(size), &cid, C.int(rank)))
	leave()
	if err != nil {
		c.destroyStream()
		return nil, fmt.Errorf("%w (rank %d of %d on %s)", err, rank, size, b.name)
	}
	return c, nil
}

// current makes b's context current on this goroutine's OS thread, to
// which the goroutine stays locked until the returned function runs,
// without taking b's lock: for NCCL calls, which may block until the other
// ranks arrive and need nothing the lock guards.
func (b *Backend) current() (leave func()) {
	runtime.LockOSThread()
	if err := cu.SetCurrentContext(b.ctx); err != nil {
		runtime.UnlockOSThread()
		panic(fmt.Errorf("cuda: %s: set current context: %w", b.name, err))
	}
	return runtime.UnlockOSThread
}

// Rank returns the communicator rank of c.
func (c *Comm) Rank() int { return c.rank }

// Size returns the number of ranks.
func (c *Comm) Size() int { return c.size }

// AllReduceMean replaces each buffer (Float32, on c's backend) by its
// mean over the ranks, in place, on c's stream after the work queued on
// the backend's stream so far (the backward kernels that wrote the
// gradients); nothing waits on the host. Buffers passed in one call form
// one NCCL group: one launch for all of them. Every rank must pass buffers
// of the same lengths in the same order. Call Join before the backend's
// stream reads them.
func (c *Comm) AllReduceMean(bufs ...autograd.Buffer) error {
	return c.collective("AllReduceMean", bufs, false, func(d *buffer, s C.CUstream) C.ncclResult_t {
		return C.nccl_all_reduce(C.uintptr_t(d.ptr), C.size_t(d.n), ncclFloat32, ncclAvg, c.comm, s)
	})
}

// AllReduceSum is AllReduceMean with the sum over the ranks: for the
// batch statistics of synchronised batch norm.
func (c *Comm) AllReduceSum(bufs ...autograd.Buffer) error {
	return c.collective("AllReduceSum", bufs, false, func(d *buffer, s C.CUstream) C.ncclResult_t {
		return C.nccl_all_reduce(C.uintptr_t(d.ptr), C.size_t(d.n), ncclFloat32, ncclSum, c.comm, s)
	})
}

// Broadcast replaces each buffer (Float32 or Int32) by root's, in place,
// ordered as AllReduceMean.
func (c *Comm) Broadcast(root int, bufs ...autograd.Buffer) error {
	if root < 0 || root >= c.size {
		return fmt.Errorf("cuda: NCCL broadcast from rank %d of %d", root, c.size)
	}
	return c.collective("Broadcast", bufs, true, func(d *buffer, s C.CUstream) C.ncclResult_t {
		dt := C.ncclDataType_t(ncclFloat32)
		if d.dt == autograd.Int32 {
			dt = ncclInt32
		}
		return C.nccl_broadcast(C.uintptr_t(d.ptr), C.size_t(d.n), dt, C.int(root), c.comm, s)
	})
}

// collective queues call for each buffer as one NCCL group on c's stream,
// after the work queued on the backend's stream so far. The buffers are
// Float32, or Int32 too for a collective that copies rather than reduces.
// It holds the backend only to order the streams, not while NCCL runs: a
// first collective may block until the other ranks reach it.
func (c *Comm) collective(op string, bufs []autograd.Buffer, copies bool, call func(d *buffer, s C.CUstream) C.ncclResult_t) error {
	if c.aborted.Load() {
		return fmt.Errorf("cuda: %s: NCCL rank %d of %d: the communicator was aborted", c.b.name, c.rank, c.size)
	}
	ds := make([]*buffer, 0, len(bufs))
	for _, buf := range bufs {
		dt := autograd.Float32
		if copies && buf.DType() == autograd.Int32 {
			dt = autograd.Int32
		}
		if d := c.b.dev(op, buf, dt); d.n > 0 {
			ds = append(ds, d)
		}
	}
	c.after(op, c.computed, c.b.stream, c.stream)
	leave := c.b.current()
	defer leave()
	s := C.CUstream(unsafe.Pointer(c.stream.C()))
	if err := ncclCheck("ncclGroupStart", C.nccl_group_start()); err != nil {
		return err
	}
	var first error
	for _, d := range ds {
		if err := ncclCheck("nccl"+op, call(d, s)); err != nil && first == nil {
			first = err
		}
	}
	if err := ncclCheck("ncclGroupEnd", C.nccl_group_end()); err != nil && first == nil {
		first = err
	}
	if first == nil {
		c.progress.queued(c.b, op, c.stream)
	}
	return first
}

// Join makes the work queued on the backend's stream from now on wait for
// every collective queued on c so far, on the device: the host does not
// wait.
func (c *Comm) Join() { c.after("Join", c.reduced, c.stream, c.b.stream) }

// after makes stream later wait, on the device, for the work queued on
// stream earlier so far, through event e.
func (c *Comm) after(op string, e cu.Event, earlier, later cu.Stream) {
	defer c.b.enter()()
	c.b.record(op, e, earlier)
	if err := later.Wait(e, 0); err != nil {
		panic(wrap(c.b, op, "cuStreamWaitEvent", err))
	}
}

// AsyncError returns the error NCCL reports for c's collectives run so
// far (a rank that failed or left, say), nil while there is none.
func (c *Comm) AsyncError() error {
	if c.aborted.Load() {
		return nil
	}
	var r C.ncclResult_t
	if err := ncclCheck("ncclCommGetAsyncError", C.nccl_comm_get_async_error(c.comm, &r)); err != nil {
		return err
	}
	return ncclCheck(fmt.Sprintf("NCCL rank %d of %d on %s", c.rank, c.size, c.b.name), r)
}

// Abort ends c at once: its queued and running collectives return
// without waiting for the other ranks (their outputs are undefined), so
// that a rank that never arrives cannot hang the others. It may be called
// from any goroutine, while another waits for c's backend; c must not be
// used afterwards but for Close.
func (c *Comm) Abort() error {
	if c.aborted.Swap(true) {
		return nil
	}
	leave := c.b.current()
	defer leave()
	return ncclCheck("ncclCommAbort", C.nccl_comm_abort(c.comm))
}

// Close destroys the communicator once the collectives queued on it have
// finished (at once after Abort), without holding the backend while it
// waits.
func (c *Comm) Close() error {
	leave := c.b.current()
	err := c.stream.Synchronize()
	leave()
	c.b.mu.Lock()
	c.b.activity.Syncs++
	c.b.mu.Unlock()
	if err != nil {
		return wrap(c.b, "Comm.Close", "cuStreamSynchronize", err)
	}
	if !c.aborted.Load() {
		leave := c.b.current()
		err = ncclCheck("ncclCommDestroy", C.nccl_comm_destroy(c.comm))
		leave()
	}
	return cmp.Or(err, c.progress.close(c.b), c.destroyStream())
}

// destroyStream releases c's stream and events.
func (c *Comm) destroyStream() error {
	defer c.b.enter()()
	return cmp.Or(cu.DestroyEvent(&c.computed), cu.DestroyEvent(&c.reduced), c.stream.Destroy())
}
