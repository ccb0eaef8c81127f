// errors.cpp: the driver's error names and descriptions, for the codes the
// stand-in returns (and cuda.h's other common ones).
#include <cuda.h>

namespace {

struct ErrorText {
	CUresult code;
	const char* name;
	const char* text;
};

#define E(code, text) {code, #code, text}
const ErrorText errors[] = {
    E(CUDA_SUCCESS, "no error"),
    E(CUDA_ERROR_INVALID_VALUE, "invalid argument"),
    E(CUDA_ERROR_OUT_OF_MEMORY, "out of memory"),
    E(CUDA_ERROR_NOT_INITIALIZED, "initialization error"),
    E(CUDA_ERROR_DEINITIALIZED, "driver shutting down"),
    E(CUDA_ERROR_NO_DEVICE, "no CUDA-capable device is detected"),
    E(CUDA_ERROR_INVALID_DEVICE, "invalid device ordinal"),
    E(CUDA_ERROR_INVALID_IMAGE, "device kernel image is invalid"),
    E(CUDA_ERROR_INVALID_CONTEXT, "invalid device context"),
    E(CUDA_ERROR_INVALID_PTX, "a PTX JIT compilation failed"),
    E(CUDA_ERROR_INVALID_HANDLE, "invalid resource handle"),
    E(CUDA_ERROR_NOT_FOUND, "named symbol not found"),
    E(CUDA_ERROR_NOT_READY, "device not ready"),
    E(CUDA_ERROR_ILLEGAL_ADDRESS, "an illegal memory access was encountered"),
    E(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "too many resources requested for launch"),
    E(CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED, "peer access is already enabled"),
    E(CUDA_ERROR_PEER_ACCESS_NOT_ENABLED, "peer access has not been enabled"),
    E(CUDA_ERROR_CONTEXT_IS_DESTROYED, "context is destroyed"),
    E(CUDA_ERROR_MISALIGNED_ADDRESS, "misaligned address"),
    E(CUDA_ERROR_LAUNCH_FAILED, "unspecified launch failure"),
    E(CUDA_ERROR_NOT_PERMITTED, "operation not permitted"),
    E(CUDA_ERROR_NOT_SUPPORTED, "operation not supported"),
    E(CUDA_ERROR_UNKNOWN, "unknown error"),
};
#undef E

const ErrorText* find(CUresult r) {
	for (const ErrorText& e : errors)
		if (e.code == r) return &e;
	return nullptr;
}

} // namespace

extern "C" CUresult cuGetErrorName(CUresult r, const char** s) {
	const ErrorText* e = find(r);
	if (!s || !e) return CUDA_ERROR_INVALID_VALUE;
	*s = e->name;
	return CUDA_SUCCESS;
}

extern "C" CUresult cuGetErrorString(CUresult r, const char** s) {
	const ErrorText* e = find(r);
	if (!s || !e) return CUDA_ERROR_INVALID_VALUE;
	*s = e->text;
	return CUDA_SUCCESS;
}
