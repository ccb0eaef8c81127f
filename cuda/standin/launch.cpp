// launch.cpp spreads a grid's blocks over the worker threads. The stream
// thread that executes the launch runs blocks too, so GOCNN_SIM_THREADS
// threads in all work on one launch; launches from several streams share
// the workers.
#include <algorithm>

#include "standin.h"

namespace standin {

namespace {

// Job is one grid in execution.
struct Job {
	const Grid* g;
	uint64_t blocks;
	std::atomic<uint64_t> next{0};
	std::atomic<bool> failed{false};
	std::mutex mu;
	std::condition_variable cv;
	uint64_t finished = 0; // blocks done
	int helpers = 0;       // workers that hold the job; it lives until they let go
	BlockFailure first;
};

class Pool {
public:
	explicit Pool(int workers) {
		for (int i = 0; i < workers; i++) std::thread([this] { serve(); }).detach();
	}

	void run(Job* job) {
		{
			std::lock_guard<std::mutex> l(mu_);
			jobs_.push_back(job);
		}
		cv_.notify_all();
		work(job);
		std::unique_lock<std::mutex> l(job->mu);
		job->cv.wait(l, [job] { return job->finished == job->blocks && job->helpers == 0; });
	}

private:
	void serve() {
		for (;;) {
			Job* job;
			{
				std::unique_lock<std::mutex> l(mu_);
				cv_.wait(l, [this] { return !jobs_.empty(); });
				job = jobs_.front();
				// Whoever takes the last block retires the job, so a
				// finished job never stays at the front.
				if (job->next.load() >= job->blocks) {
					jobs_.pop_front();
					continue;
				}
				std::lock_guard<std::mutex> jl(job->mu);
				job->helpers++;
			}
			work(job);
			std::lock_guard<std::mutex> jl(job->mu);
			if (--job->helpers == 0) job->cv.notify_all();
		}
	}

	// work runs blocks of job until none is left to start.
	void work(Job* job) {
		const Grid& g = *job->g;
		uint64_t done = 0;
		BlockFailure first;
		for (;;) {
			uint64_t i = job->next.fetch_add(1);
			if (i >= job->blocks) break;
			if (!job->failed.load()) {
				uint3 b{(unsigned)(i % g.grid.x), (unsigned)(i / g.grid.x % g.grid.y),
				        (unsigned)(i / ((uint64_t)g.grid.x * g.grid.y))};
				BlockFailure f = run_block(g, b);
				if (f.code != CUDA_SUCCESS && first.code == CUDA_SUCCESS) {
					first = f;
					job->failed = true;
				}
			}
			done++;
		}
		if (!done) return;
		{
			std::lock_guard<std::mutex> l(mu_);
			auto it = std::find(jobs_.begin(), jobs_.end(), job);
			if (it != jobs_.end()) jobs_.erase(it);
		}
		std::lock_guard<std::mutex> l(job->mu);
		if (first.code != CUDA_SUCCESS && job->first.code == CUDA_SUCCESS) job->first = first;
		job->finished += done;
		job->cv.notify_all();
	}

	std::mutex mu_;
	std::condition_variable cv_;
	std::deque<Job*> jobs_;
};

Pool& pool() {
	static Pool* p = new Pool(config().threads - 1);
	return *p;
}

} // namespace

CUresult run_grid(const Grid& g, std::string* message) {
	Job job;
	job.g = &g;
	job.blocks = (uint64_t)g.grid.x * g.grid.y * g.grid.z;
	pool().run(&job);
	if (job.first.code != CUDA_SUCCESS) *message = job.first.message;
	return job.first.code;
}

} // namespace standin
