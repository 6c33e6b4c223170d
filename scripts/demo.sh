#!/bin/sh
# make demo: train the MNIST dropout and R-Drop experiments for a few epochs
# each and print their test accuracies side by side.
# DEMO_EPOCHS (default 3) keeps it to a few minutes on a 2-core machine.
set -eu
RDROP=${1:-build/rdrop}
EPOCHS=${DEMO_EPOCHS:-3}
mkdir -p runs
for m in dropout rdrop; do
  # --force: a demo run again starts over (rdrop train refuses that otherwise)
  echo "== rdrop train experiments/mnist-$m.ini --set train.epochs=$EPOCHS --out runs/demo-$m --force"
  "$RDROP" train "experiments/mnist-$m.ini" --set "train.epochs=$EPOCHS" --out "runs/demo-$m" --force \
    | tee "runs/demo-$m.log"
done
acc() { sed -n 's/^final test_acc=\([0-9.]*\) test_err=\([0-9.]*\)%.*/\1 \2/p' "runs/demo-$1.log"; }
rate() { tail -n 1 "runs/demo-$1/metrics.csv" | cut -d, -f10; }
echo
echo "MNIST, 784-1024-1024-10 MLP, dropout 0.3, Adam 1e-3, batch 128, $EPOCHS epochs, seed 0:"
printf '%-9s %-14s %-11s %s\n' method test_accuracy test_error samples/s
set -- $(acc dropout); printf '%-9s %-14s %-11s %s\n' dropout "$1" "$2%" "$(rate dropout)"
set -- $(acc rdrop);   printf '%-9s %-14s %-11s %s\n' R-Drop "$1" "$2%" "$(rate rdrop)"
echo "(runs/demo-dropout and runs/demo-rdrop hold the metrics and checkpoints;"
echo " one seed and $EPOCHS epochs decide nothing: see RESULTS.md for the multi-seed comparison)"
