// counters.cpp keeps what the stand-in measures, per device, and exports
// it (gocnn_standin.h).
#include <cstdio>
#include <vector>

#include "standin.h"

namespace standin {

namespace {
std::vector<Counters>& all() {
	static std::vector<Counters> c(config().devices);
	return c;
}

void read(const Counters& c, gocnn_standin_counters* out) {
	out->launches += c.launches;
	out->syncs += c.syncs;
	out->htod_bytes += c.htod_bytes;
	out->dtoh_bytes += c.dtoh_bytes;
	out->dtod_bytes += c.dtod_bytes;
	out->peer_bytes += c.peer_bytes;
	out->allocs += c.allocs;
	out->frees += c.frees;
	out->mem_in_use += c.mem_in_use;
	out->mem_peak += c.mem_peak;
	out->busy_ns += c.busy_ns;
}

std::string mib(uint64_t b) {
	char s[64];
	snprintf(s, sizeof s, "%.1f MiB", b / 1048576.0);
	return s;
}
} // namespace

Counters& counters(int device) { return all().at(device); }

void print_counters() {
	for (int d = 0; d < config().devices; d++) {
		gocnn_standin_counters c{};
		read(counters(d), &c);
		log("device %d: %llu launches, %llu host syncs, copied %s to device, %s to host, %s on device, %s to peers; "
		    "%llu allocations, %llu frees, %s in use, peak %s",
		    d, (unsigned long long)c.launches, (unsigned long long)c.syncs, mib(c.htod_bytes).c_str(),
		    mib(c.dtoh_bytes).c_str(), mib(c.dtod_bytes).c_str(), mib(c.peer_bytes).c_str(),
		    (unsigned long long)c.allocs, (unsigned long long)c.frees, mib(c.mem_in_use).c_str(),
		    mib(c.mem_peak).c_str());
	}
}

} // namespace standin

using namespace standin;

extern "C" int gocnn_standin_read(int device, gocnn_standin_counters* c) {
	if (device < -1 || device >= config().devices) return -1;
	*c = gocnn_standin_counters{};
	for (int d = 0; d < config().devices; d++)
		if (device == -1 || device == d) read(counters(d), c);
	return 0;
}

extern "C" void gocnn_standin_reset(void) {
	for (auto& c : all()) {
		c.launches = c.syncs = c.htod_bytes = c.dtoh_bytes = c.dtod_bytes = c.peer_bytes = 0;
		c.allocs = c.frees = c.busy_ns = 0;
		c.mem_peak = c.mem_in_use.load();
	}
}
