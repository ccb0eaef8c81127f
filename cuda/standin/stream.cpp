// stream.cpp: a stream is a queue that a thread of its own executes in
// order, so work runs asynchronously to the host as on a GPU, and a host
// that reads results without waiting reads them too early here as well.
// Once the context has a sticky error, queued work is dropped.
#include "standin.h"

namespace standin {

namespace {

void serve(Stream* s) {
	for (;;) {
		std::function<void()> op;
		{
			std::unique_lock<std::mutex> l(s->mu);
			s->cv.wait(l, [s] { return s->quit || !s->queue.empty(); });
			if (s->queue.empty()) return;
			op = std::move(s->queue.front());
			s->queue.pop_front();
		}
		if (s->ctx->sticky.load() == CUDA_SUCCESS) op();
		{
			std::lock_guard<std::mutex> l(s->mu);
			s->done++;
		}
		s->cv.notify_all();
	}
}

uint64_t push(Stream* s, std::function<void()> op) {
	uint64_t seq;
	{
		std::lock_guard<std::mutex> l(s->mu);
		s->queue.push_back(std::move(op));
		seq = ++s->submitted;
	}
	s->cv.notify_all();
	return seq;
}

uint64_t tail(Stream* s) {
	std::lock_guard<std::mutex> l(s->mu);
	return s->submitted;
}

} // namespace

Stream* new_stream(Context* ctx, unsigned flags, bool is_null) {
	auto* s = new Stream;
	s->ctx = ctx;
	s->flags = flags;
	s->is_null = is_null;
	s->worker = std::thread(serve, s);
	std::lock_guard<std::mutex> l(ctx->mu);
	ctx->streams.push_back(s);
	return s;
}

void destroy_stream(Stream* s) {
	// cuStreamDestroy returns at once; the stream's work still completes.
	{
		std::lock_guard<std::mutex> l(s->ctx->mu);
		auto& v = s->ctx->streams;
		v.erase(std::find(v.begin(), v.end(), s));
	}
	{
		std::lock_guard<std::mutex> l(s->mu);
		s->quit = true;
	}
	s->cv.notify_all();
	s->worker.detach(); // it exits once its queue is empty; the Stream is not freed (handles may dangle)
}

Stream* resolve_stream(CUstream h) {
	if (h == nullptr || h == CU_STREAM_LEGACY || h == CU_STREAM_PER_THREAD) {
		Context* ctx = current_context();
		return ctx ? ctx->null_stream : nullptr;
	}
	return (Stream*)h;
}

uint64_t enqueue(Stream* s, std::function<void()> op) {
	// The legacy default stream waits for the blocking streams of its
	// context, and they wait for it; non-blocking streams do neither.
	std::vector<std::pair<Stream*, uint64_t>> waits;
	{
		std::lock_guard<std::mutex> l(s->ctx->mu);
		for (Stream* o : s->ctx->streams) {
			if (o == s || (o->flags & CU_STREAM_NON_BLOCKING) || (s->flags & CU_STREAM_NON_BLOCKING)) continue;
			if (s->is_null || o->is_null) waits.emplace_back(o, tail(o));
		}
	}
	for (auto& w : waits)
		if (w.second) push(s, [w] { wait_for(w.first, w.second); });
	return push(s, std::move(op));
}

void wait_for(Stream* s, uint64_t seq) {
	std::unique_lock<std::mutex> l(s->mu);
	s->cv.wait(l, [s, seq] { return s->done >= seq; });
}

void drain(Stream* s) { wait_for(s, tail(s)); }

void drain_context(Context* ctx) {
	std::vector<Stream*> streams;
	{
		std::lock_guard<std::mutex> l(ctx->mu);
		streams = ctx->streams;
	}
	for (Stream* s : streams) drain(s);
}

} // namespace standin
