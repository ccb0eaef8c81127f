// standin.h: the stand-in driver's internal interfaces. The stand-in is a
// libcuda.so.1 that runs the project's kernels on the CPU: device memory is
// host memory behind guard pages, each stream is a thread that executes
// its queue in order, and a kernel launch runs its blocks on worker
// threads, each block's CUDA threads as fibers (block.cpp).
#pragma once

#include <cuda.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gocnn_standin.h"
#include "lane.h"
#include "registry.h"

namespace standin {

// ---- configuration (config.cpp), read once from the environment --------

// Order is the order a block's threads run between two barriers.
enum class Order { Forward, Reverse, Shuffle };

struct Config {
	int devices = 1;              // GOCNN_SIM_DEVICES
	uint64_t memory_bytes = 0;    // GOCNN_SIM_MEMORY (per device)
	int threads = 1;              // GOCNN_SIM_THREADS: workers running blocks
	bool skip_kernels = false;    // GOCNN_SIM_SKIP_KERNELS=1: launches and copies are checked and counted only
	Order order = Order::Forward; // GOCNN_SIM_ORDER=forward|reverse|shuffle
	uint64_t seed = 1;            // GOCNN_SIM_SEED, for the shuffled order
	bool print_stats = false;     // GOCNN_SIM_STATS=1: counters on stderr when the last context goes
};
const Config& config();

// log writes one line, prefixed "gocnn stand-in: ", to stderr.
void log(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// ---- counters (counters.cpp) ---------------------------------------------

struct Counters {
	std::atomic<uint64_t> launches{0}, syncs{0}, htod_bytes{0}, dtoh_bytes{0}, dtod_bytes{0}, peer_bytes{0},
	    allocs{0}, frees{0}, mem_in_use{0}, mem_peak{0}, busy_ns{0};
};
Counters& counters(int device);
void print_counters();

// ---- devices and contexts (device.cpp) -----------------------------------

struct Stream;

// Context is a device's primary context (the only kind the stand-in
// makes). Its sticky error, once set by a fault, fails every later call
// that touches the context, as on a GPU.
struct Context {
	int device;
	int refs = 0;
	std::atomic<CUresult> sticky{CUDA_SUCCESS};
	std::string sticky_message;
	Stream* null_stream = nullptr;
	std::mutex mu; // guards streams and the fields below
	std::vector<Stream*> streams;
};

// context_of returns the context behind a handle, or nullptr.
Context* context_of(CUcontext c);
// current_context returns the calling thread's current context, or nullptr.
Context* current_context();
// usable_context returns the current context when a call may use it; else
// nullptr, with *r the error to return (not initialised, no context, or
// the context's sticky error).
Context* usable_context(CUresult* r);
// fail sets ctx's sticky error (the first one wins) and logs message.
void fail(Context* ctx, CUresult code, const std::string& message);
// initialized reports whether cuInit succeeded.
bool initialized();

// ---- streams and events (stream.cpp) -------------------------------------

// Stream executes its operations in order on a thread of its own.
struct Stream {
	Context* ctx;
	unsigned flags;
	bool is_null;
	std::mutex mu;
	std::condition_variable cv;
	std::deque<std::function<void()>> queue;
	uint64_t submitted = 0, done = 0;
	bool quit = false;
	std::thread worker;
};

Stream* new_stream(Context* ctx, unsigned flags, bool is_null);
void destroy_stream(Stream* s);
// resolve_stream maps a handle (0 and the legacy/per-thread handles mean
// the current context's null stream) to a stream, or nullptr.
Stream* resolve_stream(CUstream h);
// enqueue adds op to s after the implicit waits the legacy default
// stream implies, and returns its sequence number.
uint64_t enqueue(Stream* s, std::function<void()> op);
// wait_for blocks until s has executed operation seq (host-blocking: the
// caller counts it as a sync when it is one).
void wait_for(Stream* s, uint64_t seq);
// drain blocks until every operation queued on s so far has executed.
void drain(Stream* s);
// drain_context drains every stream of ctx.
void drain_context(Context* ctx);

// ---- memory (memory.cpp) -------------------------------------------------

// describe_address says what memory p is (for fault messages).
std::string describe_address(uintptr_t p);
// is_pinned reports whether [p, p+n) is page-locked host memory.
bool is_pinned(const void* p, size_t n);

// ---- kernels (module.cpp, launch.cpp, block.cpp) ---------------------------

// Entry is what the PTX says of one kernel.
struct Entry {
	std::string name;
	std::vector<size_t> param_sizes;
	unsigned max_threads = 0; // .maxntid product; 0: none given
	size_t static_shared = 0; // bytes of .shared the entry uses
};

struct Module {
	Context* ctx;
	std::map<std::string, Entry> entries;
};

struct Function {
	Module* module;
	const Entry* entry;
	const Kernel* kernel;
	// Dynamic shared memory a launch may ask for: what the entry's static
	// shared memory leaves of 48 KiB (cuModuleGetFunction), unless
	// cuFuncSetAttribute raised it.
	int max_dynamic_shared = 0;
};

// Grid is one launch's shape and packed arguments.
struct Grid {
	const Kernel* kernel;
	uint3 grid, block;
	std::vector<unsigned char> args;
	uint64_t serial;
};

// run_grid executes every block of g on the worker threads and returns
// CUDA_SUCCESS, or the error of the first block that failed, with a
// message naming the kernel.
CUresult run_grid(const Grid& g, std::string* message);

// BlockFailure is how one block failed.
struct BlockFailure {
	CUresult code = CUDA_SUCCESS;
	std::string message;
};
// run_block runs block b of g on the calling thread, its threads as fibers.
BlockFailure run_block(const Grid& g, uint3 b);

// device limits the stand-in models (an H100 SXM's).
constexpr int kMaxThreadsPerBlock = 1024;
constexpr int kWarp = 32;
constexpr size_t kSharedPerBlock = 48 * 1024;
constexpr size_t kSharedPerBlockOptin = 227 * 1024;
constexpr int kSMs = 132;

} // namespace standin
