// config.cpp reads the stand-in's settings from the environment, once.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "standin.h"

namespace standin {

namespace {

const char* env(const char* name) {
	const char* v = getenv(name);
	return v && *v ? v : nullptr;
}

[[noreturn]] void bad(const char* name, const char* value, const char* want) {
	log("%s=%s: want %s", name, value, want);
	exit(2);
}

long positive(const char* name, long def, long most) {
	const char* v = env(name);
	if (!v) return def;
	char* end;
	long n = strtol(v, &end, 10);
	if (*end || n < 1 || n > most) bad(name, v, "a whole number from 1 up");
	return n;
}

// bytes parses "80GiB", "512MiB", "1e9" or a plain count.
uint64_t bytes(const char* name, uint64_t def) {
	const char* v = env(name);
	if (!v) return def;
	char* end;
	double n = strtod(v, &end);
	std::string unit(end);
	double scale = unit.empty() || unit == "B" ? 1
	               : unit == "KiB"             ? 1024.0
	               : unit == "MiB"             ? 1024.0 * 1024
	               : unit == "GiB"             ? 1024.0 * 1024 * 1024
	                                           : -1;
	if (scale < 0 || !(n * scale >= 1)) bad(name, v, "a size such as 80GiB, 512MiB or 1000000");
	return (uint64_t)(n * scale);
}

Config read() {
	Config c;
	c.devices = (int)positive("GOCNN_SIM_DEVICES", 1, 16);
	// An H100 80GB HBM3 reports 81,559 MiB.
	c.memory_bytes = bytes("GOCNN_SIM_MEMORY", 81559ull << 20);
	c.threads = (int)positive("GOCNN_SIM_THREADS", std::max(1u, std::thread::hardware_concurrency()), 1024);
	if (const char* v = env("GOCNN_SIM_SKIP_KERNELS")) {
		if (strcmp(v, "0") && strcmp(v, "1")) bad("GOCNN_SIM_SKIP_KERNELS", v, "0 or 1");
		c.skip_kernels = !strcmp(v, "1");
	}
	if (const char* v = env("GOCNN_SIM_ORDER")) {
		if (!strcmp(v, "forward")) c.order = Order::Forward;
		else if (!strcmp(v, "reverse")) c.order = Order::Reverse;
		else if (!strcmp(v, "shuffle")) c.order = Order::Shuffle;
		else bad("GOCNN_SIM_ORDER", v, "forward, reverse or shuffle");
	}
	c.seed = (uint64_t)positive("GOCNN_SIM_SEED", 1, 1L << 62);
	if (const char* v = env("GOCNN_SIM_STATS")) c.print_stats = strcmp(v, "0") != 0;
	return c;
}

} // namespace

const Config& config() {
	static const Config c = read();
	return c;
}

void log(const char* fmt, ...) {
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(stderr, "gocnn stand-in: %s\n", line);
}

} // namespace standin
