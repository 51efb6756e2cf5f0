#!/usr/bin/env bash
# Every speed bar of the issues, tfteach side by side with its peer, in one sitting.
# TensorFlow runs from a separate virtualenv (TF_PYTHON, default /work/tfenv/bin/python);
# it is a point of comparison only, never a dependency. Run on an idle machine: ratios
# measured while other processes compete for the two cores are not comparable.
#   bash bench/run_all.sh                # writes bench/results/latest.txt
set -u
cd "$(dirname "$0")/.."
mkdir -p bench/results
out=bench/results/latest.txt
TF=${TF_PYTHON:-/work/tfenv/bin/python}
{
  echo "# tfteach benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  for cmd in \
      "python3 bench/machine_limits.py" \
      "python3 bench/startup.py --tf $TF" \
      "python3 bench/session_latency.py --tf-python $TF" \
      "python3 bench/kernels_cpu.py" \
      "python3 bench/linreg_session.py --tf-python $TF" \
      "python3 bench/gradient_build.py --tf-python $TF" \
      "python3 bench/eager_latency.py --tf-python $TF" \
      "python3 bench/eager_vs_function.py --tf-python $TF" \
      "python3 bench/training_throughput.py --tf-python $TF" \
      "python3 bench/conv_kernels.py --tf-python $TF" \
      "python3 bench/large_tensors.py --tf-python $TF" \
      "python3 bench/viz_speed.py"; do
    echo; echo "\$ $cmd"; timeout 900 $cmd 2>&1 | tail -25
  done
  echo; echo "\$ python3 bench/cuda_kernels.py"; timeout 300 python3 bench/cuda_kernels.py 2>&1 | tail -3
} | tee "$out"
