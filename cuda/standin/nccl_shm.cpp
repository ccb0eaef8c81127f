// nccl_shm.cpp: where a communicator's ranks meet. The unique id names a
// POSIX shared-memory segment (one mechanism for ranks that are threads of
// one process and for ranks in separate processes) holding each rank's
// state, pid, device and progress, a count of barriers reached, and then
// a data slot per rank. A barrier publishes this rank's count and sleeps
// on a futex in the segment until every count has caught up; it gives up
// instead of hanging when a rank failed, was aborted, left, or its
// process exited, and after GOCNN_SIM_NCCL_TIMEOUT seconds when set.
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <vector>

#include "nccl_standin.h"

namespace standin_nccl {

namespace {

constexpr double kPollSeconds = 0.05; // how often a wait looks for exited peers

std::mutex last_mu;
std::string last; // what ncclGetLastError returns (process-wide, as in NCCL)

std::string format(const char* fmt, va_list ap) {
	char line[1024];
	vsnprintf(line, sizeof line, fmt, ap);
	return line;
}

// say writes one line to stderr.
void say(const std::string& msg) { fprintf(stderr, "gocnn stand-in: nccl: %s\n", msg.c_str()); }

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// timeout is GOCNN_SIM_NCCL_TIMEOUT: how long one wait lasts, 0 for ever.
double timeout() {
	static const double t = [] {
		const char* v = getenv("GOCNN_SIM_NCCL_TIMEOUT");
		if (!v || !*v) return 0.0;
		char* end;
		double s = strtod(v, &end);
		if (*end || !(s >= 0)) {
			// As the driver does with its settings: a typo must not mean "wait for ever".
			say(std::string("GOCNN_SIM_NCCL_TIMEOUT=") + v + ": want seconds (0: wait for ever)");
			exit(2);
		}
		return s;
	}();
	return t;
}

// ring wakes every wait on the segment, in any process.
void ring(Shared* sh) {
	sh->bell.fetch_add(1);
	syscall(SYS_futex, (uint32_t*)&sh->bell, FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

// sleep_on waits until the bell moves from seen, or for seconds.
void sleep_on(Shared* sh, uint32_t seen, double seconds) {
	timespec ts{(time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9)};
	syscall(SYS_futex, (uint32_t*)&sh->bell, FUTEX_WAIT, seen, &ts, nullptr, 0);
}

// exited reports whether process pid has ended. A zombie counts: kill(pid,
// 0) still succeeds for one until its parent reaps it.
bool exited(pid_t pid) {
	if (kill(pid, 0) != 0) return errno == ESRCH;
	char path[64], stat[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE* f = fopen(path, "r");
	if (!f) return false; // no /proc: trust kill
	size_t n = fread(stat, 1, sizeof stat - 1, f);
	fclose(f);
	stat[n] = 0;
	const char* paren = strrchr(stat, ')'); // the command name may hold spaces and parentheses
	return paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X');
}

// why_lost says why the rank m will never pass the barrier with the
// others, or "" while it still may. A rank that failed or was aborted
// counts even when it has arrived (here), so that every rank agrees the
// collective failed. poll: whether to look for an exited process now.
std::string why_lost(const Member& m, bool here, bool poll) {
	const uint32_t s = m.state.load();
	const pid_t pid = m.pid.load();
	if (s == kFailed) return "gave up after an error";
	if (s == kAborted) return "was aborted (ncclCommAbort)";
	if (here) return "";
	if (s == kLeft) return "destroyed its communicator before arriving";
	if (s == kJoined && pid > 0 && pid != getpid() && poll && exited(pid))
		return "exited (pid " + std::to_string(pid) + ") before arriving";
	return "";
}

std::string list_ranks(const std::vector<int>& ranks) {
	std::string s = ranks.size() == 1 ? "rank " : "ranks ";
	for (size_t i = 0; i < ranks.size(); i++) s += (i ? ", " : "") + std::to_string(ranks[i]);
	return s;
}

} // namespace

ncclResult_t fail(ncclResult_t code, const char* fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	std::string msg = format(fmt, ap);
	va_end(ap);
	say(msg);
	std::lock_guard<std::mutex> l(last_mu);
	last = msg;
	return code;
}

std::string last_error() {
	std::lock_guard<std::mutex> l(last_mu);
	return last;
}

} // namespace standin_nccl

using namespace standin_nccl;

bool ncclComm::wait_all(uint64_t k, std::string* why) {
	const double start = now(), limit = timeout();
	double next_poll = start;
	for (;;) {
		const uint32_t seen = sh->bell.load();
		const double t = now();
		const bool poll = t >= next_poll;
		if (poll) next_poll = t + kPollSeconds;
		std::vector<int> missing;
		std::string lost; // the ranks that will never arrive, and why
		for (int r = 0; r < nranks; r++) {
			const Member& m = sh->member[r];
			const bool here = m.arrived.load(std::memory_order_acquire) >= k;
			if (!here) missing.push_back(r);
			std::string what = r == rank ? "" : why_lost(m, here, poll);
			if (!what.empty()) lost += (lost.empty() ? "rank " : ", rank ") + std::to_string(r) + " " + what;
		}
		if (aborted.load()) {
			*why = "aborted by ncclCommAbort" + (missing.empty() ? "" : " while " + list_ranks(missing) + " had not arrived");
			return false;
		}
		if (int b = sh->broken.load()) {
			*why = "a rank was told there are " + std::to_string(b) + " ranks, not " + std::to_string(nranks);
			return false;
		}
		if (!lost.empty()) {
			*why = lost;
			return false;
		}
		if (missing.empty()) return true;
		if (limit > 0 && t - start >= limit) {
			char secs[32];
			snprintf(secs, sizeof secs, "%g", limit);
			*why = list_ranks(missing) + " never arrived within " + secs + " s (GOCNN_SIM_NCCL_TIMEOUT)";
			return false;
		}
		double left = limit > 0 ? start + limit - t : kPollSeconds;
		sleep_on(sh, seen, std::max(1e-3, std::min(kPollSeconds, left)));
	}
}

bool ncclComm::barrier(std::string* why) {
	uint64_t k = ++barriers;
	me().arrived.store(k, std::memory_order_release); // publishes this rank's slot
	ring(sh);
	return wait_all(k, why);
}

void ncclComm::give_up(ncclResult_t code, const std::string& msg) {
	int ok = ncclSuccess;
	if (error.compare_exchange_strong(ok, code)) fail(code, "%s", msg.c_str());
	uint32_t joined = kJoined;
	me().state.compare_exchange_strong(joined, kFailed);
	ring(sh);
}

void ncclComm::abort() {
	aborted.store(true);
	uint32_t joined = kJoined;
	me().state.compare_exchange_strong(joined, kAborted);
	ring(sh);
}

namespace standin_nccl {

namespace {

// live holds the communicators not yet destroyed, so that a call on a
// destroyed one is refused instead of reading freed memory.
std::mutex live_mu;
std::set<ncclComm*> live;

std::string segment_name(const Id& id) {
	char s[64];
	snprintf(s, sizeof s, "/gocnn-nccl-%016llx%016llx", (unsigned long long)id.token[0], (unsigned long long)id.token[1]);
	return s;
}

// map_segment opens (making it if need be) and maps the segment name,
// bytes long, or returns an errno.
int map_segment(const std::string& name, size_t bytes, void** p) {
	int fd = shm_open(name.c_str(), O_RDWR | O_CREAT, 0600);
	if (fd < 0) return errno;
	// posix_fallocate, not ftruncate: it only grows the file, so a rank
	// that disagrees about nranks cannot shrink it under the others, and a
	// full /dev/shm fails here rather than with SIGBUS later.
	int e = posix_fallocate(fd, 0, bytes);
	*p = e ? MAP_FAILED : mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!e && *p == MAP_FAILED) e = errno;
	close(fd);
	return e;
}

} // namespace

bool is_live(ncclComm* c) {
	std::lock_guard<std::mutex> l(live_mu);
	return live.count(c) != 0;
}

bool take(ncclComm* c) {
	std::lock_guard<std::mutex> l(live_mu);
	return live.erase(c) != 0;
}

void release(ncclComm* c) {
	if (c->refs.fetch_sub(1) != 1) return;
	if (c->sh) {
		uint32_t joined = kJoined;
		c->me().state.compare_exchange_strong(joined, kLeft);
		ring(c->sh);
		munmap(c->sh, c->bytes);
	}
	delete c;
}

ncclResult_t init_rank(ncclComm_t* out, int nranks, const ncclUniqueId& uid, int rank, bool own_ctx) {
	Id id;
	memcpy(&id, uid.internal, sizeof id);
	if (memcmp(id.magic, kMagic, sizeof kMagic))
		return fail(ncclInvalidArgument, "ncclCommInitRank: the unique id was not made by ncclGetUniqueId");
	CUcontext ctx = nullptr;
	CUdevice dev;
	if (cuCtxGetCurrent(&ctx) != CUDA_SUCCESS || !ctx || cuCtxGetDevice(&dev) != CUDA_SUCCESS)
		return fail(ncclInvalidUsage, "ncclCommInitRank: rank %d: no current CUDA context: make the rank's device current first", rank);
	const std::string name = segment_name(id);
	const size_t bytes = kHeaderBytes + nranks * kSlotBytes;
	void* p = nullptr;
	if (int e = map_segment(name, bytes, &p)) {
		shm_unlink(name.c_str());
		return fail(ncclSystemError, "ncclCommInitRank: shared memory %s (%zu bytes): %s", name.c_str(), bytes, strerror(e));
	}
	auto* sh = (Shared*)p;
	auto* c = new ncclComm;
	c->name = name.substr(12, 8);
	c->rank = rank;
	c->nranks = nranks;
	c->device = dev;
	c->ctx = ctx;
	c->own_ctx = own_ctx;

	ncclResult_t r = ncclSuccess;
	int first = 0;
	uint32_t empty = kEmpty;
	if (!sh->nranks.compare_exchange_strong(first, nranks) && first != nranks) {
		sh->broken.store(nranks);
		ring(sh);
		r = fail(ncclInvalidUsage, "%s: another rank was told there are %d ranks", c->who().c_str(), first);
	} else if (!sh->member[rank].state.compare_exchange_strong(empty, kJoined)) {
		r = fail(ncclInvalidUsage, "%s: another caller already joined as rank %d", c->who().c_str(), rank);
	}
	if (r != ncclSuccess) {
		munmap(p, bytes); // without marking the segment: this caller is not a member
		delete c;
		return r;
	}
	c->sh = sh;
	c->bytes = bytes;
	sh->member[rank].device.store(dev);
	sh->member[rank].pid.store(getpid());
	std::string why;
	bool joined = c->barrier(&why);
	// Every rank has the segment mapped (or the init failed): the name is
	// no longer needed, and nothing is left in /dev/shm whatever happens.
	shm_unlink(name.c_str());
	if (!joined) {
		r = ncclRemoteError;
		c->give_up(r, c->who() + ": ncclCommInitRank: " + why + " (ncclRemoteError)");
	}

	// A device has one rank at most, as NCCL requires: every rank refuses,
	// and those on a shared device say so as NCCL does.
	for (int o = 0; r == ncclSuccess && o < nranks; o++) {
		if (o != rank && sh->member[o].device.load() == dev)
			r = fail(ncclInvalidUsage, "Duplicate GPU detected : rank %d and rank %d both on CUDA device %d", rank, o, dev);
	}
	for (int a = 0; r == ncclSuccess && a < nranks; a++) {
		for (int b = a + 1; r == ncclSuccess && b < nranks; b++) {
			int d = sh->member[a].device.load();
			if (d == sh->member[b].device.load())
				r = fail(ncclInvalidUsage, "%s: ranks %d and %d are both on CUDA device %d", c->who().c_str(), a, b, d);
		}
	}
	if (r != ncclSuccess) {
		release(c);
		return r;
	}
	std::lock_guard<std::mutex> l(live_mu);
	live.insert(c);
	*out = c;
	return ncclSuccess;
}

} // namespace standin_nccl
