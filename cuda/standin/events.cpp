// events.cpp: the stream and event calls of the driver API, and host
// functions queued on streams (which the stand-in's NCCL uses to run its
// collectives in stream order).
#include <chrono>

#include "standin.h"

using namespace standin;

namespace {

// Event remembers the stream position of its last record; the time is
// stamped when the stream reaches it.
struct Event {
	Context* ctx;
	unsigned flags;
	Stream* stream = nullptr;
	uint64_t seq = 0;
	std::shared_ptr<std::atomic<int64_t>> stamp;
};

int64_t now_ns() {
	return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
	    .count();
}


bool reached(Stream* s, uint64_t seq) {
	std::lock_guard<std::mutex> l(s->mu);
	return s->done >= seq;
}

} // namespace

extern "C" {

CUresult cuStreamCreate(CUstream* out, unsigned flags) {
	CUresult r;
	Context* c = usable_context(&r);
	if (!c) return r;
	if (!out || (flags & ~CU_STREAM_NON_BLOCKING)) return CUDA_ERROR_INVALID_VALUE;
	*out = (CUstream)new_stream(c, flags, false);
	return CUDA_SUCCESS;
}

CUresult cuStreamCreateWithPriority(CUstream* out, unsigned flags, int priority) {
	(void)priority; // the stand-in has no scheduler to prioritise
	return cuStreamCreate(out, flags);
}

CUresult cuStreamDestroy_v2(CUstream h) {
	if (!initialized()) return CUDA_ERROR_NOT_INITIALIZED; // a failed context's streams may still go
	Stream* s = resolve_stream(h);
	if (!s || s->is_null) return CUDA_ERROR_INVALID_HANDLE;
	destroy_stream(s);
	return CUDA_SUCCESS;
}

CUresult cuStreamSynchronize(CUstream h) {
	if (!initialized()) return CUDA_ERROR_NOT_INITIALIZED;
	Stream* s = resolve_stream(h);
	if (!s) return CUDA_ERROR_INVALID_HANDLE;
	counters(s->ctx->device).syncs++;
	drain(s);
	return s->ctx->sticky.load();
}

CUresult cuStreamQuery(CUstream h) {
	if (!initialized()) return CUDA_ERROR_NOT_INITIALIZED;
	Stream* s = resolve_stream(h);
	if (!s) return CUDA_ERROR_INVALID_HANDLE;
	if (CUresult r = s->ctx->sticky.load()) return r;
	std::lock_guard<std::mutex> l(s->mu);
	return s->done == s->submitted ? CUDA_SUCCESS : CUDA_ERROR_NOT_READY;
}

CUresult cuLaunchHostFunc(CUstream h, CUhostFn fn, void* data) {
	CUresult r;
	if (!usable_context(&r)) return r;
	Stream* s = resolve_stream(h);
	if (!s) return CUDA_ERROR_INVALID_HANDLE;
	if (!fn) return CUDA_ERROR_INVALID_VALUE;
	enqueue(s, [fn, data] { fn(data); });
	return CUDA_SUCCESS;
}

CUresult cuEventCreate(CUevent* out, unsigned flags) {
	CUresult r;
	Context* c = usable_context(&r);
	if (!c) return r;
	if (!out) return CUDA_ERROR_INVALID_VALUE;
	*out = (CUevent) new Event{c, flags};
	return CUDA_SUCCESS;
}

CUresult cuEventDestroy_v2(CUevent e) {
	if (!e) return CUDA_ERROR_INVALID_HANDLE;
	delete (Event*)e; // a record still queued holds its own stamp
	return CUDA_SUCCESS;
}

CUresult cuEventRecord(CUevent h, CUstream hs) {
	CUresult r;
	if (!usable_context(&r)) return r;
	auto* e = (Event*)h;
	Stream* s = resolve_stream(hs);
	if (!e || !s) return CUDA_ERROR_INVALID_HANDLE;
	if (s->ctx != e->ctx) return CUDA_ERROR_INVALID_CONTEXT;
	auto stamp = std::make_shared<std::atomic<int64_t>>(0);
	e->stamp = stamp;
	e->stream = s;
	e->seq = enqueue(s, [stamp] { *stamp = now_ns(); });
	return CUDA_SUCCESS;
}

CUresult cuEventQuery(CUevent h) {
	auto* e = (Event*)h;
	if (!e) return CUDA_ERROR_INVALID_HANDLE;
	if (CUresult r = e->ctx->sticky.load()) return r;
	return !e->stream || reached(e->stream, e->seq) ? CUDA_SUCCESS : CUDA_ERROR_NOT_READY;
}

CUresult cuEventSynchronize(CUevent h) {
	auto* e = (Event*)h;
	if (!e) return CUDA_ERROR_INVALID_HANDLE;
	if (e->stream) {
		counters(e->ctx->device).syncs++;
		wait_for(e->stream, e->seq);
	}
	return e->ctx->sticky.load();
}

CUresult cuEventElapsedTime(float* ms, CUevent start, CUevent end) {
	auto *a = (Event*)start, *b = (Event*)end;
	if (!ms) return CUDA_ERROR_INVALID_VALUE;
	if (!a || !b) return CUDA_ERROR_INVALID_HANDLE;
	if ((a->flags | b->flags) & CU_EVENT_DISABLE_TIMING || !a->stream || !b->stream)
		return CUDA_ERROR_INVALID_HANDLE;
	if (!reached(a->stream, a->seq) || !reached(b->stream, b->seq)) return CUDA_ERROR_NOT_READY;
	*ms = (float)((b->stamp->load() - a->stamp->load()) / 1e6);
	return CUDA_SUCCESS;
}

CUresult cuStreamWaitEvent(CUstream hs, CUevent h, unsigned flags) {
	CUresult r;
	if (!usable_context(&r)) return r;
	auto* e = (Event*)h;
	Stream* s = resolve_stream(hs);
	if (!e || !s) return CUDA_ERROR_INVALID_HANDLE;
	if (flags) return CUDA_ERROR_INVALID_VALUE;
	if (e->stream && e->stream != s) {
		Stream* on = e->stream;
		uint64_t seq = e->seq;
		enqueue(s, [on, seq] { wait_for(on, seq); });
	}
	return CUDA_SUCCESS;
}

} // extern "C"
