#!/usr/bin/env bash
# Une machine neuve, à peu près : clone le dépôt dans un dossier temporaire, lance
# « make test » à partir de rien (création de .venv comprise) et affiche la durée.
# Les données MNIST viennent de COURSE_DATA_DIR si la variable est définie, sinon elles sont
# téléchargées. Usage : benchmarks/fresh_clone.sh [dépôt, par défaut celui-ci]
set -euo pipefail
source_repo="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
git clone --quiet "$source_repo" "$workdir/cours"
cd "$workdir/cours"
start=$(date +%s)
status=0
make test || status=$?
elapsed=$(( $(date +%s) - start ))
printf 'make test depuis un clone neuf : %d min %02d s (code de retour %d)\n' \
  $((elapsed / 60)) $((elapsed % 60)) "$status"
exit "$status"
