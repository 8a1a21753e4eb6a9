/*
 * A seccomp filter for the process that parses input, after it dropped to
 * --user: the system calls it never makes and that only widen what a bug
 * could reach (ptrace, mounts, namespaces, kernel modules, BPF, keyrings,
 * io_uring, userfaultfd, perf events, clock setting, ...) fail with EPERM.
 * It is a deny list: everything libcurl, OpenSSL, libxml2 and the tree
 * code need stays allowed, so no rare code path can die on a missed call.
 * The privileged helper, which runs a few lines of our own, gets an allow
 * list instead.
 */
#ifndef RSYNCSWAP_SANDBOX_H
#define RSYNCSWAP_SANDBOX_H

#include <stddef.h>

/*
 * Installs the filter (no_new_privs must be set). Returns 0, or -1 with
 * the reason in err.
 */
int	sandbox_apply(char *err, size_t errsz);

/*
 * Installs the privileged helper's filter: an allow list of the calls its
 * loop makes; any other fails with EPERM. Returns 0, or -1 with the
 * reason in err.
 */
int	sandbox_apply_helper(char *err, size_t errsz);

#endif
