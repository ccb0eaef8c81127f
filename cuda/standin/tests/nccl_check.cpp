// nccl_check: checks the stand-in libnccl.so.2 through the NCCL 2 ABI, as
// a program linked against libcuda.so.1 and libnccl.so.2 uses it, on four
// stand-in devices (it sets GOCNN_SIM_DEVICES=4 unless the caller chose;
// `make check` runs it). It re-executes itself for
// the multi-process and timeout cases: `nccl_check rank ...` and
// `nccl_check timeout` are those children.
#include <cuda.h>
#include <dirent.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "check.h"

// The NCCL 2 ABI, declared from its documented values as any user without
// nccl.h would (the Go wrapper, cuda/nccl.go, does the same).
extern "C" {
typedef struct { char internal[128]; } ncclUniqueId;
typedef struct ncclComm* ncclComm_t;
typedef int ncclResult_t;
enum { ncclSuccess = 0, ncclInvalidArgument = 4, ncclInvalidUsage = 5, ncclRemoteError = 6 };
enum { ncclInt8 = 0, ncclInt32 = 2, ncclFloat16 = 6, ncclFloat32 = 7, ncclFloat64 = 8 };
enum { ncclSum = 0, ncclProd = 1, ncclMax = 2, ncclMin = 3, ncclAvg = 4 };
ncclResult_t ncclGetVersion(int*);
ncclResult_t ncclGetUniqueId(ncclUniqueId*);
ncclResult_t ncclCommInitRank(ncclComm_t*, int, ncclUniqueId, int);
ncclResult_t ncclCommInitAll(ncclComm_t*, int, const int*);
ncclResult_t ncclCommDestroy(ncclComm_t);
ncclResult_t ncclCommAbort(ncclComm_t);
ncclResult_t ncclCommCount(ncclComm_t, int*);
ncclResult_t ncclCommCuDevice(ncclComm_t, int*);
ncclResult_t ncclCommUserRank(ncclComm_t, int*);
ncclResult_t ncclCommGetAsyncError(ncclComm_t, ncclResult_t*);
ncclResult_t ncclAllReduce(const void*, void*, size_t, int, int, ncclComm_t, CUstream);
ncclResult_t ncclBroadcast(const void*, void*, size_t, int, int, ncclComm_t, CUstream);
ncclResult_t ncclAllGather(const void*, void*, size_t, int, ncclComm_t, CUstream);
ncclResult_t ncclReduceScatter(const void*, void*, size_t, int, int, ncclComm_t, CUstream);
ncclResult_t ncclGroupStart(void);
ncclResult_t ncclGroupEnd(void);
const char* ncclGetErrorString(ncclResult_t);
const char* ncclGetLastError(ncclComm_t);
}

namespace {

} // namespace

const char* check_program = "nccl_check";

namespace {

#define NC(call)                                                                                       \
	do {                                                                                               \
		ncclResult_t r_ = (call);                                                                      \
		CHECK(r_ == ncclSuccess, "%s: %s: %s", #call, ncclGetErrorString(r_), ncclGetLastError(nullptr)); \
	} while (0)


// value is rank's element i: mixed magnitudes and signs, so that the order
// of a float sum shows in its bits.
float value(int rank, size_t i) {
	uint64_t h = (uint64_t)rank * 0x9E3779B97F4A7C15ull + i * 0xBF58476D1CE4E5B9ull + 1;
	h ^= h >> 31;
	h *= 0x94D049BB133111EBull;
	h ^= h >> 29;
	float unit = (float)(h >> 40) / (float)(1 << 24) - 0.5f;
	static const float scale[] = {1, 1e3f, 1e-3f, 37, 1e-7f};
	return unit * scale[i % 5];
}

std::vector<float> data(int rank, size_t n) {
	std::vector<float> v(n);
	for (size_t i = 0; i < n; i++) v[i] = value(rank, i);
	return v;
}

// Dev is a rank's device, made current on the calling thread.
struct Dev {
	int ordinal;
	CUcontext ctx;
	CUstream stream;
};

Dev open_dev(int d) {
	Dev v{d, nullptr, nullptr};
	CU(cuDevicePrimaryCtxRetain(&v.ctx, d));
	CU(cuCtxSetCurrent(v.ctx));
	CU(cuStreamCreate(&v.stream, 0));
	return v;
}

void close_dev(const Dev& v) {
	CU(cuCtxSetCurrent(v.ctx));
	CU(cuStreamDestroy(v.stream));
	CU(cuDevicePrimaryCtxRelease(v.ordinal));
}

template <class T>
CUdeviceptr upload(const std::vector<T>& v) {
	CUdeviceptr p;
	CU(cuMemAlloc(&p, v.size() * sizeof(T)));
	CU(cuMemcpyHtoD(p, v.data(), v.size() * sizeof(T)));
	return p;
}

template <class T>
std::vector<T> download(CUdeviceptr p, size_t n) {
	std::vector<T> v(n);
	CU(cuMemcpyDtoH(v.data(), p, n * sizeof(T)));
	return v;
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
	return a.size() == b.size() && memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

// run_ranks runs body(rank) on a thread per rank and waits for all.
void run_ranks(int n, const std::function<void(int)>& body) {
	std::vector<std::thread> ts;
	for (int r = 0; r < n; r++) ts.emplace_back(body, r);
	for (auto& t : ts) t.join();
}

// capture runs fn with stderr going to a file and returns what it wrote.
std::string capture(const std::function<void()>& fn) {
	fflush(stderr);
	FILE* tmp = tmpfile();
	int saved = dup(2);
	dup2(fileno(tmp), 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	std::string out;
	rewind(tmp);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, tmp)) > 0) out.append(buf, n);
	fclose(tmp);
	return out;
}

// show prints what the library said, indented, and checks every line is
// one of its.
void show(const std::string& said) {
	size_t at = 0;
	while (at < said.size()) {
		size_t end = said.find('\n', at);
		std::string line = said.substr(at, end - at);
		printf("    | %s\n", line.c_str());
		CHECK(line.rfind("gocnn stand-in: nccl: ", 0) == 0, "stderr line without the prefix: %s", line.c_str());
		at = end == std::string::npos ? said.size() : end + 1;
	}
}

bool has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// ---- ranks as threads ------------------------------------------------------------

// Sizes: kBig floats (2.8 MB) and kGather floats per rank (1.6 MB) are past
// a 1 MiB slot, with a remainder; the others are small and odd.
constexpr size_t kBig = 700001, kSmall = 1001, kBcast = 400003, kGather = 400001, kScatter = 3001;

struct Results {
	std::vector<float> sum, avg, max, bcast, gather;
	std::vector<int32_t> scatter; // checked against a reference of its own
};

void test_threads(int n) {
	double t0 = now();
	ncclUniqueId id;
	NC(ncclGetUniqueId(&id));
	std::vector<Results> got(n);
	run_ranks(n, [&](int r) {
		Dev d = open_dev(r);
		ncclComm_t comm;
		NC(ncclCommInitRank(&comm, n, id, r));
		int count, dev, rank;
		NC(ncclCommCount(comm, &count));
		NC(ncclCommCuDevice(comm, &dev));
		NC(ncclCommUserRank(comm, &rank));
		CHECK(count == n && dev == r && rank == r, "rank %d: count %d device %d rank %d", r, count, dev, rank);

		std::vector<float> mine = data(r, kBig);
		CUdeviceptr in = upload(mine), out, small = upload(data(r, kSmall)), bcast, gather, scatter_in, scatter_out;
		CU(cuMemAlloc(&out, kBig * 4));
		std::vector<float> bsrc = r == n - 1 ? data(99, kBcast) : std::vector<float>(kBcast, -1.0f);
		bcast = upload(bsrc);
		CU(cuMemAlloc(&gather, n * kGather * 4));
		std::vector<int32_t> ints(n * kScatter);
		for (size_t i = 0; i < ints.size(); i++) ints[i] = (int32_t)(i * 7919 + r * 104729) - (1 << 30);
		scatter_in = upload(ints);
		CU(cuMemAlloc(&scatter_out, kScatter * 4));

		// Everything is queued first, then synchronised once: stream order
		// alone must keep the collectives apart.
		NC(ncclAllReduce((void*)in, (void*)out, kBig, ncclFloat32, ncclSum, comm, d.stream));
		NC(ncclAllReduce((void*)small, (void*)small, kSmall, ncclFloat32, ncclAvg, comm, d.stream)); // in place
		NC(ncclAllReduce((void*)in, (void*)in, kSmall, ncclFloat32, ncclMax, comm, d.stream));      // in place
		NC(ncclAllReduce((void*)in, (void*)out, 0, ncclFloat32, ncclSum, comm, d.stream));          // no-op
		NC(ncclBroadcast((void*)bcast, (void*)bcast, kBcast, ncclFloat32, n - 1, comm, d.stream));
		NC(ncclAllGather((void*)(out + 5 * 4), (void*)gather, kGather, ncclFloat32, comm, d.stream));
		NC(ncclReduceScatter((void*)scatter_in, (void*)scatter_out, kScatter, ncclInt32, ncclSum, comm, d.stream));
		CU(cuStreamSynchronize(d.stream));
		ncclResult_t async;
		NC(ncclCommGetAsyncError(comm, &async));
		CHECK(async == ncclSuccess, "rank %d: async error %d", r, async);

		Results& g = got[r];
		g.sum = download<float>(out, kBig);
		g.avg = download<float>(small, kSmall);
		g.max = download<float>(in, kSmall);
		g.bcast = download<float>(bcast, kBcast);
		g.gather = download<float>(gather, n * kGather);
		g.scatter = download<int32_t>(scatter_out, kScatter);
		for (CUdeviceptr p : {in, out, small, bcast, gather, scatter_in, scatter_out}) CU(cuMemFree(p));
		NC(ncclCommDestroy(comm));
		close_dev(d);
	});

	// The reference reduces in rank order, as the library must; equal bits
	// on every rank follow.
	std::vector<std::vector<float>> x(n);
	for (int r = 0; r < n; r++) x[r] = data(r, kBig);
	Results want;
	want.sum = x[0];
	want.max = std::vector<float>(x[0].begin(), x[0].begin() + kSmall);
	for (int r = 1; r < n; r++)
		for (size_t i = 0; i < kBig; i++) want.sum[i] += x[r][i];
	for (int r = 1; r < n; r++)
		for (size_t i = 0; i < kSmall; i++) want.max[i] = std::fmax(want.max[i], x[r][i]);
	want.avg = std::vector<float>(x[0].begin(), x[0].begin() + kSmall);
	for (int r = 1; r < n; r++)
		for (size_t i = 0; i < kSmall; i++) want.avg[i] += x[r][i];
	for (float& v : want.avg) v /= (float)n;
	want.bcast = data(99, kBcast);
	for (int r = 0; r < n; r++) want.gather.insert(want.gather.end(), want.sum.begin() + 5, want.sum.begin() + 5 + kGather);
	for (int r = 0; r < n; r++) {
		// Rank r receives block r summed over the ranks (int32 wraps).
		std::vector<int32_t> block(kScatter, 0);
		for (int q = 0; q < n; q++)
			for (size_t i = 0; i < kScatter; i++) {
				size_t k = r * kScatter + i;
				block[i] = (int32_t)((uint32_t)block[i] + (uint32_t)((int32_t)(k * 7919 + q * 104729) - (1 << 30)));
			}
		CHECK(same_bits(got[r].scatter, block), "%d ranks: reduce-scatter block %d differs", n, r);
	}
	for (int r = 0; r < n; r++) {
		const Results& g = got[r];
		CHECK(same_bits(g.sum, want.sum), "%d ranks: rank %d all-reduce sum differs from rank-order sum", n, r);
		CHECK(same_bits(g.avg, want.avg), "%d ranks: rank %d in-place average differs", n, r);
		CHECK(same_bits(g.max, want.max), "%d ranks: rank %d in-place max differs", n, r);
		CHECK(same_bits(g.bcast, want.bcast), "%d ranks: rank %d broadcast differs", n, r);
		CHECK(same_bits(g.gather, want.gather), "%d ranks: rank %d all-gather differs", n, r);
		CHECK(same_bits(g.sum, got[0].sum) && same_bits(g.avg, got[0].avg), "%d ranks: rank %d differs from rank 0", n, r);
	}
	printf("ok   %d ranks as threads: all-reduce sum (%zu floats, 3 slots), avg and max in place, broadcast, all-gather, reduce-scatter; same bits on every rank (%.2f s)\n",
	       n, kBig, now() - t0);
}

// test_group initialises four ranks from one thread inside a group, as
// NCCL's single-thread multi-GPU pattern does, and reduces in a group.
void test_group() {
	const int n = 4;
	ncclUniqueId id;
	NC(ncclGetUniqueId(&id));
	std::vector<Dev> devs;
	std::vector<ncclComm_t> comms(n);
	for (int r = 0; r < n; r++) devs.push_back(open_dev(r));
	NC(ncclGroupStart());
	for (int r = 0; r < n; r++) {
		CU(cuCtxSetCurrent(devs[r].ctx));
		NC(ncclCommInitRank(&comms[r], n, id, r));
	}
	NC(ncclGroupEnd());
	std::vector<CUdeviceptr> bufs(n);
	for (int r = 0; r < n; r++) {
		CU(cuCtxSetCurrent(devs[r].ctx));
		bufs[r] = upload(data(r, kSmall));
	}
	NC(ncclGroupStart());
	for (int r = 0; r < n; r++) NC(ncclAllReduce((void*)bufs[r], (void*)bufs[r], kSmall, ncclFloat32, ncclSum, comms[r], devs[r].stream));
	NC(ncclGroupEnd());
	std::vector<float> want = data(0, kSmall);
	for (int r = 1; r < n; r++)
		for (size_t i = 0; i < kSmall; i++) want[i] += value(r, i);
	for (int r = 0; r < n; r++) {
		CU(cuCtxSetCurrent(devs[r].ctx));
		CU(cuStreamSynchronize(devs[r].stream));
		CHECK(same_bits(download<float>(bufs[r], kSmall), want), "group: rank %d sum differs", r);
		CU(cuMemFree(bufs[r]));
		NC(ncclCommDestroy(comms[r]));
		close_dev(devs[r]);
	}

	// ncclCommInitAll: one call, its own id, the devices as listed.
	const int list[2] = {3, 1};
	ncclComm_t all[2];
	NC(ncclCommInitAll(all, 2, list));
	for (int i = 0; i < 2; i++) {
		int dev, rank;
		NC(ncclCommCuDevice(all[i], &dev));
		NC(ncclCommUserRank(all[i], &rank));
		CHECK(dev == list[i] && rank == i, "ncclCommInitAll: comm %d on device %d rank %d", i, dev, rank);
		NC(ncclCommDestroy(all[i]));
	}
	printf("ok   4 ranks initialised and reduced from one thread in groups; ncclCommInitAll\n");
}

// test_refusals checks the duplicate-device refusal and invalid arguments.
void test_refusals() {
	ncclUniqueId id;
	NC(ncclGetUniqueId(&id));
	ncclResult_t res[2];
	std::string said = capture([&] {
		run_ranks(2, [&](int r) {
			Dev d = open_dev(0); // both ranks on device 0
			ncclComm_t comm = (ncclComm_t)&res; // must be cleared
			res[r] = ncclCommInitRank(&comm, 2, id, r);
			CHECK(comm == nullptr, "rank %d: a refused init left a communicator", r);
			close_dev(d);
		});
	});
	show(said);
	CHECK(res[0] == ncclInvalidUsage && res[1] == ncclInvalidUsage, "duplicate device: results %d, %d, want ncclInvalidUsage", res[0], res[1]);
	CHECK(has(said, "gocnn stand-in: nccl: Duplicate GPU detected : rank 1 and rank 0 both on CUDA device 0"), "no duplicate-GPU line");
	printf("ok   two ranks on device 0 refused with ncclInvalidUsage\n");

	Dev d = open_dev(0);
	ncclComm_t comm;
	NC(ncclGetUniqueId(&id));
	NC(ncclCommInitRank(&comm, 1, id, 0));
	CUdeviceptr buf = upload(data(0, 16));
	void* p = (void*)buf;
	struct Bad {
		const char* what;
		std::function<ncclResult_t()> call;
	} bad[] = {
	    {"data type 42", [&] { return ncclAllReduce(p, p, 16, 42, ncclSum, comm, d.stream); }},
	    {"op 9", [&] { return ncclAllReduce(p, p, 16, ncclFloat32, 9, comm, d.stream); }},
	    {"float16 sum", [&] { return ncclAllReduce(p, p, 16, ncclFloat16, ncclSum, comm, d.stream); }},
	    {"NULL receive buffer", [&] { return ncclAllReduce(p, nullptr, 16, ncclFloat32, ncclSum, comm, d.stream); }},
	    {"NULL send buffer", [&] { return ncclAllGather(nullptr, p, 4, ncclFloat32, comm, d.stream); }},
	    {"root 1 of 1", [&] { return ncclBroadcast(p, p, 16, ncclFloat32, 1, comm, d.stream); }},
	    {"rank 2 of 2", [&] { ncclComm_t c; return ncclCommInitRank(&c, 2, id, 2); }},
	    {"NULL communicator", [&] { return ncclAllReduce(p, p, 16, ncclFloat32, ncclSum, nullptr, d.stream); }},
	};
	said = capture([&] {
		for (auto& b : bad) {
			ncclResult_t r = b.call();
			CHECK(r == ncclInvalidArgument, "%s: result %d, want ncclInvalidArgument", b.what, r);
			CHECK(*ncclGetLastError(comm), "%s: ncclGetLastError is empty", b.what);
		}
	});
	show(said);
	// Count 0 is a no-op even with NULL buffers; one rank's average is its input.
	NC(ncclAllReduce(nullptr, nullptr, 0, ncclFloat32, ncclSum, comm, d.stream));
	NC(ncclAllReduce(p, p, 16, ncclFloat32, ncclAvg, comm, d.stream));
	CU(cuStreamSynchronize(d.stream));
	CHECK(same_bits(download<float>(buf, 16), data(0, 16)), "one rank's average is not its input");
	CU(cuMemFree(buf));
	NC(ncclCommDestroy(comm));
	close_dev(d);
	printf("ok   invalid arguments return ncclInvalidArgument with a message; count 0 is a no-op\n");
}

// init_pair makes a communicator of two ranks on devices d[0] and d[1],
// both from this thread (in a group).
void init_pair(const Dev d[2], ncclComm_t comm[2]) {
	ncclUniqueId id;
	NC(ncclGetUniqueId(&id));
	NC(ncclGroupStart());
	for (int r = 0; r < 2; r++) {
		CU(cuCtxSetCurrent(d[r].ctx));
		NC(ncclCommInitRank(&comm[r], 2, id, r));
	}
	NC(ncclGroupEnd());
}

// test_abort: a rank waits for one that never comes, and ncclCommAbort
// from another thread ends the wait; the peer then fails instead of
// hanging.
void test_abort() {
	Dev d[2] = {open_dev(0), open_dev(1)};
	ncclComm_t comm[2];
	init_pair(d, comm);
	const std::vector<float> sentinel(kSmall, 12345.0f);
	CUdeviceptr in[2], out[2];
	for (int r = 0; r < 2; r++) {
		CU(cuCtxSetCurrent(d[r].ctx));
		in[r] = upload(data(r, kSmall));
		out[r] = upload(sentinel);
	}
	double waited = 0;
	ncclResult_t async = ncclSuccess;
	std::string said = capture([&] {
		CU(cuCtxSetCurrent(d[0].ctx));
		NC(ncclAllReduce((void*)in[0], (void*)out[0], kSmall, ncclFloat32, ncclSum, comm[0], d[0].stream));
		std::thread aborter([&] {
			std::this_thread::sleep_for(std::chrono::milliseconds(300));
			NC(ncclCommAbort(comm[0]));
		});
		double t = now();
		CU(cuStreamSynchronize(d[0].stream));
		waited = now() - t;
		aborter.join();
		// Rank 1 comes too late: rank 0 is gone, and it must not wait for it.
		CU(cuCtxSetCurrent(d[1].ctx));
		NC(ncclAllReduce((void*)in[1], (void*)out[1], kSmall, ncclFloat32, ncclSum, comm[1], d[1].stream));
		CU(cuStreamSynchronize(d[1].stream));
		NC(ncclCommGetAsyncError(comm[1], &async));
	});
	show(said);
	CHECK(waited > 0.2 && waited < 3, "the aborted wait ended after %.2f s", waited);
	CHECK(async == ncclRemoteError, "rank 1 after rank 0's abort: async error %d, want ncclRemoteError", async);
	CHECK(has(said, "aborted by ncclCommAbort while rank 1 had not arrived"), "no abort message");
	CHECK(has(said, "rank 0 was aborted"), "no message about the aborted peer");
	for (int r = 0; r < 2; r++) {
		CU(cuCtxSetCurrent(d[r].ctx));
		CHECK(same_bits(download<float>(out[r], kSmall), sentinel), "rank %d: a failed all-reduce wrote its output", r);
		CU(cuMemFree(in[r]));
		CU(cuMemFree(out[r]));
	}
	NC(ncclCommDestroy(comm[1]));
	for (auto& x : d) close_dev(x);
	printf("ok   ncclCommAbort ends a wait (%.2f s) and the peer reports ncclRemoteError\n", waited);
}

// ---- ranks as processes ------------------------------------------------------------

std::string hex(const ncclUniqueId& id) {
	std::string s;
	char b[3];
	for (unsigned char c : id.internal) {
		snprintf(b, sizeof b, "%02x", c);
		s += b;
	}
	return s;
}

ncclUniqueId unhex(const char* s) {
	ncclUniqueId id;
	CHECK(strlen(s) == 2 * sizeof id.internal, "bad id");
	for (size_t i = 0; i < sizeof id.internal; i++) {
		unsigned v;
		sscanf(s + 2 * i, "%2x", &v);
		id.internal[i] = (char)v;
	}
	return id;
}

// spawn starts this program with args, and extra in its environment;
// with err set, its stderr goes to a pipe whose read end *err gets.
pid_t spawn(const std::vector<std::string>& args, const char* extra = nullptr, int* err = nullptr) {
	std::vector<char*> argv, envp;
	argv.push_back((char*)"/proc/self/exe");
	for (auto& a : args) argv.push_back((char*)a.c_str());
	argv.push_back(nullptr);
	for (char** e = environ; *e; e++) envp.push_back(*e);
	if (extra) envp.push_back((char*)extra);
	envp.push_back(nullptr);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	int fds[2];
	if (err) {
		CHECK(pipe(fds) == 0, "pipe");
		posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
		posix_spawn_file_actions_addclose(&fa, fds[0]);
	}
	pid_t pid;
	CHECK(posix_spawn(&pid, "/proc/self/exe", &fa, nullptr, argv.data(), envp.data()) == 0, "posix_spawn");
	posix_spawn_file_actions_destroy(&fa);
	if (err) {
		close(fds[1]);
		*err = fds[0];
	}
	return pid;
}

int wait_exit(pid_t pid) {
	int status;
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string read_all(int fd) {
	std::string s;
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, n);
	close(fd);
	return s;
}

constexpr size_t kProc = 300007; // floats: 1.2 MB, two slots

// child_rank is `nccl_check rank R N ID MODE`: rank R of N in a process of
// its own. MODE ok: all-reduce and check; die: exit right after joining;
// survivor: all-reduce with a peer that died, which must fail.
int child_rank(int r, int n, const char* idhex, const std::string& mode) {
	CU(cuInit(0));
	Dev d = open_dev(r);
	ncclComm_t comm;
	NC(ncclCommInitRank(&comm, n, unhex(idhex), r));
	if (mode == "die") _exit(0); // no destroy: the process is gone
	CUdeviceptr buf = upload(data(r, kProc));
	double t = now();
	NC(ncclAllReduce((void*)buf, (void*)buf, kProc, ncclFloat32, ncclSum, comm, d.stream));
	// (A survivor's communicator may have failed already, refusing more.)
	if (mode != "survivor") NC(ncclAllReduce((void*)buf, (void*)buf, kProc, ncclFloat32, ncclAvg, comm, d.stream));
	CU(cuStreamSynchronize(d.stream));
	ncclResult_t async;
	NC(ncclCommGetAsyncError(comm, &async));
	std::vector<float> got = download<float>(buf, kProc);
	if (mode == "survivor") {
		CHECK(async == ncclRemoteError, "survivor: async error %d, want ncclRemoteError", async);
		CHECK(now() - t < 5, "survivor: noticed the dead peer only after %.1f s", now() - t);
		CHECK(same_bits(got, data(r, kProc)), "survivor: the failed all-reduce wrote its output");
	} else {
		CHECK(async == ncclSuccess, "rank %d: async error %d", r, async);
		std::vector<float> want = data(0, kProc);
		for (int q = 1; q < n; q++)
			for (size_t i = 0; i < kProc; i++) want[i] += value(q, i);
		// Then the average of n equal sums: added in rank order, divided by n.
		for (float& v : want) {
			float acc = v;
			for (int q = 1; q < n; q++) acc += v;
			v = acc / (float)n;
		}
		CHECK(same_bits(got, want), "rank %d of %d processes: the result differs from the rank-order reduction", r, n);
	}
	CU(cuMemFree(buf));
	NC(ncclCommDestroy(comm));
	close_dev(d);
	return 0;
}

void test_processes() {
	double t0 = now();
	ncclUniqueId id;
	NC(ncclGetUniqueId(&id));
	pid_t a = spawn({"rank", "0", "2", hex(id), "ok"}), b = spawn({"rank", "1", "2", hex(id), "ok"});
	CHECK(wait_exit(a) == 0 && wait_exit(b) == 0, "2 ranks in 2 processes failed");
	printf("ok   2 ranks in 2 processes: all-reduce sum then avg of %zu floats, bit-exact (%.2f s)\n", kProc, now() - t0);

	// Rank 1 dies after joining. It stays a zombie until rank 0 is waited
	// for, which kill(pid, 0) alone would take for alive.
	t0 = now();
	NC(ncclGetUniqueId(&id));
	int err;
	a = spawn({"rank", "0", "2", hex(id), "survivor"}, nullptr, &err);
	b = spawn({"rank", "1", "2", hex(id), "die"});
	std::string said = read_all(err);
	int code = wait_exit(a);
	wait_exit(b);
	if (code != 0) fputs(said.c_str(), stderr);
	CHECK(code == 0, "the survivor of a dead peer failed (exit %d)", code);
	show(said);
	CHECK(has(said, "rank 1 exited (pid "), "no message naming the dead rank");
	printf("ok   a peer process that exits is reported with ncclRemoteError, no hang (%.2f s)\n", now() - t0);
}

// child_timeout is `nccl_check timeout`, run with GOCNN_SIM_NCCL_TIMEOUT=2:
// rank 1 never calls the all-reduce; then a rank inits alone.
int child_timeout() {
	CU(cuInit(0));
	Dev d[2] = {open_dev(0), open_dev(1)};
	ncclComm_t comm[2];
	init_pair(d, comm);
	CU(cuCtxSetCurrent(d[0].ctx));
	const std::vector<float> sentinel(kSmall, 7.0f);
	CUdeviceptr in = upload(data(0, kSmall)), out = upload(sentinel);
	double t = now();
	NC(ncclAllReduce((void*)in, (void*)out, kSmall, ncclFloat32, ncclSum, comm[0], d[0].stream));
	CU(cuStreamSynchronize(d[0].stream));
	double waited = now() - t;
	ncclResult_t async;
	NC(ncclCommGetAsyncError(comm[0], &async));
	CHECK(waited > 1.5 && waited < 5, "the all-reduce timed out after %.2f s, want about 2", waited);
	CHECK(async == ncclRemoteError, "after the timeout: async error %d, want ncclRemoteError", async);
	CHECK(same_bits(download<float>(out, kSmall), sentinel), "a timed-out all-reduce wrote its output");
	// Later collectives on the failed communicator are refused at once.
	CHECK(ncclAllReduce((void*)in, (void*)out, kSmall, ncclFloat32, ncclSum, comm[0], d[0].stream) == ncclRemoteError,
	      "an all-reduce on a failed communicator was accepted");
	CU(cuMemFree(in));
	CU(cuMemFree(out));
	for (int r = 0; r < 2; r++) NC(ncclCommDestroy(comm[r]));

	ncclUniqueId id;
	NC(ncclGetUniqueId(&id));
	ncclComm_t alone;
	t = now();
	ncclResult_t r = ncclCommInitRank(&alone, 2, id, 0);
	waited = now() - t;
	CHECK(r == ncclRemoteError && !alone, "init without its peer: result %d, want ncclRemoteError", r);
	CHECK(waited > 1.5 && waited < 5, "init without its peer timed out after %.2f s", waited);
	for (auto& x : d) close_dev(x);
	return 0;
}

void test_timeout() {
	double t0 = now();
	int err;
	pid_t pid = spawn({"timeout"}, "GOCNN_SIM_NCCL_TIMEOUT=2", &err);
	std::string said = read_all(err);
	int code = wait_exit(pid);
	if (code != 0) fputs(said.c_str(), stderr);
	CHECK(code == 0, "the timeout child failed (exit %d)", code);
	show(said);
	CHECK(has(said, "ncclAllReduce: rank 1 never arrived within 2 s"), "no message naming the rank that never called");
	CHECK(has(said, "ncclCommInitRank: rank 1 never arrived within 2 s"), "no message naming the rank that never joined");
	printf("ok   GOCNN_SIM_NCCL_TIMEOUT=2: a missing rank fails the all-reduce and an init (%.2f s)\n", now() - t0);
}

std::set<std::string> segments() {
	std::set<std::string> s;
	if (DIR* d = opendir("/dev/shm")) {
		while (dirent* e = readdir(d))
			if (!strncmp(e->d_name, "gocnn-nccl-", 11)) s.insert(e->d_name);
		closedir(d);
	}
	return s;
}

} // namespace

int main(int argc, char** argv) {
	setvbuf(stdout, nullptr, _IOLBF, 0);
	std::string mode = argc > 1 ? argv[1] : "";
	if (mode == "rank" && argc == 6) {
		check_program = "nccl_check (child rank)";
		return child_rank(atoi(argv[2]), atoi(argv[3]), argv[4], argv[5]);
	}
	if (mode == "timeout") {
		check_program = "nccl_check (timeout child)";
		return child_timeout();
	}
	CHECK(argc == 1, "usage: nccl_check (with GOCNN_SIM_DEVICES=4)");

	// Four devices, unless the caller chose; children inherit the setting.
	setenv("GOCNN_SIM_DEVICES", "4", 0);
	double t0 = now();
	std::set<std::string> before = segments();
	int version, devices;
	NC(ncclGetVersion(&version));
	CHECK(version >= 21003 && version < 30000, "version code %d", version);
	CU(cuInit(0));
	CU(cuDeviceGetCount(&devices));
	CHECK(devices >= 4, "%d stand-in devices: run with GOCNN_SIM_DEVICES=4", devices);
	printf("ok   NCCL version code %d, %d devices\n", version, devices);

	test_threads(2);
	test_threads(4);
	test_group();
	test_refusals();
	test_abort();
	test_processes();
	test_timeout();
	std::set<std::string> after = segments();
	for (const std::string& s : after) CHECK(before.count(s), "shared memory /dev/shm/%s was left behind", s.c_str());
	printf("PASS nccl_check (%.1f s)\n", now() - t0);
	return 0;
}
