// fiber.h: minimal stackful coroutines for the block runner. A switch
// saves the callee-saved registers on the current stack and resumes the
// other; only the block runner and the fibers it starts use them, and a
// fiber never leaves the OS thread it started on.
#pragma once

#include <cstddef>

namespace standin {

// FiberStack is a fiber's stack: size bytes below top, with a guard page
// under it so that an overflow faults.
struct FiberStack {
	char* base = nullptr; // the mapping, guard page first
	size_t bytes = 0;     // of the mapping
	char* top() const { return base + bytes; }
};
FiberStack new_fiber_stack(size_t size);
bool in_guard_page(const FiberStack& s, const void* addr);

// Context is a suspended execution: a saved stack pointer (x86-64) or a
// ucontext (elsewhere).
struct FiberContext;
FiberContext* new_fiber_context();

// prepare makes ctx start entry() on stack s when switched to; entry must
// never return (it switches away at its end).
void prepare(FiberContext* ctx, const FiberStack& s, void (*entry)());
// switch_to saves the running execution in from and resumes to.
void switch_to(FiberContext* from, FiberContext* to);

} // namespace standin
