# Sourced by the viewer script and the browser test: installs a committed package.json and its
# exact package-lock.json with `npm ci` into a folder outside the source tree (node_modules is
# never committed). npm keeps its downloads in its own cache (~/.npm, or $npm_config_cache), so
# a second install needs no network.
#   npm_ci_into <folder with package.json and package-lock.json> <install folder>
# Does nothing when the install folder already holds exactly that lock file's packages.

npm_ci_into() {
  local source=$1 target=$2
  if ! command -v npm >/dev/null; then
    echo "npm is missing: install Node.js 20 or later with npm" >&2
    return 1
  fi
  if [ -f "$target/node_modules/.iris-lock.json" ] &&
     cmp -s "$source/package-lock.json" "$target/node_modules/.iris-lock.json"; then
    return 0
  fi
  mkdir -p "$target"
  cp "$source/package.json" "$source/package-lock.json" "$target/"
  (cd "$target" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || return 1
  cp "$source/package-lock.json" "$target/node_modules/.iris-lock.json"
}
