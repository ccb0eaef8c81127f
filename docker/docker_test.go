package docker

import (
	"go/version"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// images are the Dockerfiles and the build.sh variant each must build.
var images = []struct{ file, variant string }{
	{"Dockerfile", "cuda"},
	{"Dockerfile.cpu", "cpu"},
}

var (
	// goBuild matches a go build run directly: go build, $(GO) build, "$go" build.
	goBuild = regexp.MustCompile(`(?i)\bgo\b\)?"?\s+build\b`)
	// buildScript matches a call of build.sh and captures its variant and output.
	buildScript = regexp.MustCompile(`(?:^|[\s;&|])(?:sh\s+)?docker/build\.sh\s+(\S+)\s+(\S+)`)
)

// TestImagesBuildWithBuildScript checks that each image builds its binary with build.sh, once,
// with its own variant, and that the final stage copies that binary to its ENTRYPOINT and runs
// it as a non-root user with the /data and /output volumes.
func TestImagesBuildWithBuildScript(t *testing.T) {
	for _, img := range images {
		ins := parseDockerfile(t, img.file)
		var out string
		calls := 0
		for _, in := range ins {
			if in.cmd != "RUN" {
				continue
			}
			if goBuild.MatchString(in.args) {
				t.Errorf("%s:%d: runs go build itself; call docker/build.sh so the flags live in one place", img.file, in.line)
			}
			if m := buildScript.FindStringSubmatch(in.args); m != nil {
				calls++
				out = m[2]
				if m[1] != img.variant {
					t.Errorf("%s:%d: builds variant %q, want %q", img.file, in.line, m[1], img.variant)
				}
			}
		}
		if calls != 1 {
			t.Errorf("%s: calls docker/build.sh %d times, want once", img.file, calls)
			continue
		}

		final := finalStage(ins)
		binary := ""
		for _, in := range final {
			if in.cmd != "COPY" || !strings.Contains(in.args, "--from=") {
				continue
			}
			var paths []string
			for _, f := range strings.Fields(in.args) {
				if !strings.HasPrefix(f, "--") {
					paths = append(paths, f)
				}
			}
			if len(paths) == 2 && paths[0] == out {
				binary = paths[1]
			}
		}
		if binary == "" {
			t.Errorf("%s: the final stage does not COPY --from the built %s", img.file, out)
		}
		var user string
		var volumes []string
		for _, in := range final {
			switch in.cmd {
			case "ENTRYPOINT":
				if ep := execForm(t, img.file, in); ep[0] != binary {
					t.Errorf("%s:%d: ENTRYPOINT runs %s, but the binary is copied to %q", img.file, in.line, ep[0], binary)
				}
			case "USER":
				user = in.args
			case "VOLUME":
				volumes = append(volumes, execForm(t, img.file, in)...)
			}
		}
		if name, _, _ := strings.Cut(user, ":"); name == "" || name == "root" || name == "0" {
			t.Errorf("%s: the final stage runs as %q, want a non-root USER", img.file, user)
		}
		for _, v := range []string{"/data", "/output"} {
			if !slices.Contains(volumes, v) {
				t.Errorf("%s: no VOLUME %s (have %q)", img.file, v, volumes)
			}
		}
	}
}

// TestMakeBuildsWithBuildScript checks that docker.mk builds both variants with build.sh and never
// runs go build itself, and that the Makefile includes docker.mk.
func TestMakeBuildsWithBuildScript(t *testing.T) {
	mk, err := os.ReadFile("docker.mk")
	if err != nil {
		t.Fatal(err)
	}
	var variants []string
	for i, line := range strings.Split(string(mk), "\n") {
		if !strings.HasPrefix(line, "\t") {
			continue
		}
		if goBuild.MatchString(line) {
			t.Errorf("docker.mk:%d: runs go build itself; call docker/build.sh", i+1)
		}
		if m := buildScript.FindStringSubmatch(line); m != nil {
			variants = append(variants, m[1])
		}
	}
	slices.Sort(variants)
	if want := []string{"cpu", "cuda"}; !slices.Equal(variants, want) {
		t.Errorf("docker.mk builds variants %q with docker/build.sh, want %q", variants, want)
	}

	mf, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^-?include\s+docker/docker\.mk\s*$`).Match(mf) {
		t.Error("Makefile does not include docker/docker.mk")
	}
}

// TestGoImageMatchesGoMod checks that both images build with the same Go toolchain, one that
// satisfies go.mod's go line and is of its release (a newer release could change the build).
func TestGoImageMatchesGoMod(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go\s+(\S+)\s*$`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	want := "go" + string(m[1])

	var first string
	for _, img := range images {
		image := arg(t, img.file, parseDockerfile(t, img.file), "GO_IMAGE")
		if first == "" {
			first = image
		} else if image != first {
			t.Errorf("%s: GO_IMAGE=%s, but %s has %s", img.file, image, images[0].file, first)
		}
		tag, ok := strings.CutPrefix(image, "golang:")
		tag, _, _ = strings.Cut(tag, "-") // drop a variant such as -bookworm
		got := "go" + tag
		switch {
		case !ok || !version.IsValid(got):
			t.Errorf("%s: GO_IMAGE=%s, want golang:<go version>", img.file, image)
		case version.Lang(got) != version.Lang(want) || version.Compare(got, want) < 0:
			t.Errorf("%s: GO_IMAGE=%s, but go.mod says %s: want a %s.x release at least %s", img.file, image, want, version.Lang(want), want)
		}
	}
}

// TestCUDAImage checks the CUDA pins: a 12.x toolkit (gorgonia.org/cu does not compile against
// CUDA 13's cuda.h), the same version and OS in the devel build stage and the runtime stage, and a
// final stage on the runtime image, which carries the NCCL that multi-GPU training dlopens.
func TestCUDAImage(t *testing.T) {
	const file = "Dockerfile"
	ins := parseDockerfile(t, file)
	if v := arg(t, file, ins, "CUDA_VERSION"); !strings.HasPrefix(v, "12.") {
		t.Errorf("%s: CUDA_VERSION=%s, want 12.x", file, v)
	}
	var froms []string
	for _, in := range ins {
		if in.cmd == "FROM" {
			image, _, _ := strings.Cut(in.args, " ")
			froms = append(froms, image)
		}
	}
	const devel, runtime = "nvidia/cuda:${CUDA_VERSION}-devel-${CUDA_OS}", "nvidia/cuda:${CUDA_VERSION}-runtime-${CUDA_OS}"
	if !slices.Contains(froms, devel) {
		t.Errorf("%s: no build stage FROM %s (have %q)", file, devel, froms)
	}
	if got := froms[len(froms)-1]; got != runtime {
		t.Errorf("%s: final stage FROM %s, want %s", file, got, runtime)
	}
}
