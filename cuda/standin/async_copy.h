// async_copy.h: the cp.async copies an emulated CUDA thread has in flight
// (kernels/cp_async.cuh's cp_async16, cp_async_commit, cp_async_wait).
// Each emulated thread owns one queue (block.cpp keeps it with the
// thread's fiber and empties it when a block starts), and the copies land
// in the latest order a GPU allows: at the wait that must see them, not
// before. Until then their destination holds a poison pattern, so that a
// read of a stage before its copies officially land sees NaN.
#pragma once

#include <cstddef>
#include <vector>

namespace standin {

// kAsyncCopyPoison is the byte written over a copy's destination at its
// issue: 0xFFFFFFFF is a NaN as fp32, and 0xFFFF one as bf16.
constexpr unsigned char kAsyncCopyPoison = 0xFF;

// AsyncCopies is one emulated thread's copies issued and not yet landed.
class AsyncCopies {
public:
	// issue records a 16-byte copy to dst: the first bytes (0 to 16) read
	// from src now, the rest zeros; it poisons dst until the copy lands.
	void issue(void* dst, const void* src, int bytes);
	// commit closes the copies issued since the last commit into a group
	// (possibly empty).
	void commit() { groups_.push_back(pending_.size()); }
	// wait lands, in issue order, every committed group but the newest n.
	// Copies not yet committed stay in flight, as cp.async.wait_group
	// leaves them.
	void wait(int n);
	// clear drops every copy in flight: a thread that exits without
	// waiting never reads them, and its block's shared memory is gone.
	void clear() {
		pending_.clear();
		groups_.clear();
	}

private:
	struct Copy {
		void* dst;
		alignas(16) unsigned char data[16];
	};
	std::vector<Copy> pending_;  // in issue order
	std::vector<size_t> groups_; // where each committed group ends in pending_, oldest first
};

} // namespace standin
