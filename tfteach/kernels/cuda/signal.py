"""GPU kernels of the spectral ops: HOST-STAGED, not computed on the device.

TF 2.21 runs FFT/IFFT/RFFT/IRFFT (1D-3D) on a GPU with cuFFT; numba.cuda has no FFT and
tfteach has no device FFT of its own yet. So that graphs place these ops where TF places
them (with `fft_length` in host memory, as TF's HostMemory registration keeps it) and the
data around them stays on the device, each kernel copies its input to the host, runs the
CPU kernel (NumPy's pocketfft) and copies the result back to device memory
(`_dev.register_via_cpu`). The values are the CPU kernel's; the cost is two transfers per
op. tests/test_cuda_sim.py (parity) and tests/test_cuda_host_ops.py (an stft on '/GPU:0') check them in numba's CUDA simulator.
"""
from . import _dev

for _suffix in ("", "2D", "3D"):
    _dev.register_via_cpu(f"FFT{_suffix}")
    _dev.register_via_cpu(f"IFFT{_suffix}")
    _dev.register_via_cpu(f"RFFT{_suffix}", host_memory=("fft_length",))
    _dev.register_via_cpu(f"IRFFT{_suffix}", host_memory=("fft_length",))
