// registry.h: the table of compiled kernels that cuModuleGetFunction looks
// names up in. Each kernel family's generated translation unit (see
// gen-family.sh) registers its kernels with their C++ parameter lists, so
// that a launch reads every parameter with the size the kernel declares,
// as the driver reads the PTX's parameter slots.
#pragma once

#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace standin {

// Kernel is one compiled kernel: its name, the sizes of its parameters in
// order, and a thunk that calls it with parameters packed at the offsets
// param_offsets gives.
struct Kernel {
	std::string family, name;
	std::vector<size_t> param_sizes, param_offsets;
	size_t args_bytes = 0;
	void (*call)(const unsigned char* args) = nullptr;
};

template <class T>
T load_param(const unsigned char* p) {
	T v;
	std::memcpy(&v, p, sizeof v);
	return v;
}

// packed_offsets lays parameters out 8-byte aligned, each in its own slot.
inline std::vector<size_t> packed_offsets(const std::vector<size_t>& sizes, size_t* total) {
	std::vector<size_t> offsets;
	size_t at = 0;
	for (size_t s : sizes) {
		offsets.push_back(at);
		at += (s + 7) / 8 * 8;
	}
	*total = at;
	return offsets;
}

template <auto F>
struct Thunk;

template <class... A, void (*F)(A...)>
struct Thunk<F> {
	static std::vector<size_t> sizes() { return {sizeof(A)...}; }
	static void call(const unsigned char* args) { call_with(args, std::index_sequence_for<A...>{}); }
	template <size_t... I>
	static void call_with(const unsigned char* args, std::index_sequence<I...>) {
		static const std::vector<size_t> offsets = [] {
			size_t total;
			return packed_offsets(sizes(), &total);
		}();
		F(load_param<A>(args + offsets[I])...);
	}
};

template <auto F>
Kernel make_kernel(const char* family, const char* name) {
	Kernel k;
	k.family = family;
	k.name = name;
	k.param_sizes = Thunk<F>::sizes();
	k.param_offsets = packed_offsets(k.param_sizes, &k.args_bytes);
	k.call = Thunk<F>::call;
	return k;
}

// register_family adds a family's kernels to the table (at load time, from
// a static initialiser).
bool register_family(std::initializer_list<Kernel> kernels);

// find_kernel returns the compiled kernel of that name, or nullptr.
const Kernel* find_kernel(const std::string& name);

} // namespace standin
