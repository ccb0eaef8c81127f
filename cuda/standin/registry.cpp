// registry.cpp: the table of compiled kernels (registry.h).
#include <cstdio>
#include <cstdlib>
#include <map>

#include "registry.h"

namespace standin {

namespace {
std::map<std::string, Kernel>& table() {
	static std::map<std::string, Kernel> t;
	return t;
}
} // namespace

bool register_family(std::initializer_list<Kernel> kernels) {
	for (const Kernel& k : kernels) {
		auto [it, added] = table().emplace(k.name, k);
		if (!added) {
			// Kernels are extern "C": the linker would already have refused
			// two of one name, so this is a build script mistake.
			fprintf(stderr, "gocnn stand-in: kernel %s registered by %s and %s\n", k.name.c_str(),
			        it->second.family.c_str(), k.family.c_str());
			abort();
		}
	}
	return true;
}

const Kernel* find_kernel(const std::string& name) {
	auto it = table().find(name);
	return it == table().end() ? nullptr : &it->second;
}

} // namespace standin
