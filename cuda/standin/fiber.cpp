// fiber.cpp: fiber stacks and context switches. On x86-64 a switch is a
// dozen instructions: the callee-saved registers. The floating-point
// control state (MXCSR, the x87 control word) is not switched: no kernel
// changes rounding modes, a fiber starts with its thread's, and restoring
// MXCSR costs as much as the rest of the switch. Elsewhere it falls back
// to ucontext, which also saves the signal mask with a system call and is
// much slower.
#include "fiber.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace standin {

FiberStack new_fiber_stack(size_t size) {
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size = (size + page - 1) / page * page;
	FiberStack s;
	s.bytes = size + page;
	void* p = mmap(nullptr, s.bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		perror("gocnn stand-in: fiber stack");
		abort();
	}
	mprotect(p, page, PROT_NONE);
	s.base = (char*)p;
	return s;
}

bool in_guard_page(const FiberStack& s, const void* addr) {
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	return (const char*)addr >= s.base && (const char*)addr < s.base + page;
}

} // namespace standin

#if defined(__x86_64__)

// standin_switch(save, load): push the callee-saved state, store the stack
// pointer in *save, continue on the stack load with the state found there.
asm(R"(
	.text
	.globl standin_switch
	.hidden standin_switch
	.type standin_switch, @function
standin_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size standin_switch, .-standin_switch
)");
extern "C" void standin_switch(void** save, void* load);

namespace standin {

struct FiberContext {
	void* sp = nullptr;
};

FiberContext* new_fiber_context() { return new FiberContext; }

void prepare(FiberContext* ctx, const FiberStack& s, void (*entry)()) {
	// The frame standin_switch pops: six registers, then the return
	// address, which must sit 16-byte aligned so that entry starts as if
	// called.
	uintptr_t top = (uintptr_t)s.top() & ~(uintptr_t)15;
	uint64_t* frame = (uint64_t*)(top - 16 - 6 * 8);
	for (int i = 0; i < 6; i++) frame[i] = 0;
	frame[6] = (uint64_t)entry;
	ctx->sp = frame;
}

void switch_to(FiberContext* from, FiberContext* to) { standin_switch(&from->sp, to->sp); }

} // namespace standin

#else

#include <ucontext.h>

namespace standin {

struct FiberContext {
	ucontext_t uc;
};

FiberContext* new_fiber_context() { return new FiberContext; }

void prepare(FiberContext* ctx, const FiberStack& s, void (*entry)()) {
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	getcontext(&ctx->uc);
	ctx->uc.uc_stack.ss_sp = s.base + page;
	ctx->uc.uc_stack.ss_size = s.bytes - page;
	ctx->uc.uc_link = nullptr;
	makecontext(&ctx->uc, entry, 0);
}

void switch_to(FiberContext* from, FiberContext* to) { swapcontext(&from->uc, &to->uc); }

} // namespace standin

#endif
