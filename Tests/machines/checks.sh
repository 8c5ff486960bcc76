# Shared by the Tests/machines scripts (sourced): named checks that record a failure
# and go on, so one run shows every verdict.

problems=()

# check DESCRIPTION COMMAND... — runs the command; ok or FAIL with the description.
check() {
    local what=$1; shift
    if "$@"; then echo "  ok    $what"; else echo "  FAIL  $what"; problems+=("$what"); fi
}

# checks_verdict NAME — the summary line; exits 1 when a check failed.
checks_verdict() {
    if [ ${#problems[@]} -gt 0 ]; then
        echo "$1: ${#problems[@]} check(s) failed"
        exit 1
    fi
    echo "$1: every check passed"
}
