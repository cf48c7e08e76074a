#!/bin/bash
# obs-headless.sh: real OBS Studio (Debian obs-studio 29, obs-websocket 5.1) headless, for tests.
# (A copy of the team's shared/obs-headless.sh, kept here so that a clean clone runs
# 19-obs.test.mjs; change both together. obs/inner.mjs restarts OBS with the
# same xvfb-run/obs command line as below: keep them the same.)
#
#   obs-headless.sh [COMMAND [ARGS...]]
#
# Starts, inside a private network namespace (only loopback, so OBS neither
# listens on the LAN nor reaches the internet), Xvfb through xvfb-run and OBS
# with its websocket server on 127.0.0.1:$OBS_WS_PORT, waits until the port
# listens, runs COMMAND in the same namespace (so it reaches ws://127.0.0.1:PORT),
# then stops OBS and Xvfb by PID and removes the temporary HOME. Without COMMAND
# it waits until interrupted. Exit status: COMMAND's, or 2 when OBS did not come up.
#
# Environment (all optional):
#   OBS_WS_PORT      websocket port (default 4455)
#   OBS_WS_PASSWORD  password; empty (default) means AuthRequired=false
#   OBS_SCENES       comma-separated scene names (default "Scene A,Scene B")
#   OBS_KEEP_LOG     a file to copy OBS's log to at the end
# COMMAND sees OBS_WS_URL, OBS_WS_PORT, OBS_WS_PASSWORD and OBS_HOME.
#
# Needs: obs-studio xvfb xauth libgl1-mesa-dri iproute2 (apt-get install -y --no-install-recommends ...)
# and root (unshare -n) or unprivileged user namespaces (unshare -rn).
#
# Notes from trying it: obs-websocket 5.1 in OBS 29 reads its settings from
# global.ini [OBSWebSocket], not plugin_config/obs-websocket/config.json (that
# file is OBS 30's obs-websocket 5.3+); on a first load without them it writes
# ServerEnabled=false and a random password. FirstRun=true skips the
# auto-configuration wizard.
set -u

if [ -z "${OBS_HEADLESS_INNER:-}" ]; then
    if [ "$(id -u)" = 0 ]; then ns=(unshare -n); else ns=(unshare -rn); fi
    exec "${ns[@]}" env OBS_HEADLESS_INNER=1 bash "$0" "$@"
fi

ip link set lo up || exit 2

OBS_WS_PORT=${OBS_WS_PORT:-4455}
OBS_WS_PASSWORD=${OBS_WS_PASSWORD:-}
OBS_SCENES=${OBS_SCENES:-Scene A,Scene B}
OBS_HOME=$(mktemp -d "${TMPDIR:-/tmp}/obs-headless.XXXXXX") || exit 2
export OBS_WS_PORT OBS_WS_PASSWORD OBS_HOME
export OBS_WS_URL="ws://127.0.0.1:$OBS_WS_PORT"

cfg=$OBS_HOME/.config/obs-studio
mkdir -p "$cfg/basic/scenes" "$cfg/basic/profiles/Untitled"
if [ -n "$OBS_WS_PASSWORD" ]; then auth=true; else auth=false; fi
cat > "$cfg/global.ini" <<EOF
[General]
FirstRun=true

[Basic]
Profile=Untitled
ProfileDir=Untitled
SceneCollection=Untitled
SceneCollectionFile=Untitled

[OBSWebSocket]
FirstLoad=false
ServerEnabled=true
ServerPort=$OBS_WS_PORT
AlertsEnabled=false
AuthRequired=$auth
ServerPassword=$OBS_WS_PASSWORD
EOF

# The scene collection: one empty scene per name (names must not contain " or \).
IFS=, read -r -a scenes <<< "$OBS_SCENES"
order="" sources=""
for s in "${scenes[@]}"; do
    order+="${order:+,}{\"name\":\"$s\"}"
    sources+="${sources:+,}{\"id\":\"scene\",\"versioned_id\":\"scene\",\"name\":\"$s\",\"settings\":{\"items\":[],\"id_counter\":0,\"custom_size\":false}}"
done
cat > "$cfg/basic/scenes/Untitled.json" <<EOF
{"name":"Untitled","current_scene":"${scenes[0]}","current_program_scene":"${scenes[0]}",
 "scene_order":[$order],"sources":[$sources],"groups":[],"transitions":[],
 "current_transition":"Fade","transition_duration":300}
EOF

export HOME=$OBS_HOME LIBGL_ALWAYS_SOFTWARE=1
obs_pid="" xr_pid=""
cleanup() {
    local pid
    [ -f "$OBS_HOME/obs.pid" ] && obs_pid=$(cat "$OBS_HOME/obs.pid")
    if [ -n "$obs_pid" ] && kill -0 "$obs_pid" 2>/dev/null; then
        kill -TERM "$obs_pid" 2>/dev/null
        for _ in $(seq 1 40); do kill -0 "$obs_pid" 2>/dev/null || break; sleep 0.25; done
        kill -KILL "$obs_pid" 2>/dev/null
    fi
    if [ -n "$xr_pid" ]; then
        # xvfb-run stops its Xvfb once OBS has gone; make sure of it.
        for _ in $(seq 1 20); do kill -0 "$xr_pid" 2>/dev/null || break; sleep 0.25; done
        for pid in $(pgrep -P "$xr_pid" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
        kill -TERM "$xr_pid" 2>/dev/null
        wait "$xr_pid" 2>/dev/null
    fi
    if [ -n "${OBS_KEEP_LOG:-}" ]; then
        cat "$cfg"/logs/*.txt > "$OBS_KEEP_LOG" 2>/dev/null
    fi
    rm -rf "$OBS_HOME"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

xvfb-run -a -s "-screen 0 1280x720x24 -nolisten tcp" \
    sh -c 'echo $$ > "$OBS_HOME/obs.pid"; exec obs --multi --disable-shutdown-check --disable-updater --disable-missing-files-check' \
    > "$OBS_HOME/obs.out" 2>&1 &
xr_pid=$!

up=""
for _ in $(seq 1 120); do
    if ss -Hltn "sport = :$OBS_WS_PORT" | grep -q .; then up=1; break; fi
    kill -0 "$xr_pid" 2>/dev/null || break
    sleep 0.25
done
if [ -z "$up" ]; then
    echo "obs-headless: OBS did not listen on $OBS_WS_PORT; its output:" >&2
    tail -20 "$OBS_HOME/obs.out" >&2
    exit 2
fi

if [ $# -gt 0 ]; then
    "$@"
    exit $?
fi
echo "obs-headless: OBS websocket at $OBS_WS_URL (this namespace only); Ctrl-C stops it" >&2
while kill -0 "$xr_pid" 2>/dev/null; do sleep 1; done
