// nccl_standin.h: the stand-in libnccl.so.2's internal interfaces. Its
// ranks, threads of one process or separate processes on one machine, meet
// in a POSIX shared-memory segment named by the unique id (nccl_shm.cpp);
// the collectives and the API are in nccl.cpp. The NCCL 2 types are
// declared here with the ABI's values: NVIDIA's nccl.h is not used. Only
// the public driver API of the stand-in libcuda is called.
#pragma once

#include <cuda.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

// ---- the NCCL 2 ABI ---------------------------------------------------------

extern "C" {
typedef struct { char internal[128]; } ncclUniqueId;
typedef struct ncclComm* ncclComm_t;
typedef CUstream cudaStream_t; // the runtime's and the driver's stream types are the same
typedef enum {
	ncclSuccess = 0,
	ncclUnhandledCudaError = 1,
	ncclSystemError = 2,
	ncclInternalError = 3,
	ncclInvalidArgument = 4,
	ncclInvalidUsage = 5,
	ncclRemoteError = 6,
	ncclInProgress = 7,
} ncclResult_t;
typedef enum {
	ncclInt8, ncclUint8, ncclInt32, ncclUint32, ncclInt64, ncclUint64,
	ncclFloat16, ncclFloat32, ncclFloat64, ncclBfloat16, ncclNumTypes
} ncclDataType_t;
typedef enum { ncclSum, ncclProd, ncclMax, ncclMin, ncclAvg, ncclNumOps } ncclRedOp_t;
}

namespace standin_nccl {

constexpr int kMaxRanks = 64;              // the stand-in has at most 16 devices, one rank each
constexpr size_t kSlotBytes = 1 << 20;     // each rank's data slot; bigger buffers go in rounds
constexpr size_t kHeaderBytes = 64 * 1024; // the rendezvous, before the slots

// Id is what the unique id holds: a marker and the random token that
// names the segment.
struct Id {
	char magic[8];
	uint64_t token[2];
};
constexpr char kMagic[8] = {'g', 'o', 'c', 'n', 'n', 'N', 'C', '1'};
static_assert(sizeof(Id) <= sizeof(ncclUniqueId));

enum State : uint32_t { kEmpty, kJoined, kLeft, kFailed, kAborted };

// Member is one rank in the segment. Nothing in the segment is a lock, so
// a process that dies leaves nothing held.
struct alignas(64) Member {
	std::atomic<uint64_t> arrived; // barriers this rank has reached
	std::atomic<uint32_t> state;
	std::atomic<int32_t> pid, device;
};

// Shared is the segment's header; a fresh segment is all zeros.
struct Shared {
	std::atomic<uint32_t> bell;  // futex word: bumped whenever a member changes
	std::atomic<int32_t> nranks; // set by the first rank to open the segment
	std::atomic<int32_t> broken; // a rank's nranks that disagreed with it
	Member member[kMaxRanks];
};
static_assert(sizeof(Shared) <= kHeaderBytes, "header too small");
static_assert(std::atomic<uint64_t>::is_always_lock_free, "shared atomics must not use locks");

// fail writes msg as one stderr line ("gocnn stand-in: nccl: ..."), keeps
// it for ncclGetLastError and returns code.
ncclResult_t fail(ncclResult_t code, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
std::string last_error();

} // namespace standin_nccl

// ncclComm is one rank's communicator in this process.
struct ncclComm {
	std::string name; // the id's token in hex, short, for messages
	int rank = 0, nranks = 0, device = 0;
	CUcontext ctx = nullptr;
	bool own_ctx = false; // ncclCommInitAll retained the device's primary context
	standin_nccl::Shared* sh = nullptr;
	size_t bytes = 0;
	uint64_t barriers = 0;    // passed so far; only the operation whose turn it is touches it
	std::atomic<int> refs{1}; // the user's handle and each queued operation
	std::atomic<bool> aborted{false};
	std::atomic<int> error{ncclSuccess}; // what ncclCommGetAsyncError reports

	// A communicator's operations run in the order they were issued, even
	// on different streams, as every rank must meet them in one order.
	std::mutex mu;
	std::condition_variable turn;
	uint64_t issued = 0, finished = 0;

	unsigned char* slot(int r) const { return (unsigned char*)sh + standin_nccl::kHeaderBytes + r * standin_nccl::kSlotBytes; }
	standin_nccl::Member& me() const { return sh->member[rank]; }
	std::string who() const {
		return "communicator " + name + " rank " + std::to_string(rank) + " of " + std::to_string(nranks);
	}

	// barrier marks this rank at its next barrier and waits for the
	// others. It returns false, saying why, on an abort, when a rank failed
	// or was aborted, when one that has not arrived left or its process
	// exited, or after GOCNN_SIM_NCCL_TIMEOUT seconds when that is set.
	bool barrier(std::string* why);
	// give_up records a failure, reporting it once, and tells the other
	// ranks, whose waits for this one then end.
	void give_up(ncclResult_t code, const std::string& msg);
	// abort ends this communicator's waits in this process and tells the
	// other ranks.
	void abort();

private:
	bool wait_all(uint64_t k, std::string* why);
};

namespace standin_nccl {

// init_rank joins the calling thread's current context, as rank of nranks,
// to the communicator uid names, blocking until every rank has joined.
ncclResult_t init_rank(ncclComm_t* out, int nranks, const ncclUniqueId& uid, int rank, bool own_ctx);
// is_live reports whether c is a communicator not yet destroyed.
bool is_live(ncclComm* c);
// take removes c from the live ones, for destroy or abort; false if it
// was not there.
bool take(ncclComm* c);
// release drops a reference to c; the last one unmaps the segment.
void release(ncclComm* c);

} // namespace standin_nccl
