// async_copy.cpp: AsyncCopies (async_copy.h).
#include "async_copy.h"

#include <cstring>

namespace standin {

void AsyncCopies::issue(void* dst, const void* src, int bytes) {
	Copy c;
	c.dst = dst;
	memcpy(c.data, src, (size_t)bytes);
	memset(c.data + bytes, 0, (size_t)(16 - bytes));
	pending_.push_back(c);
	memset(dst, kAsyncCopyPoison, 16);
}

void AsyncCopies::wait(int n) {
	if (n < 0 || groups_.size() <= (size_t)n) return;
	size_t land = groups_.size() - (size_t)n, end = groups_[land - 1];
	for (size_t i = 0; i < end; i++) memcpy(pending_[i].dst, pending_[i].data, 16);
	pending_.erase(pending_.begin(), pending_.begin() + (ptrdiff_t)end);
	groups_.erase(groups_.begin(), groups_.begin() + (ptrdiff_t)land);
	for (size_t& g : groups_) g -= end;
}

} // namespace standin
