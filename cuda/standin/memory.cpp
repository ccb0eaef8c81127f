// memory.cpp: device memory is host memory, one mapping per allocation
// with a guard page on each side; the block is placed against the upper
// guard (256-byte aligned, as cuMemAlloc aligns), so reading or writing
// past its end faults at once. New memory is filled with NaN (unless
// kernels are skipped), and freed memory is made inaccessible and kept
// for a while, so that a kernel that uses it faults and the fault can say
// which allocation it was.
#include <sys/mman.h>
#include <unistd.h>

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "memory.h"

namespace standin {

namespace {

// Allocation is one cuMemAlloc (device) or cuMemHostAlloc (pinned host)
// block; freed device blocks are kept a while so that a fault can be
// explained.
struct Allocation {
	uintptr_t ptr = 0;
	size_t bytes = 0;
	int device = -1; // -1: pinned host memory
	bool freed = false;
	void* mapping = nullptr; // the mmap'ed region, guard pages included
	size_t mapping_bytes = 0;
};

constexpr size_t kAlign = 256;
constexpr size_t kQuarantine = 1024; // freed blocks kept to explain faults

std::mutex mu;
std::map<uintptr_t, Allocation> live;  // device blocks, by address
std::map<uintptr_t, Allocation> hosts; // pinned host blocks, by address
std::deque<Allocation> freed;

size_t page_size() {
	static const size_t p = (size_t)sysconf(_SC_PAGESIZE);
	return p;
}

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

// containing returns the block of m that holds [p, p+n), or nullptr.
const Allocation* containing(const std::map<uintptr_t, Allocation>& m, uintptr_t p, size_t n) {
	auto it = m.upper_bound(p);
	if (it == m.begin()) return nullptr;
	--it;
	const Allocation& a = it->second;
	return p >= a.ptr && p + n <= a.ptr + a.bytes && p + n >= p ? &a : nullptr;
}

void fill_nan(void* p, size_t bytes) {
	// A float32 quiet NaN in every 4 bytes: float32 reads see NaN, int32
	// reads a large number, float64 reads a NaN too.
	uint32_t nan = 0x7fc00000u;
	auto* w = (uint32_t*)p;
	for (size_t i = 0; i < bytes / 4; i++) w[i] = nan;
}

} // namespace

CUresult alloc_device(int device, size_t bytes, uintptr_t* out) {
	if (bytes == 0) return CUDA_ERROR_INVALID_VALUE;
	Counters& c = counters(device);
	size_t charged = round_up(bytes, 512);
	for (uint64_t used = c.mem_in_use.load();;) {
		if (used + charged > config().memory_bytes) return CUDA_ERROR_OUT_OF_MEMORY;
		if (c.mem_in_use.compare_exchange_weak(used, used + charged)) break;
	}
	size_t page = page_size(), body = round_up(round_up(bytes, kAlign), page);
	size_t total = body + 2 * page;
	void* m = mmap(nullptr, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED || mprotect((char*)m + page, body, PROT_READ | PROT_WRITE)) {
		if (m != MAP_FAILED) munmap(m, total);
		c.mem_in_use -= charged;
		return CUDA_ERROR_OUT_OF_MEMORY;
	}
	Allocation a;
	a.device = device;
	a.bytes = bytes;
	a.mapping = m;
	a.mapping_bytes = total;
	a.ptr = (uintptr_t)m + page + body - round_up(bytes, kAlign);
	if (!config().skip_kernels) fill_nan((void*)a.ptr, round_up(bytes, kAlign));
	for (uint64_t peak = c.mem_peak.load(), now = c.mem_in_use.load();
	     now > peak && !c.mem_peak.compare_exchange_weak(peak, now);) {
	}
	c.allocs++;
	std::lock_guard<std::mutex> l(mu);
	live[a.ptr] = a;
	*out = a.ptr;
	return CUDA_SUCCESS;
}

CUresult free_device(uintptr_t p, int* device) {
	Allocation a;
	{
		std::lock_guard<std::mutex> l(mu);
		auto it = live.find(p);
		if (it == live.end()) return CUDA_ERROR_INVALID_VALUE;
		a = it->second;
		live.erase(it);
		a.freed = true;
		// Give the pages back and fault on any later use.
		madvise(a.mapping, a.mapping_bytes, MADV_DONTNEED);
		mprotect(a.mapping, a.mapping_bytes, PROT_NONE);
		freed.push_back(a);
		if (freed.size() > kQuarantine) {
			munmap(freed.front().mapping, freed.front().mapping_bytes);
			freed.pop_front();
		}
	}
	Counters& c = counters(a.device);
	c.mem_in_use -= round_up(a.bytes, 512);
	c.frees++;
	*device = a.device;
	return CUDA_SUCCESS;
}

size_t free_all(int device) {
	std::vector<uintptr_t> blocks;
	size_t bytes = 0;
	{
		std::lock_guard<std::mutex> l(mu);
		for (auto& [p, a] : live) {
			if (a.device != device) continue;
			blocks.push_back(p);
			bytes += a.bytes;
		}
	}
	for (uintptr_t p : blocks) {
		int d;
		free_device(p, &d);
	}
	return bytes;
}

int device_of(uintptr_t p, size_t n) {
	std::lock_guard<std::mutex> l(mu);
	const Allocation* a = containing(live, p, n);
	return a ? a->device : -1;
}

CUresult alloc_pinned(size_t bytes, void** out) {
	void* p = nullptr;
	if (posix_memalign(&p, page_size(), std::max<size_t>(bytes, 1))) return CUDA_ERROR_OUT_OF_MEMORY;
	Allocation a;
	a.ptr = (uintptr_t)p;
	a.bytes = std::max<size_t>(bytes, 1);
	std::lock_guard<std::mutex> l(mu);
	hosts[a.ptr] = a;
	*out = p;
	return CUDA_SUCCESS;
}

CUresult free_pinned(void* p) {
	{
		std::lock_guard<std::mutex> l(mu);
		if (!hosts.erase((uintptr_t)p)) return CUDA_ERROR_INVALID_VALUE;
	}
	free(p);
	return CUDA_SUCCESS;
}

bool is_pinned(const void* p, size_t n) {
	std::lock_guard<std::mutex> l(mu);
	return containing(hosts, (uintptr_t)p, n) != nullptr;
}

std::string describe_address(uintptr_t p) {
	char s[256];
	std::lock_guard<std::mutex> l(mu);
	auto describe = [&](const Allocation& a, const char* what) {
		if (p >= a.ptr && p < a.ptr + a.bytes)
			snprintf(s, sizeof s, "byte %" PRIuPTR " of a %s %zu-byte block of device %d", p - a.ptr, what, a.bytes,
			         a.device);
		else if (p >= a.ptr)
			snprintf(s, sizeof s, "%" PRIuPTR " bytes past the end of a %s %zu-byte block of device %d",
			         p - (a.ptr + a.bytes), what, a.bytes, a.device);
		else
			snprintf(s, sizeof s, "%" PRIuPTR " bytes before the start of a %s %zu-byte block of device %d",
			         a.ptr - p, what, a.bytes, a.device);
		return std::string(s);
	};
	auto near = [&](const Allocation& a) {
		return p >= (uintptr_t)a.mapping && p < (uintptr_t)a.mapping + a.mapping_bytes;
	};
	auto it = live.upper_bound(p);
	if (it != live.end() && near(it->second)) return describe(it->second, "live");
	if (it != live.begin() && near(std::prev(it)->second)) return describe(std::prev(it)->second, "live");
	for (auto f = freed.rbegin(); f != freed.rend(); ++f)
		if (near(*f)) return describe(*f, "freed");
	return "not device memory";
}

} // namespace standin
