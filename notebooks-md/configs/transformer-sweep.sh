#!/usr/bin/env bash
# Learning-rate x warmup sweep of notebook 5: the 2-block Transformer of
# fixtures/configs/text-transformer-*.toml, pre-LN and post-LN, Adam at three peak learning rates,
# with and without a 100-step warmup; 300 steps each, lambda_max measured at steps 0 and 300 only.
# Prints one line per run: placement, lr, warmup, losses, lr * lambda_max / 2 at the end, outcome.
#   notebooks-md/configs/transformer-sweep.sh OUTDIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:?usage: transformer-sweep.sh OUTDIR}"
bin="$(cd "$root" && swift build -c release --show-bin-path)"
mkdir -p "$out"
for placement in pre post; do
    for lr in 1e-2 3e-2 1e-1; do
        for warmup in 0 100; do
            name="transformer-${placement}ln-lr$lr-warmup$warmup"
            sed -e "s/^lr = .*/lr = $lr/" -e "s/^name = .*/name = \"$name\"/" -e "s/^sharpness_every = .*/sharpness_every = 300/" \
                -e "s/^spectrum_at = .*/spectrum_at = []/" -e "s/^checkpoint_at = .*/checkpoint_at = []/" -e "s/^test_every = .*/test_every = 300/" \
                -e '/^\[schedule\]/d' -e '/^warmup_steps/d' "$root/fixtures/configs/text-transformer-${placement}ln-adam.toml" > "$out/$name.toml"
            printf '\n[schedule]\nwarmup_steps = %s\n' "$warmup" >> "$out/$name.toml"
            "$bin/curv-record" "$out/$name.toml" --out "$out/$name.h5" --overwrite --quiet > /dev/null
            python3 - "$out/$name.h5" "$placement" "$lr" "$warmup" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r"); m = f["metrics"]
loss, lr, sharp = m["loss"][:], m["lr"][:], m["sharpness"][:]
test = m["test_loss"][:]; test = test[~np.isnan(test)]
kinds = [k.decode() if isinstance(k, bytes) else k for k in f["events"]["kind"][:]] if "kind" in f["events"] else []
# The corpus's unigram entropy is 3.28 nats: a final loss above 3.1 is a model that ignores its input.
outcome = "diverged" if "divergence" in kinds else ("at the unigram loss" if loss[-1] > 3.1 else "")
print(f"{sys.argv[2]}-LN  lr {sys.argv[3]:>5}  warmup {int(sys.argv[4]):3d}  loss {loss[0]:.3f} -> {loss[-1]:.3f}  test {test[-1]:.3f}  "
      f"lr*lambda_max/2 at 300: {lr[-1] * sharp[-1] / 2:7.3f}  {outcome}")
PY
        done
    done
done
