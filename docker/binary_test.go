package docker

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// buildEnv names the variable that turns on the tests that build cmd/train with build.sh. They
// are off by default: build.sh's flags (-trimpath, CGO_ENABLED=0) share no build cache with the
// rest of go test ./..., so each variant is a cold build of minutes on two cores. `make
// docker-check` runs them, with -count=1 because go test cannot see the sources that build.sh
// compiles and would otherwise replay a cached result.
const buildEnv = "GOCNN_DOCKER_BUILD"

// buildTrain runs build.sh for variant, as the images do, and returns the binary's path.
func buildTrain(t *testing.T, variant string) string {
	t.Helper()
	if os.Getenv(buildEnv) != "1" {
		t.Skipf("builds cmd/train; set %s=1 (make docker-check) to run it", buildEnv)
	}
	out := filepath.Join(t.TempDir(), "train")
	cmd := exec.Command("sh", "build.sh", variant, out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sh build.sh %s: %v\n%s", variant, err, b)
	}
	return out
}

// dynamicDeps returns whether the ELF binary at path asks for a dynamic loader, and the shared
// libraries it needs.
func dynamicDeps(t *testing.T, path string) (interp bool, libs []string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		interp = interp || p.Type == elf.PT_INTERP
	}
	libs, err = f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	return interp, libs
}

// libjpegFound reports whether docker/libjpeg-tags.sh, run with env, finds libjpeg-turbo: whether
// build.sh links it in.
func libjpegFound(t *testing.T, env ...string) bool {
	t.Helper()
	cmd := exec.Command("sh", "libjpeg-tags.sh")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh libjpeg-tags.sh: %v", err)
	}
	return strings.Contains(string(out), "libjpeg")
}

// hasSymbol reports whether the ELF binary at path defines the function name.
func hasSymbol(t *testing.T, path, name string) bool {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(syms, func(s elf.Symbol) bool { return s.Name == name && s.Section != elf.SHN_UNDEF })
}

// TestCPUBinary checks that the CPU image's binary is static, so it runs on distroless/static
// with no libc, that it has libjpeg-turbo linked in where the build machine has its static
// archive, and that it starts and lists its models without any file beside it.
func TestCPUBinary(t *testing.T) {
	bin := buildTrain(t, "cpu")
	if interp, libs := dynamicDeps(t, bin); interp || len(libs) > 0 {
		t.Errorf("train is not static: dynamic loader %v, libraries %q", interp, libs)
	}
	if want := libjpegFound(t, "LIBJPEG_STATIC=1"); hasSymbol(t, bin, "tjInitDecompress") != want {
		t.Errorf("libjpeg-turbo linked in: %v, want %v (libjpeg-tags.sh with LIBJPEG_STATIC=1)", !want, want)
	}
	cmd := exec.Command(bin, "-models")
	cmd.Dir = t.TempDir()
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("train -models: %v", err)
	}
	if !strings.Contains(stdout.String(), "resnet") {
		t.Errorf("train -models lists no resnet:\n%s", stdout.String())
	}
}

// TestCUDABinary checks that the CUDA image's binary builds with build.sh and needs no shared
// library beyond glibc, libturbojpeg.so.0 (which the image installs; where the build machine has
// libjpeg-turbo) and libcuda.so.1, which the NVIDIA container toolkit mounts from the host driver
// (NCCL and NVML are dlopened). It is not run: without a GPU a cuda binary exits at start.
func TestCUDABinary(t *testing.T) {
	cudaHome := os.Getenv("CUDA_HOME")
	if cudaHome == "" {
		cudaHome = "/usr/local/cuda"
	}
	found := false
	for _, h := range []string{filepath.Join(cudaHome, "include/cuda.h"), "/usr/include/cuda.h"} {
		if _, err := os.Stat(h); err == nil {
			found = true
		}
	}
	if !found {
		t.Skip("no cuda.h: install a CUDA toolkit (scripts/install-cuda-toolkit.sh) to build the cuda variant")
	}
	bin := buildTrain(t, "cuda")
	allowed := []string{"libcuda.so.1", "libturbojpeg.so.0", "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libresolv.so.2"}
	interp, libs := dynamicDeps(t, bin)
	if want := libjpegFound(t); slices.Contains(libs, "libturbojpeg.so.0") != want {
		t.Errorf("the cuda train binary links libturbojpeg.so.0: %v, want %v (libjpeg-tags.sh)", !want, want)
	}
	if !interp {
		t.Error("the cuda train binary has no dynamic loader; it cannot load libcuda.so.1")
	}
	if !slices.Contains(libs, "libcuda.so.1") {
		t.Errorf("the cuda train binary does not link libcuda.so.1 (%q): cmd/train does not reach the CUDA backend under -tags cuda", libs)
	}
	for _, l := range libs {
		if !slices.Contains(allowed, l) {
			t.Errorf("the cuda train binary needs %s, which the runtime image does not promise (allowed: %q)", l, allowed)
		}
	}
}
