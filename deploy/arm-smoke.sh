#!/usr/bin/env bash
# deploy/arm-smoke.sh [arm64|armhf]: runs the built gateway jar as on a Raspberry Pi, on Debian's Arm
# OpenJDK 17 under qemu user emulation: 'pigeon --version', 'pigeon check' on the example config, and a
# short 'run' on Pi4J's mock platform with one serial device on a pty, publishing to a mosquitto on this
# machine. The Arm JRE is downloaded once (about 70 packages) into $PIGEON_ARM_CACHE without touching
# the host's apt state. Needs root (apt-get), mosquitto, mosquitto-clients and socat.
set -euo pipefail

arch=${1:-arm64}
case "$arch" in
    arm64) qemu="qemu-aarch64-static" ;;
    armhf) qemu="qemu-arm-static" ;;
    *) echo "usage: $0 [arm64|armhf]" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
jar=$here/target/pigeon-gateway.jar
[ -r "$jar" ] || { echo "arm-smoke: build first: ./mvnw -B package -DskipTests" >&2; exit 1; }

if ! command -v "$qemu" >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-user-static >/dev/null
fi

cache=${PIGEON_ARM_CACHE:-/var/cache/pigeon-arm}/$arch
root=$cache/root
java_bin=$root/usr/lib/jvm/java-17-openjdk-$arch/bin/java
if [ ! -x "$java_bin" ]; then
    echo "arm-smoke: downloading Debian's $arch OpenJDK 17 runtime into $cache"
    mkdir -p "$cache/apt/lists/partial" "$cache/apt/archives/partial" "$root"
    : > "$cache/apt/status"
    apt_opts=(-o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" -o "Dir::State=$cache/apt"
        -o "Dir::State::Lists=$cache/apt/lists" -o "Dir::State::status=$cache/apt/status"
        -o "Dir::Cache=$cache/apt" -o "Dir::Cache::archives=$cache/apt/archives" -o "Debug::NoLocking=1")
    # A mirror mid-sync can fail one index (often the security one): retry, then go on with what came.
    for attempt in 1 2 3; do
        apt-get "${apt_opts[@]}" -qq update && break
        echo "arm-smoke: apt update failed (attempt $attempt), retrying" >&2
        sleep 5
    done
    apt-get "${apt_opts[@]}" -qq -y --download-only --no-install-recommends install openjdk-17-jre-headless >/dev/null
    for deb in "$cache"/apt/archives/*.deb; do
        dpkg-deb -x "$deb" "$root"
    done
fi

# An array, not only a function: started in the background, "$!" must be the emulator's pid (a function
# would run in a subshell, and killing the subshell leaves the emulated JVM running).
# The launcher's JVM options (deploy/src/deb/files/pigeon): each must be valid on the Arm JREs too.
java_cmd=("$qemu" -L "$root" "$java_bin" -Xmx32m -Xms4m -Xmn1m -Xss256k -XX:+UseSerialGC
    -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=12m -XX:CICompilerCount=1 -XX:TrimNativeHeapInterval=5000
    -Xlog:all=warning:stderr)
java_arm() {
    "${java_cmd[@]}" "$@"
}

work=$(mktemp -d)
cleanup() {
    for pid in "${gw:-}" "${broker:-}" "${pty:-}" "${sub:-}"; do
        if [ -n "$pid" ]; then
            kill "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$work"
}
trap cleanup EXIT

echo "== $arch: pigeon --version"
java_arm -jar "$jar" --version | grep -q '^pigeon ' || { echo "arm-smoke: --version failed" >&2; exit 1; }
echo "== $arch: pigeon check (example config)"
sed 's/^platform: auto/platform: mock/' "$here/pigeon.yaml" > "$work/example.yaml"
java_arm -jar "$jar" check --config "$work/example.yaml"

echo "== $arch: pigeon run, one serial device on a pty, mosquitto on the host"
port=$((20000 + RANDOM % 20000))
webport=$((port + 1))
mosquitto -p "$port" >/dev/null 2>&1 & broker=$!
for _ in $(seq 100); do
    if (: > "/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        break
    fi
    sleep 0.1
done
socat pty,raw,echo=0,link="$work/ttyDEV" pty,raw,echo=0,link="$work/ttySENSOR" & pty=$!
for _ in $(seq 50); do [ -e "$work/ttyDEV" ] && break; sleep 0.1; done
cat > "$work/pigeon.yaml" <<YAML
mqtt: {host: 127.0.0.1, port: $port, client_id: pigeon-$arch, topic_prefix: pigeon/$arch}
platform: mock
web: {listen: "127.0.0.1:$webport"}
devices:
  - {name: climate, driver: serial-line, port: $work/ttyDEV, parse: kv, qos: 1}
YAML
mosquitto_sub -p "$port" -i "smoke-$arch" -t "pigeon/$arch/climate/temperature" -C 1 -W 90 > "$work/got" &
sub=$!
"${java_cmd[@]}" -jar "$jar" run --config "$work/pigeon.yaml" > "$work/gateway.log" 2>&1 & gw=$!
for _ in $(seq 120); do
    printf 'temperature=21.5\n' > "$work/ttySENSOR"
    [ -s "$work/got" ] && break
    sleep 0.5
done
wait "$sub" || true
# The status page on this JRE: the JDK's HTTP server answers with the device's reading.
status=$( { exec 3<>"/dev/tcp/127.0.0.1/$webport" && printf 'GET /api/devices HTTP/1.0\r\n\r\n' >&3 && cat <&3; } 2>/dev/null || true)
kill -TERM "$gw"
wait "$gw" || true
gw=""
if [ "$(cat "$work/got")" != "21.5" ]; then
    echo "arm-smoke: no reading arrived from the $arch gateway; its log:" >&2
    cat "$work/gateway.log" >&2
    exit 1
fi
if ! grep -q '"reading":"temperature","value":21.5' <<<"$status"; then
    echo "arm-smoke: the status page of the $arch gateway did not show the reading: $status" >&2
    cat "$work/gateway.log" >&2
    exit 1
fi
echo "== $arch: OK (reading received over MQTT from the emulated gateway, and on its status page)"
