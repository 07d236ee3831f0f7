#!/usr/bin/env bash
# Set up the workspace's .venv: the CUDA build of torch where a GPU is visible, the CPU build
# (about 200 MB instead of about 3 GB) everywhere else; then the workspace itself (`kata`).
#
# Runs as onCreateCommand/updateContentCommand (so Codespaces prebuilds cache it) and again as
# postCreateCommand, where a GPU host's container first sees its GPU. Idempotent: a stamp in
# .venv records the choice and pyproject.toml's hash, and an unchanged setup is left alone.
#
# The README's first command runs it too, outside any container: one set-up everywhere.
#
#   bash .devcontainer/setup.sh            # set up, or do nothing when already set up
#   bash .devcontainer/setup.sh --dev      # with the maintainers' extras (the test command)
#   KATA_VARIANT=cpu bash .devcontainer/setup.sh   # force a variant
#
# Where the CPU index cannot be reached (an offline mirror), it falls back to the default
# index within seconds (no retries, a short timeout) instead of hanging.
set -euo pipefail

extras=""
for arg in "$@"; do
    case "$arg" in
        --dev) extras="[dev]" ;;
        *) echo "setup.sh: unknown argument '$arg' (only --dev)" >&2; exit 2 ;;
    esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.kata-setup"
python="${PYTHON:-python3}"
cpu_index="https://download.pytorch.org/whl/cpu"

gpu_visible() {
    command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1
}

variant="${KATA_VARIANT:-}"
if [[ -z "$variant" ]]; then
    if gpu_visible; then variant=cuda; else variant=cpu; fi
fi
if [[ "$variant" != cpu && "$variant" != cuda ]]; then
    echo "setup.sh: KATA_VARIANT must be cpu or cuda, not '$variant'" >&2
    exit 2
fi

# torch and torchvision exactly as pinned in pyproject.toml
mapfile -t pins < <(grep -oE '"torch(vision)?==[^"]+"' "$root/pyproject.toml" | tr -d '"')
if [[ ${#pins[@]} -ne 2 ]]; then
    echo "setup.sh: expected torch==... and torchvision==... pins in pyproject.toml" >&2
    exit 2
fi

want="$variant$extras $(sha256sum "$root/pyproject.toml" | cut -c1-16)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$venv/bin/kata" ]]; then
    echo "Torch Katas: already set up ($variant build of torch); nothing to do."
    exit 0
fi
previous="$(cut -d' ' -f1 "$stamp" 2>/dev/null | cut -d'[' -f1 || true)"

[[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
read -r -a pip <<< "${KATA_PIP:-$venv/bin/python -m pip}"

echo "Torch Katas: installing the $variant build of ${pins[*]}"
reinstall=()
if [[ -n "$previous" && "$previous" != "$variant" ]]; then
    reinstall=(--force-reinstall --no-deps)  # same version, other build: replace it
fi
if [[ "$variant" == cpu ]]; then
    if ! "${pip[@]}" install "${reinstall[@]}" --retries 0 --timeout "${KATA_INDEX_TIMEOUT:-10}" \
        --index-url "$cpu_index" "${pins[@]}"; then
        echo "Torch Katas: the CPU index ($cpu_index) cannot be reached; using the default index"
        "${pip[@]}" install "${reinstall[@]}" "${pins[@]}"
    fi
elif [[ ${#reinstall[@]} -gt 0 ]]; then
    "${pip[@]}" install "${reinstall[@]}" "${pins[@]}"
fi
"${pip[@]}" install -e "$root$extras"

echo "$want" > "$stamp"
echo "Torch Katas: ready. Put the kata command on your PATH in this shell with"
echo "    export PATH=\"$venv/bin:\$PATH\""
echo "(the dev container and VS Code's terminals already have it), then run: kata"
