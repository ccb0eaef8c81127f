//go:build cuda

package cuda

import (
	"errors"
	"fmt"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

// GPUInfo describes one GPU as NVML reports it, for the log at start.
type GPUInfo struct {
	Index       int
	Name        string
	MemoryBytes uint64
	Driver      string
}

// GPUStats is one reading of a GPU's load, for each epoch's log line and
// metrics record.
type GPUStats struct {
	Index int
	// UtilizationPct is the percentage of the last sample period in which
	// a kernel ran.
	UtilizationPct int
	MemUsedBytes   uint64
	MemTotalBytes  uint64
	TemperatureC   int
}

// Monitor reads GPU information and statistics through NVML
// (libnvidia-ml, loaded at run time).
type Monitor struct {
	devices []nvml.Device
}

// OpenMonitor initialises NVML and returns a monitor of every GPU, or an
// error when NVML is unavailable (no driver, no GPU): callers then log
// without GPU statistics. No NVML call is made unless nvml.Init succeeds.
func OpenMonitor() (*Monitor, error) {
	if ret := nvml.Init(); ret != nvml.SUCCESS {
		return nil, fmt.Errorf("cuda: nvml init: %w", nvmlError(ret))
	}
	count, ret := nvml.DeviceGetCount()
	if ret != nvml.SUCCESS {
		nvml.Shutdown()
		return nil, fmt.Errorf("cuda: nvml device count: %w", nvmlError(ret))
	}
	m := &Monitor{devices: make([]nvml.Device, count)}
	for i := range m.devices {
		if m.devices[i], ret = nvml.DeviceGetHandleByIndex(i); ret != nvml.SUCCESS {
			nvml.Shutdown()
			return nil, fmt.Errorf("cuda: nvml device %d: %w", i, nvmlError(ret))
		}
	}
	return m, nil
}

// Info returns the name, memory and driver version of every GPU.
func (m *Monitor) Info() ([]GPUInfo, error) {
	driver, ret := nvml.SystemGetDriverVersion()
	if ret != nvml.SUCCESS {
		return nil, fmt.Errorf("cuda: nvml driver version: %w", nvmlError(ret))
	}
	infos := make([]GPUInfo, len(m.devices))
	for i, d := range m.devices {
		name, ret := d.GetName()
		if ret != nvml.SUCCESS {
			return nil, fmt.Errorf("cuda: nvml name of GPU %d: %w", i, nvmlError(ret))
		}
		mem, ret := d.GetMemoryInfo()
		if ret != nvml.SUCCESS {
			return nil, fmt.Errorf("cuda: nvml memory of GPU %d: %w", i, nvmlError(ret))
		}
		infos[i] = GPUInfo{Index: i, Name: name, MemoryBytes: mem.Total, Driver: driver}
	}
	return infos, nil
}

// Stats returns the current utilization, memory use and temperature of
// every GPU.
func (m *Monitor) Stats() ([]GPUStats, error) {
	stats := make([]GPUStats, len(m.devices))
	for i, d := range m.devices {
		util, ret := d.GetUtilizationRates()
		if ret != nvml.SUCCESS {
			return nil, fmt.Errorf("cuda: nvml utilization of GPU %d: %w", i, nvmlError(ret))
		}
		mem, ret := d.GetMemoryInfo()
		if ret != nvml.SUCCESS {
			return nil, fmt.Errorf("cuda: nvml memory of GPU %d: %w", i, nvmlError(ret))
		}
		temp, ret := d.GetTemperature(nvml.TEMPERATURE_GPU)
		if ret != nvml.SUCCESS {
			return nil, fmt.Errorf("cuda: nvml temperature of GPU %d: %w", i, nvmlError(ret))
		}
		stats[i] = GPUStats{Index: i, UtilizationPct: int(util.Gpu), MemUsedBytes: mem.Used,
			MemTotalBytes: mem.Total, TemperatureC: int(temp)}
	}
	return stats, nil
}

// Close shuts NVML down.
func (m *Monitor) Close() error {
	if ret := nvml.Shutdown(); ret != nvml.SUCCESS {
		return fmt.Errorf("cuda: nvml shutdown: %w", nvmlError(ret))
	}
	return nil
}

func nvmlError(ret nvml.Return) error { return errors.New(nvml.ErrorString(ret)) }
