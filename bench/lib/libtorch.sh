# Building against a LibTorch with g++ alone (no CMake, no CUDA toolkit), for the GPU scripts
# bench/gpu.sh and bench/train-gpu.sh. Source it, then:
#   libtorch_detect NAME [LIBTORCH_DIR]   sets include, lib, json, abi, cuda_libs and flags, or
#                                         exits 2 with a message starting "NAME: "
#   libtorch_compile OBJ_DIR SOURCE...    compiles the sources (relative to $repo) in parallel
#   libtorch_link OBJ_DIR OUTPUT [LIB...] links the objects with LibTorch and LIB...
# Needs $repo. Environment: LIBTORCH (when no LIBTORCH_DIR is given), LIBTORCH_INCLUDE /
# LIBTORCH_LIB (override the derived folders), NLOHMANN_JSON_INCLUDE.

libtorch_detect() {
  local name=$1 libtorch=${2:-${LIBTORCH:-}} candidate config_file
  include="${LIBTORCH_INCLUDE:-${libtorch:+$libtorch/include}}"
  lib="${LIBTORCH_LIB:-${libtorch:+$libtorch/lib}}"
  if [[ -z "$include" || ! -f "$include/torch/csrc/api/include/torch/torch.h" ]]; then
    echo "$name: no LibTorch headers under '${include}': pass the libtorch folder" >&2
    exit 2
  fi
  json=""
  for candidate in "${NLOHMANN_JSON_INCLUDE:-}" "$include" /usr/include /usr/local/include; do
    if [[ -n "$candidate" && -f "$candidate/nlohmann/json.hpp" ]]; then json="$candidate"; break; fi
  done
  if [[ -z "$json" ]]; then
    echo "$name: nlohmann/json.hpp not found; set NLOHMANN_JSON_INCLUDE" >&2
    exit 2
  fi
  # The ABI LibTorch was built with, from its CMake config (pip wheels before 2.6 use the old one).
  abi=1
  config_file="$(ls "$libtorch"/share/cmake/Torch/TorchConfig.cmake 2>/dev/null || true)"
  if [[ -n "$config_file" ]] && grep -q "_GLIBCXX_USE_CXX11_ABI=0" "$config_file"; then abi=0; fi
  cuda_libs=()
  for candidate in torch_cuda c10_cuda; do
    if ls "$lib"/lib$candidate.so* >/dev/null 2>&1; then cuda_libs+=("-l$candidate"); fi
  done
  flags=(-std=c++17 -O3 -DNDEBUG -fPIC "-D_GLIBCXX_USE_CXX11_ABI=$abi" -I"$repo")
  libtorch_add_system_include "$include" "$include/torch/csrc/api/include" "$json"
}

# The compiler's own folders must not be repeated with -isystem (it breaks #include_next).
libtorch_add_system_include() {
  local dir
  for dir in "$@"; do
    case "$dir" in /usr/include | /usr/local/include) ;; *) flags+=(-isystem "$dir") ;; esac
  done
}

libtorch_compile() {
  local obj=$1 source jobs pid
  shift
  jobs="$(nproc)"
  mkdir -p "$obj"
  echo "Compiling $# sources with $jobs jobs (ABI $abi, CUDA libs: ${cuda_libs[*]:-none})"
  local pids=()
  for source in "$@"; do
    g++ "${flags[@]}" -c "$repo/$source" -o "$obj/$(echo "$source" | tr / _).o" &
    pids+=($!)
    if (( ${#pids[@]} >= jobs )); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
}

libtorch_link() {
  local obj=$1 output=$2
  shift 2
  # --no-as-needed keeps torch_cuda linked: it registers the CUDA backend at load time.
  # --allow-shlib-undefined: a pip wheel's CUDA libraries (cuDNN, cuBLAS) live in other packages,
  # which its libraries find at run time through their own RUNPATH; the linker need not.
  g++ "$obj"/*.o -o "$output" -L"$lib" -Wl,-rpath,"$lib" -Wl,--allow-shlib-undefined \
    -Wl,--no-as-needed "${cuda_libs[@]}" \
    -ltorch -ltorch_cpu -lc10 -Wl,--as-needed "$@" -ldl -lpthread
}
