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
static ncclResult_t nccl_all_reduce(uintptr_t ptr, size_t n, ncclDataType_t dt, ncclRedOp_t op, ncclComm_t c, CUstream s) {
	void *buf = (void *)ptr;
	return p_ncclAllReduce(buf, buf, n, dt, op, c, s);
}
static ncclResult_t nccl_group_start(void) { return p_ncclGroupStart(); }
static ncclResult_t nccl_group_end(void) { return p_ncclGroupEnd(); }
static const char *nccl_error_string(ncclResult_t r) { return p_ncclGetErrorString(r); }
*/
import "C"

import (
	"fmt"
	"sync"
	"unsafe"

	"github.com/gocnn/gocnn/autograd"
)

// NCCLIDSize is the length of an NCCL unique id (NCCL_UNIQUE_ID_BYTES).
const NCCLIDSize = C.NCCL_UNIQUE_ID_BYTES

const (
	ncclFloat32 = 7
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

// ncclCheck turns an ncclResult_t into an error naming call.
func ncclCheck(call string, r C.ncclResult_t) error {
	if r == 0 {
		return nil
	}
	return fmt.Errorf("cuda: %s: %s (ncclResult %d)", call, C.GoString(C.nccl_error_string(r)), int(r))
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

// Comm is one rank's NCCL communicator, bound to one backend's device and
// stream.
type Comm struct {
	b          *Backend
	comm       C.ncclComm_t
	rank, size int
}

// NewComm joins rank of size ranks to the communicator id names, on b's
// device. It blocks until every rank has called it, so the ranks of one
// process must call it from goroutines of their own (one per device, as
// the training loop drives them). Two ranks on one GPU are refused by
// NCCL: logical devices that share a GPU use the host-staged all-reduce.
func NewComm(b *Backend, id [NCCLIDSize]byte, size, rank int) (*Comm, error) {
	if _, err := LoadNCCL(); err != nil {
		return nil, err
	}
	if size < 1 || rank < 0 || rank >= size {
		return nil, fmt.Errorf("cuda: NCCL rank %d of %d", rank, size)
	}
	var cid C.ncclUniqueId
	*(*[NCCLIDSize]byte)(unsafe.Pointer(&cid)) = id
	c := &Comm{b: b, rank: rank, size: size}
	defer b.enter()()
	if err := ncclCheck("ncclCommInitRank", C.nccl_comm_init_rank(&c.comm, C.int(size), &cid, C.int(rank))); err != nil {
		return nil, fmt.Errorf("%w (rank %d of %d on %s)", err, rank, size, b.name)
	}
	return c, nil
}

// Rank returns the communicator rank of c.
func (c *Comm) Rank() int { return c.rank }

// Size returns the number of ranks.
func (c *Comm) Size() int { return c.size }

// AllReduceMean replaces each buffer (Float32, on c's backend) by its
// mean over the ranks, in place. The reductions are queued on the
// backend's stream after the work already there (the backward kernels
// that wrote the gradients) and before any queued later (the optimizer's),
// so nothing waits on the host. Buffers passed in one call form one NCCL
// group: one launch for all of them. Every rank must pass buffers of the
// same lengths in the same order.
func (c *Comm) AllReduceMean(bufs ...autograd.Buffer) error {
	defer c.b.enter()()
	if err := ncclCheck("ncclGroupStart", C.nccl_group_start()); err != nil {
		return err
	}
	var first error
	for _, buf := range bufs {
		d := c.b.dev("AllReduceMean", buf, autograd.Float32)
		if d.n == 0 {
			continue
		}
		err := ncclCheck("ncclAllReduce", C.nccl_all_reduce(C.uintptr_t(d.ptr), C.size_t(d.n),
			ncclFloat32, ncclAvg, c.comm, C.CUstream(unsafe.Pointer(c.b.stream.C()))))
		if err != nil && first == nil {
			first = err
		}
	}
	if err := ncclCheck("ncclGroupEnd", C.nccl_group_end()); err != nil && first == nil {
		first = err
	}
	return first
}

// Close destroys the communicator once the work queued on it has
// finished.
func (c *Comm) Close() error {
	defer c.b.enter()()
	c.b.sync("Comm.Close")
	return ncclCheck("ncclCommDestroy", C.nccl_comm_destroy(c.comm))
}
