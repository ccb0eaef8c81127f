package docker

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction with its continuation lines joined.
type instruction struct {
	line int    // 1-based line of the keyword
	cmd  string // upper case: FROM, RUN, COPY, ...
	args string
}

// parseDockerfile splits path into instructions. It knows what these Dockerfiles use: comments,
// blank lines and backslash continuations (no heredocs, no escape directive).
func parseDockerfile(t *testing.T, path string) []instruction {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []instruction
	var cur *instruction
	for i, raw := range strings.Split(string(src), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		more := strings.HasSuffix(line, `\`)
		line = strings.TrimSpace(strings.TrimSuffix(line, `\`))
		if cur == nil {
			cmd, args, _ := strings.Cut(line, " ")
			cur = &instruction{line: i + 1, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)}
		} else {
			cur.args += " " + line
		}
		if !more {
			out = append(out, *cur)
			cur = nil
		}
	}
	if cur != nil {
		t.Fatalf("%s: instruction at line %d ends in a continuation", path, cur.line)
	}
	return out
}

// arg returns the default value of the Dockerfile ARG name, failing the test if it has none.
func arg(t *testing.T, path string, ins []instruction, name string) string {
	t.Helper()
	for _, in := range ins {
		if k, v, ok := strings.Cut(in.args, "="); in.cmd == "ARG" && ok && k == name {
			return v
		}
	}
	t.Fatalf("%s: no ARG %s=...", path, name)
	return ""
}

// finalStage returns the instructions after the last FROM: the image that ships.
func finalStage(ins []instruction) []instruction {
	last := 0
	for i, in := range ins {
		if in.cmd == "FROM" {
			last = i
		}
	}
	return ins[last:]
}

// execForm decodes a JSON-array (exec form) argument such as ENTRYPOINT's.
func execForm(t *testing.T, path string, in instruction) []string {
	t.Helper()
	var v []string
	if err := json.Unmarshal([]byte(in.args), &v); err != nil || len(v) == 0 {
		t.Fatalf("%s:%d: %s %s: want a non-empty exec-form array", path, in.line, in.cmd, in.args)
	}
	return v
}
