// block.cpp runs one thread block: each CUDA thread is a fiber on the
// calling OS thread, and the fibers switch only where CUDA threads wait
// for each other (__syncthreads, warp shuffles). Between two such points
// the threads run one after another, in forward, reverse or shuffled
// order (GOCNN_SIM_ORDER), so that a missing __syncthreads reads stale
// shared memory here as it may on a GPU; in forward and reverse order a
// warp runs on through its shuffles to its next barrier before another
// warp resumes (make_order). A barrier or shuffle that some
// threads never reach is reported, naming the kernel, instead of hanging;
// a fault in a kernel (a guard page, freed memory) fails the block with
// CUDA_ERROR_ILLEGAL_ADDRESS and a message naming kernel, block, thread
// and the memory touched.
#include <signal.h>
#include <setjmp.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "async_copy.h"
#include "fiber.h"
#include "standin.h"

namespace standin {

thread_local Lane lane;

namespace {

constexpr size_t kFiberStack = 128 * 1024;

enum class State { Ready, Barrier, Shuffle, Done };

// Thread is one emulated CUDA thread.
struct Thread {
	FiberContext* ctx = nullptr;
	FiberStack stack;
	State state = State::Ready;
	uint3 idx{};
	const char* file = nullptr; // where it waits
	int line = 0;
	unsigned mask = 0; // the shuffle it waits in
	uint64_t bits = 0;
	Shuffle kind = Shuffle::Xor;
	int arg = 0, width = 0;
	AsyncCopies copies; // its cp.async copies in flight
};

std::string site(const Thread& t) { return std::string(t.file ? t.file : "?") + ":" + std::to_string(t.line); }

std::string dims(uint3 d) {
	return "(" + std::to_string(d.x) + "," + std::to_string(d.y) + "," + std::to_string(d.z) + ")";
}

uint64_t splitmix(uint64_t x) {
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

void install_fault_handlers();

// Runner runs blocks on one OS thread; there is one per thread that runs
// blocks (worker threads and stream threads).
class Runner {
public:
	Runner() {
		install_fault_handlers();
		stack_t alt{};
		sigaltstack(nullptr, &alt);
		if (alt.ss_flags & SS_DISABLE) {
			// A fault handler needs a stack of its own: a fault may be a
			// fiber's stack overflowing.
			alt.ss_size = 64 * 1024;
			alt.ss_sp = malloc(alt.ss_size);
			alt.ss_flags = 0;
			sigaltstack(&alt, nullptr);
		}
		sched_ = new_fiber_context();
	}

	BlockFailure run(const Grid& g, uint3 b);
	void barrier(const char* file, int line);
	uint64_t shuffle(Shuffle kind, unsigned mask, uint64_t bits, int arg, int width, const char* file, int line);
	[[noreturn]] void fault(int sig, const siginfo_t* info);
	bool in_fiber() const { return in_fiber_; }
	AsyncCopies& copies() { return cur_->copies; }

private:
	static void entry();
	void grow(unsigned n);
	void make_order(const Grid& g, uint3 b);
	void wait(State s, const char* file, int line);
	bool release_warp(unsigned warp, BlockFailure* f);
	bool resume(unsigned i, unsigned* done, bool* released, BlockFailure* f);
	bool run_warp(unsigned warp, unsigned* done, BlockFailure* f);
	BlockFailure failure(CUresult code, const std::string& what) const;

	std::vector<Thread> threads_;
	std::vector<unsigned> order_;
	// warp_order_[w]: warp w's threads in order_'s order, when a warp that
	// completes a shuffle runs on to its next barrier (warp_first_).
	std::vector<std::vector<unsigned>> warp_order_;
	bool warp_first_ = true;
	// Per warp: lanes waiting in a shuffle, lanes that have exited.
	// release_warp runs only when they add up to the warp.
	std::vector<unsigned> waiting_, exited_;
	FiberContext* sched_;
	Thread* cur_ = nullptr;
	const Grid* grid_ = nullptr;
	unsigned n_ = 0;
	volatile bool in_fiber_ = false;
	sigjmp_buf fault_jmp_;
	BlockFailure fault_;
};

thread_local Runner* runner = nullptr;

Runner& this_runner() {
	if (!runner) runner = new Runner;
	return *runner;
}

void Runner::grow(unsigned n) {
	while (threads_.size() < n) {
		Thread t;
		t.ctx = new_fiber_context();
		t.stack = new_fiber_stack(kFiberStack);
		threads_.push_back(t);
	}
}

// make_order sets the order in which the block's ready threads run. In
// forward and reverse order a warp that completes a shuffle runs on, its
// lanes in that order, until it waits at a barrier or exits, before any
// other warp resumes: warps interleave only at barriers, the farthest
// apart a GPU may run them. In shuffled order they interleave at shuffles
// too: a released warp's lanes run when the scan of the order next
// reaches them.
void Runner::make_order(const Grid& g, uint3 b) {
	order_.resize(n_);
	for (unsigned i = 0; i < n_; i++) order_[i] = config().order == Order::Reverse ? n_ - 1 - i : i;
	warp_first_ = config().order != Order::Shuffle;
	if (warp_first_) {
		warp_order_.resize((n_ + kWarp - 1) / kWarp);
		for (auto& w : warp_order_) w.clear();
		for (unsigned i : order_) warp_order_[i / kWarp].push_back(i);
		return;
	}
	uint64_t block = ((uint64_t)b.z * g.grid.y + b.y) * g.grid.x + b.x;
	uint64_t r = splitmix(config().seed ^ splitmix(g.serial) ^ splitmix(block + 1));
	for (unsigned i = n_ - 1; i > 0; i--) {
		r = splitmix(r);
		std::swap(order_[i], order_[r % (i + 1)]);
	}
}

BlockFailure Runner::failure(CUresult code, const std::string& what) const {
	BlockFailure f;
	f.code = code;
	f.message = "kernel " + grid_->kernel->name + " block " + dims(lane.blockIdx) + ": " + what;
	return f;
}

void Runner::entry() {
	Runner* r = runner;
	r->grid_->kernel->call(r->grid_->args.data());
	r->cur_->state = State::Done;
	switch_to(r->cur_->ctx, r->sched_);
	abort(); // a finished fiber is never resumed
}

void Runner::wait(State s, const char* file, int line) {
	Thread* t = cur_;
	t->state = s;
	t->file = file;
	t->line = line;
	switch_to(t->ctx, sched_);
}

void Runner::barrier(const char* file, int line) { wait(State::Barrier, file, line); }

uint64_t Runner::shuffle(Shuffle kind, unsigned mask, uint64_t bits, int arg, int width, const char* file, int line) {
	Thread* t = cur_;
	t->mask = mask;
	t->bits = bits;
	t->kind = kind;
	t->arg = arg;
	t->width = width;
	wait(State::Shuffle, file, line);
	return t->bits; // release_warp left the source lane's bits here
}

// release_warp completes the warp's shuffle; resume calls it once every
// lane of the warp waits in a shuffle or has exited (which fails).
bool Runner::release_warp(unsigned warp, BlockFailure* f) {
	unsigned first = warp * kWarp, last = std::min(first + kWarp, n_);
	Thread& lead = threads_[first];
	for (unsigned i = first; i < last; i++) {
		Thread& t = threads_[i];
		if (t.state == State::Done) {
			*f = failure(CUDA_ERROR_LAUNCH_FAILED, "warp shuffle at " + site(lead) + " waits for lane " +
			                                           std::to_string(i - first) + ", which has exited");
			return false;
		}
		if (t.state != State::Shuffle) return true; // not there yet
	}
	uint64_t out[kWarp];
	for (unsigned i = first; i < last; i++) {
		Thread& t = threads_[i];
		if (t.file != lead.file || t.line != lead.line || t.mask != lead.mask || t.kind != lead.kind) {
			*f = failure(CUDA_ERROR_LAUNCH_FAILED, "divergent warp shuffle: lanes wait at " + site(lead) + " and " +
			                                           site(t) + " (or with other masks)");
			return false;
		}
		unsigned l = i - first, w = (unsigned)t.width, src;
		if (t.width <= 0 || t.width > kWarp || (t.width & (t.width - 1))) {
			*f = failure(CUDA_ERROR_LAUNCH_FAILED, "warp shuffle width " + std::to_string(t.width) + " at " + site(t));
			return false;
		}
		if (t.kind == Shuffle::Index) {
			src = l / w * w + (unsigned)t.arg % w; // lane arg mod width of the caller's segment
		} else {
			src = l ^ (unsigned)t.arg;
			if (src / w != l / w) src = l; // outside its segment: a lane keeps its own value
		}
		if (first + src >= last || !(t.mask >> src & 1) || !(t.mask >> l & 1)) {
			*f = failure(CUDA_ERROR_LAUNCH_FAILED, "warp shuffle at " + site(t) + ": lane " + std::to_string(l) +
			                                           " reads lane " + std::to_string(src) +
			                                           ", which is not in the block or not in the mask");
			return false;
		}
		out[l] = threads_[first + src].bits;
	}
	for (unsigned i = first; i < last; i++) {
		threads_[i].bits = out[i - first];
		threads_[i].state = State::Ready;
	}
	return true;
}

// resume runs thread i until it waits or exits, counting it in done if it
// exits, and completes its warp's shuffle if it is the last lane there
// (released: the warp's lanes are ready again). False: the block failed.
bool Runner::resume(unsigned i, unsigned* done, bool* released, BlockFailure* f) {
	Thread& t = threads_[i];
	cur_ = &t;
	lane.threadIdx = t.idx;
	in_fiber_ = true;
	switch_to(sched_, t.ctx);
	in_fiber_ = false;
	*released = false;
	unsigned w = i / kWarp;
	if (t.state == State::Done) {
		(*done)++;
		exited_[w]++;
	}
	if (t.state == State::Shuffle && ++waiting_[w] + exited_[w] == std::min((unsigned)kWarp, n_ - w * kWarp)) {
		if (!release_warp(w, f)) return false;
		*released = t.state == State::Ready;
		waiting_[w] = 0;
	}
	return true;
}

// run_warp runs the warp's ready lanes, again after each shuffle they
// complete, until every lane waits at a barrier or has exited.
bool Runner::run_warp(unsigned warp, unsigned* done, BlockFailure* f) {
	for (bool again = true; again;) {
		again = false;
		for (unsigned i : warp_order_[warp]) {
			if (threads_[i].state != State::Ready) continue;
			bool released;
			if (!resume(i, done, &released, f)) return false;
			again |= released;
		}
	}
	return true;
}

BlockFailure Runner::run(const Grid& g, uint3 b) {
	grid_ = &g;
	n_ = g.block.x * g.block.y * g.block.z;
	grow(n_);
	lane.blockIdx = b;
	lane.blockDim = g.block;
	lane.gridDim = g.grid;
	for (unsigned i = 0; i < n_; i++) {
		Thread& t = threads_[i];
		t.state = State::Ready;
		t.idx = uint3{i % g.block.x, i / g.block.x % g.block.y, i / (g.block.x * g.block.y)};
		t.file = nullptr;
		t.copies.clear();
		prepare(t.ctx, t.stack, entry);
	}
	make_order(g, b);
	waiting_.assign((n_ + kWarp - 1) / kWarp, 0);
	exited_.assign(waiting_.size(), 0);
	// The signal mask is not saved here (a system call per block); the
	// fault path unblocks the signal it left the handler with instead.
	if (sigsetjmp(fault_jmp_, 0)) {
		in_fiber_ = false;
		sigset_t faults;
		sigemptyset(&faults);
		for (int sig : {SIGSEGV, SIGBUS, SIGFPE}) sigaddset(&faults, sig);
		pthread_sigmask(SIG_UNBLOCK, &faults, nullptr);
		return fault_;
	}
	unsigned done = 0;
	BlockFailure f;
	for (;;) {
		bool ran = false;
		for (unsigned i : order_) {
			if (threads_[i].state != State::Ready) continue;
			bool released;
			if (!resume(i, &done, &released, &f)) return f;
			ran = true;
			if (released && warp_first_ && !run_warp(i / kWarp, &done, &f)) return f;
		}
		if (done == n_) return f;
		if (ran) continue;
		// Nobody can run: every thread still alive must wait at one
		// barrier, which then opens.
		unsigned at_barrier = 0;
		const Thread* first = nullptr;
		for (unsigned i = 0; i < n_; i++) {
			const Thread& t = threads_[i];
			if (t.state != State::Barrier) continue;
			at_barrier++;
			if (!first) first = &t;
			if (t.file != first->file || t.line != first->line)
				return failure(CUDA_ERROR_LAUNCH_FAILED, "divergent __syncthreads: threads wait at " + site(*first) +
				                                             " and at " + site(t));
		}
		if (at_barrier != n_ - done) {
			std::string what = "deadlock: " + std::to_string(at_barrier) + " threads wait at __syncthreads";
			if (first) what += " (" + site(*first) + ")";
			what += ", " + std::to_string(n_ - done - at_barrier) + " in warp shuffles that never complete";
			return failure(CUDA_ERROR_LAUNCH_FAILED, what);
		}
		if (done > 0)
			return failure(CUDA_ERROR_LAUNCH_FAILED, "__syncthreads at " + site(*first) + " reached by " +
			                                             std::to_string(at_barrier) + " threads; " +
			                                             std::to_string(done) + " had exited");
		for (unsigned i = 0; i < n_; i++) threads_[i].state = State::Ready;
	}
}

void Runner::fault(int sig, const siginfo_t* info) {
	uintptr_t addr = (uintptr_t)info->si_addr;
	std::string what = "thread " + dims(cur_->idx) + ": ";
	CUresult code = CUDA_ERROR_ILLEGAL_ADDRESS;
	char hex[32];
	snprintf(hex, sizeof hex, "0x%lx", (unsigned long)addr);
	if (sig == SIGFPE) {
		code = CUDA_ERROR_LAUNCH_FAILED;
		what += info->si_code == FPE_INTDIV ? "integer division by zero" : "arithmetic exception";
	} else if (in_guard_page(cur_->stack, info->si_addr)) {
		code = CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
		what += "stack overflow (more than " + std::to_string(kFiberStack / 1024) + " KiB of locals)";
	} else if (sig == SIGSEGV && info->si_code == SI_KERNEL) {
		code = CUDA_ERROR_MISALIGNED_ADDRESS;
		what += "general protection fault (a misaligned vector access?)";
	} else {
		what += std::string("illegal address ") + hex + ": " + describe_address(addr);
	}
	fault_ = failure(code, what);
	siglongjmp(fault_jmp_, 1);
}

struct sigaction previous[NSIG];

void on_fault(int sig, siginfo_t* info, void* uc) {
	if (runner && runner->in_fiber()) runner->fault(sig, info);
	// Not a kernel's: hand it to whoever handled it before (the Go
	// runtime turns it into a panic or a crash report).
	const struct sigaction& p = previous[sig];
	if (p.sa_flags & SA_SIGINFO) {
		p.sa_sigaction(sig, info, uc);
	} else if (p.sa_handler == SIG_DFL) {
		signal(sig, SIG_DFL); // the faulting instruction runs again and kills the process
	} else if (p.sa_handler != SIG_IGN) {
		p.sa_handler(sig);
	}
}

void install_fault_handlers() {
	static std::once_flag once;
	std::call_once(once, [] {
		struct sigaction sa {};
		sa.sa_sigaction = on_fault;
		sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
		sigemptyset(&sa.sa_mask);
		for (int sig : {SIGSEGV, SIGBUS, SIGFPE}) sigaction(sig, &sa, &previous[sig]);
	});
}

} // namespace

void syncthreads(const char* file, int line) { runner->barrier(file, line); }

uint64_t shuffle(Shuffle kind, unsigned mask, uint64_t bits, int arg, int width, const char* file, int line) {
	return runner->shuffle(kind, mask, bits, arg, width, file, line);
}

void cp_async_issue(void* dst, const void* src, int bytes) { runner->copies().issue(dst, src, bytes); }
void cp_async_commit() { runner->copies().commit(); }
void cp_async_wait(int n) { runner->copies().wait(n); }

BlockFailure run_block(const Grid& g, uint3 b) { return this_runner().run(g, b); }

} // namespace standin
