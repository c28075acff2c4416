# Sourced by sim/bin/{snap,microk8s,iptables,dmesg,git} with TOOL and self (the script's real path) set: hands the
# command to the simulator server named by MICROK8S_SIM_SERVER (a local port; see sim/lib/server.mjs for the
# protocol), or, without one, runs it as its own Node process. The server reads the whole of stdin before the
# command runs: test a command that blocks on an open stdin without the server.
if [[ -n ${MICROK8S_SIM_SERVER:-} ]] && exec 3<>"/dev/tcp/127.0.0.1/${MICROK8S_SIM_SERVER}"; then
  tty=
  input=
  if [[ -t 0 ]]; then tty=1; else IFS= read -r -d '' input || true; fi
  {
    printf '%s\0' "$TOOL" "$$" "$EUID" "$tty" "${EPOCHREALTIME:-}" "$#" "$@"
    printf '%s\0' "$input"
    for name in $(compgen -e); do printf '%s=%s\0' "$name" "${!name}"; done
    printf '\0'
  } >&3
  if ! read -r code out err <&3; then
    echo "simulator: the simulator server (port ${MICROK8S_SIM_SERVER}) gave no answer" >&2
    exit 70
  fi
  IFS= read -r -d '' text <"$out" || true
  printf '%s' "$text"
  IFS= read -r -d '' text <"$err" || true
  printf '%s' "$text" >&2
  exit "$code"
fi
exec node "${self%/*}/../lib/cli.mjs" "$TOOL" "$@"
