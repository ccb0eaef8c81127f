// nccl.cpp: the stand-in libnccl.so.2's collectives and API. A collective
// runs as a host function on the caller's stream, so it sees the work
// queued before it and the work queued after it sees its result, as on a
// GPU. It goes in rounds of a slot: every rank copies its part into its
// slot in the shared segment (nccl_shm.cpp), waits for all, reduces the
// slots in rank order 0..n-1, so that every rank computes the same bits,
// and waits again before the slots are reused. Average is the sum divided
// by the number of ranks. Float16 and bfloat16 are copied (broadcast,
// all-gather) but not reduced: reductions of them return
// ncclInvalidArgument.
#include <errno.h>
#include <sys/random.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <thread>
#include <type_traits>
#include <vector>

#include "nccl_standin.h"

using namespace standin_nccl;

namespace {

constexpr int kVersion = 22005; // NCCL 2.20.5: new enough for ncclAvg (2.10)

// A Join is an init deferred to ncclGroupEnd, or one of ncclCommInitAll's.
struct Join {
	ncclComm_t* out;
	int nranks;
	ncclUniqueId id;
	int rank;
	CUcontext ctx;
	bool own_ctx;
};

// join_all runs the joins concurrently, since each blocks until all have
// joined, and returns the first error.
ncclResult_t join_all(const std::vector<Join>& joins) {
	std::vector<ncclResult_t> results(joins.size());
	std::vector<std::thread> threads;
	for (size_t i = 0; i < joins.size(); i++) {
		threads.emplace_back([&, i] {
			const Join& j = joins[i];
			cuCtxSetCurrent(j.ctx);
			results[i] = init_rank(j.out, j.nranks, j.id, j.rank, j.own_ctx);
		});
	}
	for (auto& t : threads) t.join();
	for (ncclResult_t r : results)
		if (r != ncclSuccess) return r;
	return ncclSuccess;
}

thread_local int group_depth = 0;
thread_local std::vector<Join> deferred;

// ---- collectives ---------------------------------------------------------------

enum class Kind { AllReduce, Broadcast, AllGather, ReduceScatter };

const char* kind_name(Kind k) {
	switch (k) {
	case Kind::AllReduce: return "ncclAllReduce";
	case Kind::Broadcast: return "ncclBroadcast";
	case Kind::AllGather: return "ncclAllGather";
	default: return "ncclReduceScatter";
	}
}

size_t size_of(int dt) {
	static const size_t sizes[ncclNumTypes] = {1, 1, 4, 4, 8, 8, 2, 4, 8, 2};
	return sizes[dt];
}

struct Op {
	Kind kind;
	ncclComm* c;
	const unsigned char* send;
	unsigned char* recv;
	size_t count; // what the caller passed: per rank for all-gather and reduce-scatter
	int dt, op, root;
	uint64_t ticket;
};

template <class T>
T combine(int op, T a, T b) {
	if constexpr (std::is_integral_v<T>) {
		using U = std::make_unsigned_t<T>; // wraps, as on the GPU, where signed overflow is undefined here
		if (op == ncclProd) return (T)(U)((U)a * (U)b);
		if (op == ncclMax) return std::max(a, b);
		if (op == ncclMin) return std::min(a, b);
		return (T)(U)((U)a + (U)b);
	} else {
		if (op == ncclProd) return a * b;
		if (op == ncclMax) return std::fmax(a, b); // as the GPU's fmax: a NaN loses
		if (op == ncclMin) return std::fmin(a, b);
		return a + b;
	}
}

// reduce_as combines n elements at offset at of every rank's slot, in
// rank order, into out.
template <class T>
void reduce_as(const ncclComm* c, int op, size_t at, size_t n, T* out) {
	memcpy(out, c->slot(0) + at, n * sizeof(T));
	for (int r = 1; r < c->nranks; r++) {
		const T* x = (const T*)(c->slot(r) + at);
		for (size_t i = 0; i < n; i++) out[i] = combine(op, out[i], x[i]);
	}
	if (op == ncclAvg)
		for (size_t i = 0; i < n; i++) out[i] = (T)(out[i] / (T)c->nranks);
}

void reduce(const ncclComm* c, int dt, int op, size_t at, size_t n, unsigned char* out) {
	switch (dt) {
	case ncclInt8: return reduce_as(c, op, at, n, (int8_t*)out);
	case ncclUint8: return reduce_as(c, op, at, n, (uint8_t*)out);
	case ncclInt32: return reduce_as(c, op, at, n, (int32_t*)out);
	case ncclUint32: return reduce_as(c, op, at, n, (uint32_t*)out);
	case ncclInt64: return reduce_as(c, op, at, n, (int64_t*)out);
	case ncclUint64: return reduce_as(c, op, at, n, (uint64_t*)out);
	case ncclFloat32: return reduce_as(c, op, at, n, (float*)out);
	case ncclFloat64: return reduce_as(c, op, at, n, (double*)out);
	}
}

// execute runs a collective in rounds of a slot each: every rank puts its
// part in its slot, waits for the others', takes what it needs from the
// slots and waits again, so that no slot is overwritten while a rank still
// reads it. False, with *why, if it gave up; *wrote says whether it had
// written any output by then.
bool execute(const Op& o, std::string* why, bool* wrote) {
	ncclComm* c = o.c;
	const size_t es = size_of(o.dt), n = c->nranks, block = o.count * es;
	// A reduce-scatter round holds a piece of every rank's block in each
	// slot, and rank r reduces the pieces of block r.
	const size_t step = o.kind == Kind::ReduceScatter ? kSlotBytes / n / es * es : kSlotBytes;
	const bool root = c->rank == o.root;
	unsigned char* mine = c->slot(c->rank);
	for (size_t at = 0; at < block; at += step) {
		const size_t len = std::min(step, block - at);
		switch (o.kind) {
		case Kind::ReduceScatter:
			for (size_t r = 0; r < n; r++) memcpy(mine + r * step, o.send + r * block + at, len);
			break;
		case Kind::Broadcast:
			if (root) memcpy(mine, o.send + at, len);
			break;
		default: memcpy(mine, o.send + at, len);
		}
		if (!c->barrier(why)) return false;
		switch (o.kind) {
		case Kind::AllReduce: reduce(c, o.dt, o.op, 0, len / es, o.recv + at); break;
		case Kind::ReduceScatter: reduce(c, o.dt, o.op, c->rank * step, len / es, o.recv + at); break;
		case Kind::Broadcast:
			if (!root || o.send != o.recv) memcpy(o.recv + at, c->slot(o.root), len);
			break;
		case Kind::AllGather:
			for (size_t r = 0; r < n; r++) memcpy(o.recv + r * block + at, c->slot(r), len);
			break;
		}
		*wrote = true;
		if (!c->barrier(why)) return false;
	}
	return true;
}

// run is the host function a collective queues on its stream.
void CUDA_CB run(void* p) {
	Op* o = (Op*)p;
	ncclComm* c = o->c;
	{
		std::unique_lock<std::mutex> l(c->mu);
		c->turn.wait(l, [&] { return c->finished == o->ticket; });
	}
	std::string why;
	bool wrote = false;
	if (!c->aborted.load() && c->error.load() == ncclSuccess && !execute(*o, &why, &wrote)) {
		c->give_up(ncclRemoteError, c->who() + ": " + kind_name(o->kind) + ": " + why +
		                                (wrote ? "; its output is partly written" : "; it did not write its output") +
		                                " (ncclRemoteError)");
	}
	{
		std::lock_guard<std::mutex> l(c->mu);
		c->finished++;
	}
	c->turn.notify_all();
	release(c);
	delete o;
}

ncclResult_t collective(Kind kind, const void* send, void* recv, size_t count, int dt, int op, int root, ncclComm_t c,
                        cudaStream_t stream) {
	const char* fn = kind_name(kind);
	const bool reduces = kind == Kind::AllReduce || kind == Kind::ReduceScatter;
	if (!is_live(c)) return fail(ncclInvalidArgument, "%s: %p is not a live communicator", fn, (void*)c);
	if (dt < 0 || dt >= ncclNumTypes) return fail(ncclInvalidArgument, "%s: invalid data type %d", fn, dt);
	if (reduces && (op < 0 || op >= ncclNumOps)) return fail(ncclInvalidArgument, "%s: invalid reduction operation %d", fn, op);
	if (reduces && (dt == ncclFloat16 || dt == ncclBfloat16))
		return fail(ncclInvalidArgument, "%s: the stand-in does not reduce float16 or bfloat16 (it only copies them)", fn);
	if (kind == Kind::Broadcast && (root < 0 || root >= c->nranks))
		return fail(ncclInvalidArgument, "%s: root %d is not a rank of %d", fn, root, c->nranks);
	if (count == 0) return ncclSuccess;
	if (!recv || (!send && (kind != Kind::Broadcast || c->rank == root)))
		return fail(ncclInvalidArgument, "%s: %s buffer is NULL (count %zu)", fn, recv ? "send" : "receive", count);
	if (int e = c->error.load())
		return fail((ncclResult_t)e, "%s: %s failed earlier (see ncclCommGetAsyncError)", fn, c->who().c_str());

	auto* o = new Op{kind, c, (const unsigned char*)send, (unsigned char*)recv, count, dt, op, root, 0};
	// cuLaunchHostFunc needs a current context, and stream 0 means the
	// null stream of the rank's device, whichever is current.
	CUcontext prev = nullptr;
	cuCtxGetCurrent(&prev);
	cuCtxSetCurrent(c->ctx);
	CUresult r;
	{
		// Taking the ticket and queueing under one lock keeps issue order
		// and queue order the same, and a failed launch takes no ticket.
		std::lock_guard<std::mutex> l(c->mu);
		o->ticket = c->issued;
		c->refs++;
		r = cuLaunchHostFunc(stream, run, o);
		if (r == CUDA_SUCCESS) c->issued++;
	}
	cuCtxSetCurrent(prev);
	if (r != CUDA_SUCCESS) {
		c->refs--;
		delete o;
		const char* s = "?";
		cuGetErrorName(r, &s);
		return fail(ncclUnhandledCudaError, "%s: cuLaunchHostFunc: %s", fn, s);
	}
	return ncclSuccess;
}

} // namespace

// ---- the API ----------------------------------------------------------------------

extern "C" {

ncclResult_t ncclCommDestroy(ncclComm_t comm);

ncclResult_t ncclGetVersion(int* version) {
	if (!version) return fail(ncclInvalidArgument, "ncclGetVersion: version is NULL");
	*version = kVersion;
	return ncclSuccess;
}

ncclResult_t ncclGetUniqueId(ncclUniqueId* out) {
	if (!out) return fail(ncclInvalidArgument, "ncclGetUniqueId: uniqueId is NULL");
	Id id;
	memcpy(id.magic, kMagic, sizeof kMagic);
	if (getrandom(id.token, sizeof id.token, 0) != (ssize_t)sizeof id.token)
		return fail(ncclSystemError, "ncclGetUniqueId: getrandom: %s", strerror(errno));
	memset(out, 0, sizeof *out);
	memcpy(out->internal, &id, sizeof id);
	return ncclSuccess;
}

ncclResult_t ncclCommInitRank(ncclComm_t* comm, int nranks, ncclUniqueId id, int rank) {
	if (!comm) return fail(ncclInvalidArgument, "ncclCommInitRank: comm is NULL");
	*comm = nullptr;
	if (nranks < 1 || nranks > kMaxRanks)
		return fail(ncclInvalidArgument, "ncclCommInitRank: nranks %d is not from 1 to %d", nranks, kMaxRanks);
	if (rank < 0 || rank >= nranks) return fail(ncclInvalidArgument, "ncclCommInitRank: rank %d is not a rank of %d", rank, nranks);
	if (group_depth > 0) {
		// One thread initialising several ranks: they must join together.
		CUcontext ctx = nullptr;
		cuCtxGetCurrent(&ctx);
		deferred.push_back(Join{comm, nranks, id, rank, ctx, false});
		return ncclSuccess;
	}
	return init_rank(comm, nranks, id, rank, false);
}

ncclResult_t ncclCommInitAll(ncclComm_t* comms, int ndev, const int* devlist) {
	if (!comms || ndev < 1 || ndev > kMaxRanks) return fail(ncclInvalidArgument, "ncclCommInitAll: comms is NULL or ndev %d is out of range", ndev);
	ncclUniqueId id;
	if (ncclResult_t r = ncclGetUniqueId(&id)) return r;
	if (cuInit(0) != CUDA_SUCCESS) return fail(ncclUnhandledCudaError, "ncclCommInitAll: cuInit failed");
	std::vector<Join> joins;
	for (int i = 0; i < ndev; i++) {
		comms[i] = nullptr;
		int d = devlist ? devlist[i] : i;
		CUcontext ctx;
		if (cuDevicePrimaryCtxRetain(&ctx, d) != CUDA_SUCCESS) {
			for (const Join& j : joins) cuDevicePrimaryCtxRelease(devlist ? devlist[j.rank] : j.rank);
			return fail(ncclInvalidArgument, "ncclCommInitAll: no CUDA device %d", d);
		}
		joins.push_back(Join{&comms[i], ndev, id, i, ctx, true});
	}
	ncclResult_t r = join_all(joins);
	for (int i = 0; r != ncclSuccess && i < ndev; i++) {
		if (comms[i]) ncclCommDestroy(comms[i]); // releases its context
		else cuDevicePrimaryCtxRelease(devlist ? devlist[i] : i);
		comms[i] = nullptr;
	}
	return r;
}

ncclResult_t ncclGroupStart() {
	group_depth++;
	return ncclSuccess;
}

ncclResult_t ncclGroupEnd() {
	if (group_depth == 0) return fail(ncclInvalidUsage, "ncclGroupEnd: no ncclGroupStart to end");
	if (--group_depth > 0) return ncclSuccess;
	std::vector<Join> joins;
	joins.swap(deferred);
	return joins.empty() ? ncclSuccess : join_all(joins);
}

ncclResult_t ncclCommDestroy(ncclComm_t comm) {
	if (!comm) return ncclSuccess;
	if (!take(comm)) return fail(ncclInvalidArgument, "ncclCommDestroy: %p is not a live communicator", (void*)comm);
	// Queued collectives hold references of their own and still run.
	if (comm->own_ctx) cuDevicePrimaryCtxRelease(comm->device);
	release(comm);
	return ncclSuccess;
}

ncclResult_t ncclCommAbort(ncclComm_t comm) {
	if (!comm) return ncclSuccess;
	if (!take(comm)) return fail(ncclInvalidArgument, "ncclCommAbort: %p is not a live communicator", (void*)comm);
	// Queued collectives still run, but return at once, without writing.
	comm->abort();
	if (comm->own_ctx) cuDevicePrimaryCtxRelease(comm->device);
	release(comm);
	return ncclSuccess;
}

ncclResult_t ncclCommCount(const ncclComm_t comm, int* count) {
	if (!is_live(comm) || !count) return fail(ncclInvalidArgument, "ncclCommCount: bad communicator or NULL count");
	*count = comm->nranks;
	return ncclSuccess;
}

ncclResult_t ncclCommCuDevice(const ncclComm_t comm, int* device) {
	if (!is_live(comm) || !device) return fail(ncclInvalidArgument, "ncclCommCuDevice: bad communicator or NULL device");
	*device = comm->device;
	return ncclSuccess;
}

ncclResult_t ncclCommUserRank(const ncclComm_t comm, int* rank) {
	if (!is_live(comm) || !rank) return fail(ncclInvalidArgument, "ncclCommUserRank: bad communicator or NULL rank");
	*rank = comm->rank;
	return ncclSuccess;
}

ncclResult_t ncclCommGetAsyncError(ncclComm_t comm, ncclResult_t* error) {
	if (!is_live(comm) || !error) return fail(ncclInvalidArgument, "ncclCommGetAsyncError: bad communicator or NULL error");
	*error = (ncclResult_t)comm->error.load();
	return ncclSuccess;
}

ncclResult_t ncclAllReduce(const void* send, void* recv, size_t count, ncclDataType_t dt, ncclRedOp_t op, ncclComm_t comm,
                           cudaStream_t stream) {
	return collective(Kind::AllReduce, send, recv, count, dt, op, 0, comm, stream);
}

ncclResult_t ncclBroadcast(const void* send, void* recv, size_t count, ncclDataType_t dt, int root, ncclComm_t comm,
                           cudaStream_t stream) {
	return collective(Kind::Broadcast, send, recv, count, dt, ncclSum, root, comm, stream);
}

ncclResult_t ncclAllGather(const void* send, void* recv, size_t sendcount, ncclDataType_t dt, ncclComm_t comm,
                           cudaStream_t stream) {
	return collective(Kind::AllGather, send, recv, sendcount, dt, ncclSum, 0, comm, stream);
}

ncclResult_t ncclReduceScatter(const void* send, void* recv, size_t recvcount, ncclDataType_t dt, ncclRedOp_t op,
                               ncclComm_t comm, cudaStream_t stream) {
	return collective(Kind::ReduceScatter, send, recv, recvcount, dt, op, 0, comm, stream);
}

const char* ncclGetErrorString(ncclResult_t r) {
	switch (r) {
	case ncclSuccess: return "no error";
	case ncclUnhandledCudaError: return "unhandled cuda error (see the stand-in's message on stderr)";
	case ncclSystemError: return "unhandled system error (see the stand-in's message on stderr)";
	case ncclInternalError: return "internal error (see the stand-in's message on stderr)";
	case ncclInvalidArgument: return "invalid argument (see the stand-in's message on stderr)";
	case ncclInvalidUsage: return "invalid usage (see the stand-in's message on stderr)";
	case ncclRemoteError: return "remote process exited or there was a network error";
	case ncclInProgress: return "NCCL operation in progress";
	default: return "unknown result code";
	}
}

const char* ncclGetLastError(ncclComm_t comm) {
	(void)comm; // as in NCCL, the last error is the process's
	thread_local std::string copy;
	copy = last_error();
	return copy.c_str();
}

} // extern "C"
