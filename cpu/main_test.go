package cpu

import (
	"os"
	"testing"
)

// TestMain runs the package's tests with new buffers filled with NaN (see
// poisonFresh), so that a kernel reading scratch or output memory it never
// wrote fails here rather than only once a stale buffer is reused.
func TestMain(m *testing.M) {
	poisonFresh = true
	os.Exit(m.Run())
}
