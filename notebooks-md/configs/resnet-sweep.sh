#!/usr/bin/env bash
# Learning-rate sweep of notebook 4: ResNet-8 (width 8) on digits with BatchNorm, without
# normalization, and with Fixup; 100 SGD steps (batch 128) at each learning rate. Prints one
# line per run: variant, lr, λ_max at step 0, final loss, diverged or not.
#   notebooks-md/configs/resnet-sweep.sh OUTDIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:?usage: resnet-sweep.sh OUTDIR}"
bin="$(cd "$root" && swift build -c release --show-bin-path)"
mkdir -p "$out"
for variant in bn plain fixup; do
    for lr in 0.05 0.1 0.2 0.4 0.8 1.6 3.2; do
        config="$out/resnet-$variant-lr$lr.toml"
        sed -e "s/^steps = 200/steps = 100/" -e "s/^lr = 0.1/lr = $lr/" -e "s/^name = .*/name = \"resnet-$variant-lr$lr\"/" \
            -e "s/^sharpness_every = .*/sharpness_every = 100/" -e "s/^spectrum_at = .*/spectrum_at = []/" \
            -e "s/^checkpoint_at = .*/checkpoint_at = []/" -e "s/^test_every = .*/test_every = 100/" \
            -e "s|^path = .*|path = \"$root/fixtures/digits\"|" "$root/notebooks-md/configs/resnet-$variant.toml" > "$config"
        "$bin/curv-record" "$config" --out "$out/resnet-$variant-lr$lr.h5" --overwrite --quiet > /dev/null
        python3 - "$out/resnet-$variant-lr$lr.h5" "$variant" "$lr" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r"); m = f["metrics"]
loss, sharp = m["loss"][:], m["sharpness"][:]
events = [e.decode() if isinstance(e, bytes) else e for e in f["events"]["kind"][:]] if "kind" in f["events"] else []
diverged = "divergence" in events
acc = m["test_accuracy"][:] if "test_accuracy" in m else np.array([np.nan])
print(f"{sys.argv[2]:6s} lr {float(sys.argv[3]):5.2f}  lambda_max(0) {sharp[0]:9.3f}  2/lr {2/float(sys.argv[3]):6.2f}  "
      f"loss {loss[0]:.3f} -> {loss[-1]:.4g}  test acc {acc[~np.isnan(acc)][-1] if np.any(~np.isnan(acc)) else float('nan'):.3f}  {'DIVERGED' if diverged else ''}")
PY
    done
done
