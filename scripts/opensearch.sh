#!/usr/bin/env bash
# Starts, stops and inspects the single-node OpenSearch that ckos's tests run against.
#
#   scripts/opensearch.sh up       download once (Maven), install, start on 127.0.0.1, wait for yellow
#   scripts/opensearch.sh down     stop the node this script started (by its pid), nothing else
#   scripts/opensearch.sh status   say whether it runs (exit 0) or not (exit 3), with URL and health
#   scripts/opensearch.sh logs [-f] print (or follow) the node's log
#   scripts/opensearch.sh clean    stop it and delete the installed node and its data (keeps downloads)
#
# Environment:
#   OPENSEARCH_VERSION   server version (default below; 3.x needs Java 21+, e.g. a Temurin JDK)
#   OPENSEARCH_PORT      HTTP port (default 9200)
#   OPENSEARCH_HEAP      JVM heap (default 768m)
#   OPENSEARCH_URL       when set, `up` does nothing: the tests use that cluster
#   OPENSEARCH_JAVA_HOME JDK to run the node with (default: the first suitable JDK found)
#   OPENSEARCH_START_TIMEOUT seconds to wait for a yellow cluster (default 300)
#   CKOS_CACHE           cache for downloads and the node (default ~/.cache/ckos)
#   CKOS_OPENSEARCH_DOCKER=1  run the official container image instead, when a Docker engine answers
#   CKOS_OPENSEARCH_USER system user that runs the node when this script runs as root (default ckos-os)
set -euo pipefail

# The one place the OpenSearch version is pinned: the newest 2.19.x whose distribution and
# job-scheduler plugin the Maven repository serves, and which runs on Java 17.
OPENSEARCH_VERSION="${OPENSEARCH_VERSION:-2.19.6}"

V="$OPENSEARCH_VERSION"
PORT="${OPENSEARCH_PORT:-9200}"
HEAP="${OPENSEARCH_HEAP:-768m}"
START_TIMEOUT="${OPENSEARCH_START_TIMEOUT:-300}"
CACHE="${CKOS_CACHE:-$HOME/.cache/ckos}"
DL="$CACHE/downloads"
SERVICE_USER="${CKOS_OPENSEARCH_USER:-ckos-os}"
CLUSTER_NAME="ckos-test"
URL="http://127.0.0.1:$PORT"
DOCKER_STATE="$CACHE/docker-container"

log() { printf 'opensearch.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# ---------------------------------------------------------------- node location and user

# ensure_user creates the unprivileged system user that runs the node (OpenSearch refuses root).
ensure_user() {
	is_root || return 0
	if ! getent passwd "$SERVICE_USER" >/dev/null; then
		log "creating system user $SERVICE_USER to run OpenSearch (it refuses to run as root)"
		useradd --system --home-dir "/var/lib/$SERVICE_USER" --create-home \
			--shell /usr/sbin/nologin "$SERVICE_USER" ||
			die "could not create user $SERVICE_USER (set CKOS_OPENSEARCH_USER to an existing unprivileged user)"
	fi
}

# as_node runs a command as the user that runs the node.
as_node() {
	if is_root; then
		runuser -u "$SERVICE_USER" -- "$@"
	else
		"$@"
	fi
}

# node_root is where installed nodes, their data and logs live: the cache, unless the cache is
# somewhere the node's user cannot reach (e.g. under /root, mode 700); then that user's home.
node_root() {
	if ! is_root; then
		printf '%s\n' "$CACHE"
		return
	fi
	local home
	if ! home="$(getent passwd "$SERVICE_USER" | cut -d: -f6)" || [ -z "$home" ]; then
		home="/var/lib/$SERVICE_USER" # what ensure_user will create
	fi
	if getent passwd "$SERVICE_USER" >/dev/null && runuser -u "$SERVICE_USER" -- test -x "$CACHE" 2>/dev/null; then
		printf '%s\n' "$CACHE"
	else
		printf '%s/ckos\n' "$home"
	fi
}

# ---------------------------------------------------------------- java

java_major() {
	local out
	out="$("$1/bin/java" -version 2>&1 || true)"
	sed -n '/version "/{s/.*version "\(1\.\)\{0,1\}\([0-9]*\).*/\2/p;q;}' <<<"$out"
}

# pick_java prints a JDK home suitable for OpenSearch $V: 17..21 for 2.x, 21+ for 3.x.
pick_java() {
	local min=17 max=21 major cand
	case "$V" in
	1.*) min=11 max=17 ;;
	2.*) min=17 max=21 ;;
	*) min=21 max=99 ;;
	esac
	if [ -n "${OPENSEARCH_JAVA_HOME:-}" ]; then
		[ -x "$OPENSEARCH_JAVA_HOME/bin/java" ] || die "OPENSEARCH_JAVA_HOME=$OPENSEARCH_JAVA_HOME has no bin/java"
		printf '%s\n' "$OPENSEARCH_JAVA_HOME"
		return
	fi
	local candidates=()
	[ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
	if command -v java >/dev/null; then
		candidates+=("$(readlink -f "$(command -v java)" | sed 's:/bin/java$::')")
	fi
	for cand in /usr/lib/jvm/*; do candidates+=("$cand"); done
	for cand in "${candidates[@]}"; do
		[ -x "$cand/bin/java" ] || continue
		major="$(java_major "$cand")"
		[ -n "$major" ] || continue
		if [ "$major" -ge "$min" ] && [ "$major" -le "$max" ]; then
			printf '%s\n' "$cand"
			return
		fi
	done
	die "no JDK between Java $min and $max found for OpenSearch $V (install one, or set OPENSEARCH_JAVA_HOME)"
}

# ---------------------------------------------------------------- downloads

# fetch copies Maven artifact $1 into $DL; returns 1 (after logging why) when it does not resolve.
fetch() {
	local coords="$1" file="$2" logf
	[ -s "$DL/$file" ] && return 0
	command -v mvn >/dev/null || die "mvn (Maven) is needed to download OpenSearch; install it (apt-get install maven)"
	mkdir -p "$DL"
	logf="$DL/.mvn-$file.log"
	log "downloading $coords"
	# -U: retry artifacts an earlier attempt failed to resolve instead of trusting the cached failure.
	if ! mvn -B -q -U dependency:copy -Dartifact="$coords" -DoutputDirectory="$DL" >"$logf" 2>&1; then
		return 1
	fi
	[ -s "$DL/$file" ] || { log "mvn reported success but $DL/$file is missing"; return 1; }
}

# fetch_reindex resolves the reindex module's jar and its runtime dependencies into $DL/reindex-$V/jars.
fetch_reindex() {
	local dir="$DL/reindex-$V"
	if [ -s "$dir/jars/reindex-client-$V.jar" ]; then return 0; fi
	mkdir -p "$dir"
	cat >"$dir/pom.xml" <<EOF
<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>ckos.local</groupId>
  <artifactId>reindex-module-fetch</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.opensearch.plugin</groupId>
      <artifactId>reindex-client</artifactId>
      <version>$V</version>
    </dependency>
  </dependencies>
</project>
EOF
	log "downloading org.opensearch.plugin:reindex-client:$V and its runtime dependencies"
	rm -rf "$dir/jars"
	(cd "$dir" && mvn -B -q dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dir/jars") \
		>"$dir/mvn.log" 2>&1 || {
		tail -n 30 "$dir/mvn.log" >&2
		die "could not resolve org.opensearch.plugin:reindex-client:$V (log: $dir/mvn.log)"
	}
}

# ---------------------------------------------------------------- install

# artifact_name strips the version from a jar file name: httpcore-nio-4.4.16.jar -> httpcore-nio.
artifact_name() { basename "$1" | sed -E 's/-[0-9][^/]*\.jar$//'; }

# install_reindex assembles modules/reindex (for _delete_by_query) from the reindex-client jar.
install_reindex() {
	local home="$1" src="$DL/reindex-$V/jars" mod="$1/modules/reindex" jar name classname netty
	mkdir -p "$mod"
	declare -A inlib=()
	for jar in "$home"/lib/*.jar; do inlib["$(artifact_name "$jar")"]=1; done
	for jar in "$src"/*.jar; do
		name="$(artifact_name "$jar")"
		[ -n "${inlib[$name]:-}" ] && continue # already on the server's classpath: jar hell otherwise
		cp "$jar" "$mod/"
	done
	local classes
	classes="$(unzip -Z1 "$src/reindex-client-$V.jar")" # not piped into grep -q: SIGPIPE + pipefail
	if grep -qx 'org/opensearch/index/reindex/ReindexModulePlugin.class' <<<"$classes"; then
		classname=org.opensearch.index.reindex.ReindexModulePlugin # 3.x
	elif grep -qx 'org/opensearch/index/reindex/ReindexPlugin.class' <<<"$classes"; then
		classname=org.opensearch.index.reindex.ReindexPlugin # 1.x, 2.x
	else
		die "reindex-client-$V.jar holds no Reindex*Plugin class; cannot assemble the reindex module"
	fi
	# java.version and the core version requirement are those of the bundled transport module.
	netty="$home/modules/transport-netty4/plugin-descriptor.properties"
	[ -f "$netty" ] || die "$netty missing: is this an OpenSearch integ-test distribution?"
	{
		echo "description=The Reindex module adds APIs to reindex from one index to another or update documents in place."
		echo "version=$V"
		echo "name=reindex"
		echo "classname=$classname"
		grep -E '^(java\.version|opensearch\.version|dependencies)=' "$netty"
		echo "extended.plugins="
		echo "has.native.controller=false"
	} >"$mod/plugin-descriptor.properties"
}

# install builds $NODE/home: distribution, job-scheduler + index-management when served, reindex module.
install() {
	local java="$1" home="$NODE/home" tmp="$NODE/home.tmp" ism=unavailable
	if [ -f "$home/.ckos-installed" ]; then return 0; fi
	command -v unzip >/dev/null || die "unzip is needed to install OpenSearch; install it (apt-get install unzip)"
	local t0=$SECONDS
	fetch "org.opensearch.distribution.integ-test-zip:opensearch:$V:zip" "opensearch-$V.zip" || {
		tail -n 20 "$DL/.mvn-opensearch-$V.zip.log" >&2
		die "OpenSearch $V is not available from the Maven repository (org.opensearch.distribution.integ-test-zip:opensearch:$V:zip)"
	}
	local have_js=0 have_im=0
	if fetch "org.opensearch.plugin:opensearch-job-scheduler:$V.0:zip" "opensearch-job-scheduler-$V.0.zip"; then
		have_js=1
	else
		log "warning: job-scheduler plugin $V.0 not available from the Maven repository"
	fi
	if [ "$have_js" = 1 ] && fetch "org.opensearch.plugin:opensearch-index-management:$V.0:zip" "opensearch-index-management-$V.0.zip"; then
		have_im=1
	fi

	log "installing OpenSearch $V into $home"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	unzip -q "$DL/opensearch-$V.zip" -d "$tmp"
	mv "$tmp/opensearch-$V"/* "$tmp/"
	rmdir "$tmp/opensearch-$V"
	if [ "$have_js" = 1 ]; then
		OPENSEARCH_JAVA_HOME="$java" "$tmp/bin/opensearch-plugin" install --batch "file://$DL/opensearch-job-scheduler-$V.0.zip" >&2
	fi
	if [ "$have_im" = 1 ]; then
		OPENSEARCH_JAVA_HOME="$java" "$tmp/bin/opensearch-plugin" install --batch "file://$DL/opensearch-index-management-$V.0.zip" >&2
		ism=installed
	fi
	if [ -f "$tmp/modules/reindex/plugin-descriptor.properties" ]; then
		log "the distribution already has the reindex module" # 3.x integ-test zips ship every module
	else
		fetch_reindex
		install_reindex "$tmp"
	fi
	printf 'version=%s\nism=%s\nreindex=installed\n' "$V" "$ism" >"$tmp/.ckos-installed"
	rm -rf "$home"
	mv "$tmp" "$home"
	if is_root; then chown -R "$SERVICE_USER:" "$NODE"; fi
	log "installed in $((SECONDS - t0))s"
}

ism_installed() { grep -qx 'ism=installed' "$NODE/home/.ckos-installed" 2>/dev/null; }

# write_config (re)writes the node's configuration for this run: port, paths, test-friendly settings.
write_config() {
	local home="$NODE/home"
	mkdir -p "$NODE/data" "$NODE/logs"
	{
		echo "# Written by scripts/opensearch.sh on every start; edits are overwritten."
		echo "cluster.name: $CLUSTER_NAME"
		echo "node.name: ckos-node-1"
		echo "network.host: 127.0.0.1"
		echo "http.port: $PORT"
		echo "discovery.type: single-node"
		echo "path.data: $NODE/data"
		echo "path.logs: $NODE/logs"
		echo "action.auto_create_index: true"
		echo "# Tests must not stall on a nearly full disk."
		echo "cluster.routing.allocation.disk.threshold_enabled: false"
		if ism_installed; then
			echo "# ISM checks managed indices every minute, without jitter, so retention tests are feasible."
			echo "plugins.index_state_management.job_interval: 1"
			echo "plugins.index_state_management.jitter: 0"
		fi
	} >"$home/config/opensearch.yml"
	printf -- '-Xms%s\n-Xmx%s\n' "$HEAP" "$HEAP" >"$home/config/jvm.options.d/ckos-heap.options"
	if is_root; then chown -R "$SERVICE_USER:" "$home/config" "$NODE/data" "$NODE/logs"; fi
}

# ---------------------------------------------------------------- process handling

# node_pid prints the pid of the node started from $1 (a node directory) if it is alive and ours.
node_pid() {
	local dir="$1" pid
	[ -s "$dir/opensearch.pid" ] || return 1
	pid="$(cat "$dir/opensearch.pid")"
	[ -r "/proc/$pid/cmdline" ] || return 1
	# Ours only if its command line names our node directory (a recycled pid would not).
	local cmdline
	cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
	[[ "$cmdline" == *"$dir/home"* ]] || return 1
	printf '%s\n' "$pid"
}

# running_nodes prints "dir pid" for every node this script started that is still alive.
running_nodes() {
	local dir pid root
	root="$(node_root)"
	for dir in "$root"/node-*; do
		[ -d "$dir" ] || continue
		if pid="$(node_pid "$dir")"; then printf '%s %s\n' "$dir" "$pid"; fi
	done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

health() { curl -fsS --max-time 5 "$1/_cluster/health?wait_for_status=yellow&timeout=2s" 2>/dev/null; }

print_log_tail() {
	local f
	for f in "$NODE/startup.log" "$NODE/logs/$CLUSTER_NAME.log"; do
		if [ -s "$f" ]; then
			log "last lines of $f:"
			tail -n 40 "$f" >&2
		fi
	done
}

# wait_yellow waits until the cluster at $1 is yellow or green; with a pid file $2, it gives up
# as soon as the process named there has exited.
wait_yellow() {
	local url="$1" pidfile="${2:-}" deadline=$((SECONDS + START_TIMEOUT)) h pid=""
	while [ "$SECONDS" -lt "$deadline" ]; do
		if h="$(health "$url")" && [[ "$h" =~ \"status\":\"(yellow|green)\" ]]; then
			return 0
		fi
		if [ -z "$pid" ] && [ -n "$pidfile" ] && [ -s "$pidfile" ]; then
			pid="$(cat "$pidfile")"
		fi
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			log "the node (pid $pid) exited during startup"
			return 1
		fi
		sleep 1
	done
	log "the cluster at $url was not yellow within ${START_TIMEOUT}s"
	return 1
}

# ---------------------------------------------------------------- docker (optional)

docker_wanted() {
	[ "${CKOS_OPENSEARCH_DOCKER:-}" = 1 ] || return 1
	if command -v docker >/dev/null && docker info >/dev/null 2>&1; then return 0; fi
	log "CKOS_OPENSEARCH_DOCKER=1 but no Docker engine answers; using the Maven-installed node"
	return 1
}

docker_up() {
	local name="ckos-opensearch-$PORT" id
	if [ -s "$DOCKER_STATE" ] && [ "$(docker inspect -f '{{.State.Running}}' "$(cat "$DOCKER_STATE")" 2>/dev/null)" = true ]; then
		log "OpenSearch container $(cat "$DOCKER_STATE") already running"
		echo "$URL"
		return 0
	fi
	port_open "$PORT" && die "something already listens on 127.0.0.1:$PORT; stop it, or set OPENSEARCH_PORT"
	mkdir -p "$CACHE"
	log "starting container opensearchproject/opensearch:$V on $URL"
	id="$(docker run -d --rm --name "$name" --label ckos.opensearch=1 -p "127.0.0.1:$PORT:9200" \
		-e discovery.type=single-node -e DISABLE_SECURITY_PLUGIN=true -e DISABLE_INSTALL_DEMO_CONFIG=true \
		-e "OPENSEARCH_JAVA_OPTS=-Xms$HEAP -Xmx$HEAP" \
		-e cluster.routing.allocation.disk.threshold_enabled=false \
		-e plugins.index_state_management.job_interval=1 -e plugins.index_state_management.jitter=0 \
		"opensearchproject/opensearch:$V")"
	printf '%s\n' "$id" >"$DOCKER_STATE"
	if ! wait_yellow "$URL"; then
		docker logs --tail 40 "$id" >&2 || true
		die "container $id did not become ready"
	fi
	log "OpenSearch is up"
	echo "$URL"
}

# ---------------------------------------------------------------- commands

cmd_up() {
	if [ -n "${OPENSEARCH_URL:-}" ]; then
		log "OPENSEARCH_URL is set ($OPENSEARCH_URL): using that cluster, not starting a node"
		return 0
	fi
	if docker_wanted; then
		docker_up
		return
	fi
	local line
	line="$(running_nodes)"
	line="${line%%$'\n'*}"
	if [ -n "$line" ]; then
		local running_url
		running_url="http://127.0.0.1:$(cat "${line%% *}/port" 2>/dev/null || echo "$PORT")"
		log "OpenSearch already running (pid ${line#* }, ${line%% *}) at $running_url"
		echo "$running_url"
		return 0
	fi
	port_open "$PORT" &&
		die "something not started by this script already listens on 127.0.0.1:$PORT; use it with OPENSEARCH_URL=$URL or pick another OPENSEARCH_PORT"

	ensure_user
	local java
	java="$(pick_java)"
	mkdir -p "$NODE"
	if is_root; then chown "$SERVICE_USER:" "$NODE"; fi
	install "$java"
	if ! ism_installed; then
		log "warning: ISM plugin not available from the Maven repository; retention falls back to ckos's own EnforceRetention"
	fi
	write_config

	local t0=$SECONDS pid
	local who
	who="$(id -un)"
	is_root && who="$SERVICE_USER"
	log "starting OpenSearch $V (Java $(java_major "$java"), heap $HEAP) as user $who on $URL"
	rm -f "$NODE/opensearch.pid"
	printf '%s\n' "$PORT" >"$NODE/port"
	# -d daemonizes once the node has bootstrapped; its output up to then goes to startup.log.
	if ! (cd "$NODE" && as_node env -i PATH=/usr/bin:/bin HOME="$NODE" LANG=C.UTF-8 \
		OPENSEARCH_JAVA_HOME="$java" OPENSEARCH_PATH_CONF="$NODE/home/config" \
		"$NODE/home/bin/opensearch" -d -p "$NODE/opensearch.pid") >"$NODE/startup.log" 2>&1; then
		print_log_tail
		die "OpenSearch failed to start"
	fi
	if ! wait_yellow "$URL" "$NODE/opensearch.pid"; then
		print_log_tail
		pid="$(cat "$NODE/opensearch.pid" 2>/dev/null || true)"
		if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
		die "OpenSearch did not become ready"
	fi
	# The node writes its pid file after it daemonizes; it can lag behind a yellow cluster.
	for _ in $(seq 100); do
		[ -s "$NODE/opensearch.pid" ] && break
		sleep 0.2
	done
	pid="$(cat "$NODE/opensearch.pid" 2>/dev/null || echo unknown)"
	log "OpenSearch $V is up (pid $pid, started in $((SECONDS - t0))s); data and logs in $NODE"
	echo "$URL"
}

stop_pid() {
	local pid="$1" i
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 60); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 1
	done
	log "pid $pid still alive after 60s; killing it"
	kill -KILL "$pid" 2>/dev/null || true
}

cmd_down() {
	local stopped=0 dir pid
	if [ -s "$DOCKER_STATE" ]; then
		if command -v docker >/dev/null && docker rm -f "$(cat "$DOCKER_STATE")" >/dev/null 2>&1; then
			log "removed container $(cat "$DOCKER_STATE")"
			stopped=1
		fi
		rm -f "$DOCKER_STATE"
	fi
	while read -r dir pid; do
		[ -n "$pid" ] || continue
		log "stopping OpenSearch (pid $pid, $dir)"
		stop_pid "$pid"
		rm -f "$dir/opensearch.pid"
		stopped=1
	done < <(running_nodes)
	[ "$stopped" = 1 ] || log "no node started by this script is running"
	return 0
}

cmd_status() {
	local found=1 dir pid port h
	if [ -s "$DOCKER_STATE" ] && command -v docker >/dev/null &&
		[ "$(docker inspect -f '{{.State.Running}}' "$(cat "$DOCKER_STATE")" 2>/dev/null)" = true ]; then
		echo "running: container $(cat "$DOCKER_STATE") at $URL"
		found=0
	fi
	while read -r dir pid; do
		[ -n "$pid" ] || continue
		port="$(cat "$dir/port" 2>/dev/null || echo "$PORT")"
		h="$(health "http://127.0.0.1:$port" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p')"
		echo "running: pid $pid at http://127.0.0.1:$port (health ${h:-unknown}); node directory $dir"
		found=0
	done < <(running_nodes)
	[ "$found" = 0 ] || echo "not running (no node started by this script)"
	return "$((found * 3))"
}

cmd_logs() {
	local follow=0 line dir
	[ "${1:-}" = "-f" ] && follow=1
	if [ -s "$DOCKER_STATE" ] && command -v docker >/dev/null; then
		if [ "$follow" = 1 ]; then docker logs -f "$(cat "$DOCKER_STATE")"; else docker logs --tail 200 "$(cat "$DOCKER_STATE")"; fi
		return
	fi
	line="$(running_nodes)"
	line="${line%%$'\n'*}"
	dir="${line%% *}"
	[ -n "$dir" ] || dir="$NODE"
	local f="$dir/logs/$CLUSTER_NAME.log"
	[ -f "$f" ] || die "no log at $f (has the node been started?)"
	if [ "$follow" = 1 ]; then tail -n 50 -F "$f"; else tail -n 200 "$f"; fi
}

cmd_clean() {
	cmd_down
	log "removing $NODE (downloads in $DL are kept)"
	rm -rf "$NODE"
}

mkdir -p "$CACHE"
NODE="$(node_root)/node-$V"

case "${1:-}" in
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
logs) shift; cmd_logs "$@" ;;
clean) cmd_clean ;;
*)
	echo "usage: $0 up|down|status|logs [-f]|clean" >&2
	exit 2
	;;
esac
