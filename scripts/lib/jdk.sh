# Finds a JDK 25 or newer for scripts/lenet and scripts/test (sourced, not run).
# Looks at $JAVA_HOME, then `java` on the PATH, then /usr/lib/jvm/*; exports JAVA_HOME and PATH
# for the first that fits, or says what it found and exits.

LENET_MIN_JAVA=25

# The major version of a java binary (8, 17, 25, ...), or nothing.
java_major() {
    local v
    v=$("$1" -version 2>&1 | awk -F'"' '/version/ { print $2; exit }') || true
    v=${v#1.}
    echo "${v%%[.+-]*}"
}

find_jdk() {
    local java home major candidates=() found=()
    local -A seen=()
    [[ -n ${JAVA_HOME:-} ]] && candidates+=("$JAVA_HOME/bin/java")
    java=$(command -v java 2>/dev/null) && candidates+=("$java")
    candidates+=(/usr/lib/jvm/*/bin/java)
    for java in "${candidates[@]}"; do
        [[ -x $java ]] || continue
        java=$(readlink -f "$java")
        [[ -n ${seen[$java]:-} ]] && continue
        seen[$java]=1
        home=$(dirname "$(dirname "$java")")
        major=$(java_major "$java")
        if [[ $major =~ ^[0-9]+$ ]] && ((major >= LENET_MIN_JAVA)); then
            if [[ -x $home/bin/javac ]]; then
                export JAVA_HOME=$home PATH=$home/bin:$PATH
                return 0
            fi
            found+=("$home (Java $major, but no javac: a JRE)")
        else
            found+=("$home (Java ${major:-of unknown version})")
        fi
    done
    local what="no Java at all"
    ((${#found[@]})) && what=$(IFS=','; echo "${found[*]}" | sed 's/,/, /g')
    echo "lenet: needs a JDK $LENET_MIN_JAVA or newer, found $what; install JDK $LENET_MIN_JAVA and set JAVA_HOME to it" >&2
    exit 1
}
