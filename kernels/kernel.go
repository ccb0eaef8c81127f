package kernels

import "fmt"

// Arg is the kind of one kernel parameter: what the launcher may pass for
// it, and so what the PTX declares.
type Arg uint8

const (
	// Ptr is a device pointer (float*, double*, int*): PTX .u64.
	Ptr Arg = iota + 1
	// Int is a 64-bit integer (common.cuh's i64, or unsigned long long):
	// PTX .u64. The launcher passes Go's int, int64 and uint64 for it, and
	// bool as 0 or 1.
	Int
	// F32 is a float: PTX .f32.
	F32
	// F64 is a double: PTX .f64.
	F64
)

var argNames = [...]string{Ptr: "pointer", Int: "integer", F32: "float32", F64: "float64"}

func (a Arg) String() string {
	if int(a) < len(argNames) && argNames[a] != "" {
		return argNames[a]
	}
	return fmt.Sprintf("Arg(%d)", a)
}

// Kernel is one __global__ function that the cuda backend launches: the
// family that defines it (FAMILY.cu, compiled to FAMILY.ptx), its entry
// name, and the kinds of its parameters in order. The variables of
// table.go are the Go side's only record of them; a test checks them
// against the committed PTX.
type Kernel struct {
	Family, Name string
	Args         []Arg
}

// CheckArgs returns an error unless kinds are, in order, the kinds of k's
// parameters: a launch that would hand the kernel too few, too many or
// mistyped arguments.
func (k *Kernel) CheckArgs(kinds []Arg) error {
	if len(kinds) != len(k.Args) {
		return fmt.Errorf("kernels: %s takes %d arguments, got %d", k.Name, len(k.Args), len(kinds))
	}
	for i, a := range kinds {
		if a != k.Args[i] {
			return fmt.Errorf("kernels: %s: argument %d: %v given, the kernel takes %v", k.Name, i, a, k.Args[i])
		}
	}
	return nil
}

// table lists every Kernel that def made, for the checks against the PTX.
var table []*Kernel

// def returns the Kernel family.name with parameters args and records it
// in table.
func def(family, name string, args ...Arg) *Kernel {
	k := &Kernel{Family: family, Name: name, Args: args}
	table = append(table, k)
	return k
}

// with returns args followed by the parameters of a macro such as
// CONV_PARAMS (params), for kernels whose parameter lists end with one.
func with(params []Arg, args ...Arg) []Arg { return append(args, params...) }

// ints returns n integer parameters.
func ints(n int) []Arg {
	args := make([]Arg, n)
	for i := range args {
		args[i] = Int
	}
	return args
}
