// check.h: what the stand-in's self-tests share: fail at the first wrong
// result with the line and a message, and run driver calls that must
// return a given result.
#pragma once

#include <cuda.h>

#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <unistd.h>

// check_program names the test in its failure messages.
extern const char* check_program;

[[noreturn]] inline void die(int line, const char* fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: FAIL (line %d): ", check_program, line);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	fflush(stdout);
	fflush(stderr);
	_exit(1); // from any thread, without running destructors under the driver's threads
}

#define CHECK(cond, ...)                         \
	do {                                         \
		if (!(cond)) die(__LINE__, __VA_ARGS__); \
	} while (0)

inline std::string error_name(CUresult r) {
	const char* s;
	if (cuGetErrorName(r, &s) == CUDA_SUCCESS) return s;
	return "CUresult " + std::to_string((int)r);
}

// EXPECT runs a driver call that must return want, exactly.
#define EXPECT(call, want)                                                                                  \
	do {                                                                                                    \
		CUresult r_ = (call), w_ = (want);                                                                  \
		CHECK(r_ == w_, "%s returned %s, want %s", #call, error_name(r_).c_str(), error_name(w_).c_str()); \
	} while (0)
#define CU(call) EXPECT(call, CUDA_SUCCESS)

inline double now() {
	return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
