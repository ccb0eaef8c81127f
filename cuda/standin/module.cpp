// module.cpp: modules, functions and launches. A module's image is the PTX
// the program embeds; the stand-in does not execute PTX but reads it for
// what the driver would enforce (each entry's parameter sizes, launch
// bounds and static shared memory) and binds every entry to the kernel
// compiled from the same .cu source. An entry whose compiled kernel is
// missing or takes other parameters fails the load, so a stale stand-in
// or stale PTX is caught before anything runs.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <sstream>

#include "standin.h"

using namespace standin;

namespace {

size_t type_size(const std::string& t) {
	// .u64 .s32 .f32 .b8 .pred ...
	if (t.size() < 3 || t[0] != '.') return 0;
	const char* digits = t.c_str() + 2;
	int bits = atoi(digits);
	return bits >= 8 ? bits / 8 : 0;
}

// Decl is a PTX variable declaration: ".param .align 8 .b8 name[24]",
// ".param .u64 name", ".shared .align 16 .b8 name[4224];".
struct Decl {
	std::string name;
	size_t bytes = 0;
};

// parse_decl reads the declaration that text starts with.
bool parse_decl(const std::string& text, Decl* d) {
	std::istringstream in(text);
	std::string tok, type;
	while (in >> tok) {
		if (tok == ".param" || tok == ".shared" || tok == ".ptr" || tok == ".global" || tok == ".const" ||
		    tok == ".local")
			continue;
		if (tok == ".align") {
			in >> tok;
			continue;
		}
		if (type.empty()) {
			type = tok;
			continue;
		}
		size_t lb = tok.find('['), n = 1;
		if (lb != std::string::npos) n = strtoull(tok.c_str() + lb + 1, nullptr, 10);
		d->name = tok.substr(0, std::min(lb, tok.find_first_of(",;")));
		d->bytes = n * type_size(type);
		return true;
	}
	return false;
}

// shared_decl reads a line that declares a .shared variable.
bool shared_decl(const std::string& line, Decl* d) {
	size_t at = line.find(".shared");
	bool declares = at != std::string::npos && line.find("ld.shared") == std::string::npos &&
	                line.find("st.shared") == std::string::npos && line.find(".extern") == std::string::npos;
	return declares && parse_decl(line.substr(at), d);
}

// parse_ptx reads the entries of a PTX module.
bool parse_ptx(const char* text, std::map<std::string, Entry>* entries, std::string* err) {
	std::istringstream in(text);
	std::string line;
	std::map<std::string, size_t> module_shared;
	std::vector<std::pair<Entry, std::string>> found; // entry, body
	int depth = 0;
	while (std::getline(in, line)) {
		size_t e = line.find(".entry ");
		if (depth == 0 && e != std::string::npos) {
			Entry en;
			size_t open = line.find('(', e);
			en.name = line.substr(e + 7, open == std::string::npos ? std::string::npos : open - e - 7);
			while (!en.name.empty() && isspace((unsigned char)en.name.back())) en.name.pop_back();
			// parameters, up to ")"
			bool closed = line.find(')') != std::string::npos;
			while (!closed && std::getline(in, line)) {
				Decl p;
				if (line.find(".param") != std::string::npos && parse_decl(line, &p)) en.param_sizes.push_back(p.bytes);
				closed = line.find(')') != std::string::npos;
			}
			// directives, up to "{"
			while (std::getline(in, line) && line.find('{') == std::string::npos) {
				size_t m = line.find(".maxntid");
				if (m != std::string::npos) {
					unsigned x = 1, y = 1, z = 1;
					sscanf(line.c_str() + m + 8, " %u , %u , %u", &x, &y, &z);
					en.max_threads = x * y * z;
				}
			}
			std::string body;
			depth = 1;
			while (depth > 0 && std::getline(in, line)) {
				for (char c : line) depth += c == '{' ? 1 : c == '}' ? -1 : 0;
				Decl s;
				if (shared_decl(line, &s)) en.static_shared += s.bytes;
				body += line;
				body += '\n';
			}
			found.emplace_back(en, body);
			continue;
		}
		Decl s;
		if (depth == 0 && shared_decl(line, &s)) module_shared[s.name] = s.bytes;
	}
	if (found.empty()) {
		*err = "no .entry in the module image";
		return false;
	}
	for (auto& f : found) {
		// Shared variables declared at module scope count for the entries
		// that name them.
		for (auto& m : module_shared)
			if (f.second.find(m.first) != std::string::npos) f.first.static_shared += m.second;
		(*entries)[f.first.name] = f.first;
	}
	return true;
}

std::string sizes(const std::vector<size_t>& v) {
	std::string s = "(";
	for (size_t i = 0; i < v.size(); i++) s += (i ? ", " : "") + std::to_string(v[i]);
	return s + ")";
}


std::atomic<uint64_t> launch_serial{0};

} // namespace

extern "C" {

CUresult cuModuleLoadData(CUmodule* out, const void* image) {
	CUresult r;
	Context* c = usable_context(&r);
	if (!c) return r;
	if (!out || !image) return CUDA_ERROR_INVALID_VALUE;
	const char* text = (const char*)image;
	if (!memcmp(text, "\x7f" "ELF", 4) || *(const uint32_t*)text == 0xba55ed50u || *(const uint32_t*)text == 0x466243b1u) {
		log("cuModuleLoadData: only PTX modules can run on the stand-in (got a cubin or fatbin)");
		return CUDA_ERROR_NOT_SUPPORTED;
	}
	auto* m = new Module{c, {}};
	std::string err;
	if (!parse_ptx(text, &m->entries, &err)) {
		log("cuModuleLoadData: %s", err.c_str());
		delete m;
		return CUDA_ERROR_INVALID_PTX;
	}
	for (auto& e : m->entries) {
		const Kernel* k = find_kernel(e.first);
		if (!k) {
			log("cuModuleLoadData: PTX entry %s has no compiled kernel: rebuild the stand-in (make standin)",
			    e.first.c_str());
			delete m;
			return CUDA_ERROR_INVALID_PTX;
		}
		if (k->param_sizes != e.second.param_sizes) {
			log("cuModuleLoadData: PTX entry %s takes parameters of %s bytes, its compiled kernel %s: the PTX and "
			    "kernels/%s.cu disagree (go generate ./kernels, then make standin)",
			    e.first.c_str(), sizes(e.second.param_sizes).c_str(), sizes(k->param_sizes).c_str(),
			    k->family.c_str());
			delete m;
			return CUDA_ERROR_INVALID_PTX;
		}
	}
	*out = (CUmodule)m;
	return CUDA_SUCCESS;
}

CUresult cuModuleLoadDataEx(CUmodule* out, const void* image, unsigned n, CUjit_option* opts, void** vals) {
	(void)n, (void)opts, (void)vals; // JIT options mean nothing without a JIT
	return cuModuleLoadData(out, image);
}

CUresult cuModuleUnload(CUmodule h) {
	if (!initialized()) return CUDA_ERROR_NOT_INITIALIZED;
	if (!h) return CUDA_ERROR_INVALID_HANDLE;
	// Functions of the module may still be queued: keep the module.
	return CUDA_SUCCESS;
}

CUresult cuModuleGetFunction(CUfunction* out, CUmodule h, const char* name) {
	if (!initialized()) return CUDA_ERROR_NOT_INITIALIZED;
	auto* m = (Module*)h;
	if (!out || !name) return CUDA_ERROR_INVALID_VALUE;
	if (!m) return CUDA_ERROR_INVALID_HANDLE;
	auto it = m->entries.find(name);
	if (it == m->entries.end()) return CUDA_ERROR_NOT_FOUND;
	auto* f = new Function{m, &it->second, find_kernel(name)};
	// As on a GPU, static and dynamic shared memory share the 48 KiB a
	// block gets without opting in.
	f->max_dynamic_shared = (int)(kSharedPerBlock - std::min(kSharedPerBlock, it->second.static_shared));
	*out = (CUfunction)f;
	return CUDA_SUCCESS;
}

CUresult cuFuncGetAttribute(int* v, CUfunction_attribute a, CUfunction h) {
	auto* f = (Function*)h;
	if (!v) return CUDA_ERROR_INVALID_VALUE;
	if (!f) return CUDA_ERROR_INVALID_HANDLE;
	switch (a) {
	case CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK:
		*v = f->entry->max_threads ? (int)f->entry->max_threads : kMaxThreadsPerBlock;
		return CUDA_SUCCESS;
	case CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES: *v = (int)f->entry->static_shared; return CUDA_SUCCESS;
	case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES: *v = f->max_dynamic_shared; return CUDA_SUCCESS;
	case CU_FUNC_ATTRIBUTE_PTX_VERSION:
	case CU_FUNC_ATTRIBUTE_BINARY_VERSION: *v = 90; return CUDA_SUCCESS;
	default: *v = 0; return CUDA_SUCCESS;
	}
}

CUresult cuFuncSetAttribute(CUfunction h, CUfunction_attribute a, int v) {
	auto* f = (Function*)h;
	if (!f) return CUDA_ERROR_INVALID_HANDLE;
	if (a != CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES) return CUDA_SUCCESS; // hints
	if (v < 0 || f->entry->static_shared + (size_t)v > kSharedPerBlockOptin) return CUDA_ERROR_INVALID_VALUE;
	f->max_dynamic_shared = v;
	return CUDA_SUCCESS;
}

CUresult cuLaunchKernel(CUfunction h, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned shared, CUstream hs, void** params, void** extra) {
	CUresult r;
	Context* c = usable_context(&r);
	if (!c) return r;
	auto* f = (Function*)h;
	if (!f) return CUDA_ERROR_INVALID_HANDLE;
	if (f->module->ctx != c) return CUDA_ERROR_INVALID_HANDLE; // a function of another context
	Stream* s = resolve_stream(hs);
	if (!s) return CUDA_ERROR_INVALID_HANDLE;
	if (s->ctx != c) return CUDA_ERROR_INVALID_HANDLE;
	if (extra) {
		log("cuLaunchKernel: the extra argument form is not supported; pass kernelParams");
		return CUDA_ERROR_NOT_SUPPORTED;
	}
	const Entry& e = *f->entry;
	uint64_t threads = (uint64_t)bx * by * bz;
	if (!gx || !gy || !gz || !bx || !by || !bz || bx > 1024 || by > 1024 || bz > 64 || threads > kMaxThreadsPerBlock ||
	    gy > 65535 || gz > 65535 || gx > 2147483647u)
		return CUDA_ERROR_INVALID_VALUE;
	if (e.max_threads && threads > e.max_threads) return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
	if (shared > (unsigned)f->max_dynamic_shared || e.static_shared + shared > kSharedPerBlockOptin)
		return CUDA_ERROR_INVALID_VALUE;
	const Kernel* k = f->kernel;
	if (!k->param_sizes.empty() && !params) return CUDA_ERROR_INVALID_VALUE;
	auto g = std::make_shared<Grid>();
	g->kernel = k;
	g->grid = uint3{gx, gy, gz};
	g->block = uint3{bx, by, bz};
	g->serial = launch_serial++;
	g->args.resize(k->args_bytes);
	for (size_t i = 0; i < k->param_sizes.size(); i++)
		memcpy(g->args.data() + k->param_offsets[i], params[i], k->param_sizes[i]);
	counters(c->device).launches++;
	if (config().skip_kernels) return CUDA_SUCCESS;
	enqueue(s, [g, c] {
		std::string message;
		auto start = std::chrono::steady_clock::now();
		CUresult r = run_grid(*g, &message);
		counters(c->device).busy_ns +=
		    std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
		if (r != CUDA_SUCCESS) fail(c, r, message);
	});
	return CUDA_SUCCESS;
}

} // extern "C"
